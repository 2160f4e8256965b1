//! Open unions (docs/generated-code.md, "Unions tagged by a property"): a union whose
//! members a property's values select, with an `Unknown` variant that keeps the raw JSON of
//! a value this SDK version does not know.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, type_tokens};
use crate::ir::names::NameRegistry;
use crate::ir::{Ir, TypeDef, UnionDef};

/// The enum, encoded as its member (each member carries its own tag), and decoded by
/// reading the tag property first.
pub(super) fn open_union(ir: &Ir, def: &TypeDef, u: &UnionDef) -> TokenStream {
    let name = ident(&def.name);
    let tag = u.tag.as_deref().unwrap_or_default();
    let mut names = NameRegistry::default();
    for member in &u.members {
        names.claim(std::slice::from_ref(&member.variant));
    }
    let unknown = ident(&names.claim(&["Unknown".to_owned(), "UnknownValue".to_owned()]));
    let variants = u.members.iter().map(|member| {
        let variant = ident(&member.variant);
        let mut ty = type_tokens(ir, &member.ty);
        if member.boxed {
            ty = quote! { ::std::boxed::Box<#ty> };
        }
        let values: Vec<String> = member.tag_values.iter().map(|v| format!("`{v}`")).collect();
        let doc = format!(" `{tag}` {}.", values.join(", "));
        quote! { #[doc = #doc] #variant(#ty), }
    });
    let unknown_doc =
        format!(" A `{tag}` this SDK version does not know yet (or none), kept as received.");
    let cfg = super::types::cfg_attr(&def.features);
    let decode = (!def.request).then(|| {
        let decode = decode_impl(ir, &name, &unknown, u, tag);
        quote! { #cfg #decode }
    });
    let derives = if def.request {
        quote! { #[derive(Clone, Debug, ::serde::Serialize)] }
    } else {
        quote! { #[derive(Clone, Debug, PartialEq, ::serde::Serialize)] }
    };
    // #[serde(untagged)] pub enum PaymentMethod { AchDetails(AchDetails), …, Unknown(Value) }
    quote! {
        #derives
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            #unknown(::serde_json::Value),
        }
        #decode
    }
}

/// `impl Deserialize`: the value is read once as JSON, its tag selects the member, which
/// decodes from the whole value (its own tag field included).
fn decode_impl(
    ir: &Ir,
    name: &proc_macro2::Ident,
    unknown: &proc_macro2::Ident,
    u: &UnionDef,
    tag: &str,
) -> TokenStream {
    let arms = u
        .members
        .iter()
        .filter(|m| !m.tag_values.is_empty())
        .map(|member| {
            let variant = ident(&member.variant);
            let values = &member.tag_values;
            let decode = if member.boxed {
                let ty = type_tokens(ir, &member.ty);
                quote! { ::serde_json::from_value::<#ty>(value).map(|m| Self::#variant(::std::boxed::Box::new(m))) }
            } else {
                quote! { ::serde_json::from_value(value).map(Self::#variant) }
            };
            quote! { ::core::option::Option::Some(#(#values)|*) => #decode, }
        });
    // match value.get("type").and_then(Value::as_str).map(str::to_owned).as_deref() {
    //     Some("ach" | "ach_plaid") => from_value(value).map(Self::AchDetails), …,
    //     _ => return Ok(Self::Unknown(value)),
    // }
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value
                    .get(#tag)
                    .and_then(::serde_json::Value::as_str)
                    .map(::std::borrow::ToOwned::to_owned);
                let member = match tag.as_deref() {
                    #(#arms)*
                    _ => return ::core::result::Result::Ok(Self::#unknown(value)),
                };
                member.map_err(::serde::de::Error::custom)
            }
        }
    }
}
