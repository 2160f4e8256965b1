//! Expand enums -> tokens: the expandable fields of a response type, their wire names,
//! and one function per field that leads to more (docs/generated-code.md, "Expand").

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::{ExpandDef, Ir, TypeDef};

/// The enum, its `ExpandField` impl, and the functions building nested paths.
pub fn expand_enum(ir: &Ir, def: &TypeDef, fields: &ExpandDef) -> TokenStream {
    let name = ident(&def.name);
    let cfg = super::types::cfg_attr(&def.features);
    let variants: Vec<(proc_macro2::Ident, &str)> = fields
        .fields
        .iter()
        .filter_map(|f| Some((ident(f.variant.as_deref()?), f.wire_name.as_str())))
        .collect();
    let declarations = variants.iter().map(|(variant, wire)| {
        let doc = format!(" `{wire}`");
        quote! { #[doc = #doc] #variant, }
    });
    let arms = variants
        .iter()
        .map(|(variant, wire)| quote! { Self::#variant => #wire, });
    let nested = fields.fields.iter().filter_map(|f| {
        let then = ident(ir.name_of(f.then.as_ref()?));
        let method = ident(&f.method);
        let wire = &f.wire_name;
        let doc = format!(" `{wire}.…`: a path inside what `{wire}` holds.");
        Some(quote! {
            #[doc = #doc]
            pub fn #method(
                next: impl ::core::convert::Into<::payforge::wire::ExpandPath<crate::#then>>,
            ) -> ::payforge::wire::ExpandPath<Self> {
                ::payforge::wire::ExpandPath::nested(#wire, next.into())
            }
        })
    });
    let nested: Vec<TokenStream> = nested.collect();
    let functions = (!nested.is_empty()).then(|| {
        quote! { #cfg impl #name { #(#nested)* } }
    });
    // pub enum ChargeExpand { Customer, … }
    // impl ExpandField for ChargeExpand { fn wire_name(self) -> &'static str { match … } }
    // impl ChargeExpand { pub fn transfer_data(next: …) -> ExpandPath<Self> { … } }
    quote! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum #name { #(#declarations)* }

        #cfg
        impl ::payforge::wire::ExpandField for #name {
            fn wire_name(self) -> &'static str {
                match self { #(#arms)* }
            }
        }
        #functions
    }
}
