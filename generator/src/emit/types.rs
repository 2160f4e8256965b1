//! Declared types -> tokens: structs, string enums, unions and aliases, with their cfg
//! gates, docs, serde attributes and `HasId` and `Object` impls.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs::doc_attrs;
use super::params::{ParamMember, params_impl};
use crate::ir::names::{NameRegistry, variant_name};
use crate::ir::{Field, Ir, Scalar, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

/// An identifier (names are valid identifiers by construction in the IR).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", feature = "b"))]`.
pub fn cfg_attr(features: &BTreeSet<String>) -> TokenStream {
    let features: Vec<&String> = features.iter().collect();
    match features.as_slice() {
        [] => TokenStream::new(),
        [one] => quote! { #[cfg(feature = #one)] },
        many => quote! { #[cfg(any(#(feature = #many),*))] },
    }
}

/// The Rust type of a type reference.
pub fn type_tokens(ir: &Ir, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Scalar(scalar) => scalar_tokens(*scalar),
        TypeRef::Named(id) => {
            let name = ident(ir.name_of(id));
            quote! { crate::#name }
        }
        TypeRef::Id(name) => {
            let name = ident(name);
            quote! { crate::#name }
        }
        TypeRef::List(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
        TypeRef::Expandable(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::payforge::wire::Expandable<#inner> }
        }
        TypeRef::Unsettable(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::payforge::wire::Unsettable<#inner> }
        }
        TypeRef::Page(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::payforge::wire::List<#inner> }
        }
        TypeRef::SearchPage(inner) => {
            let inner = type_tokens(ir, inner);
            quote! { ::payforge::wire::SearchList<#inner> }
        }
        TypeRef::Expand { fields, items } => {
            let fields = match fields {
                Some(id) => {
                    let name = ident(ir.name_of(id));
                    quote! { crate::#name }
                }
                None => quote! { ::payforge::wire::NoExpandableFields },
            };
            if *items {
                quote! { ::payforge::wire::Expand<::payforge::wire::ListItems<#fields>> }
            } else {
                quote! { ::payforge::wire::Expand<#fields> }
            }
        }
    }
}

fn scalar_tokens(scalar: Scalar) -> TokenStream {
    match scalar {
        Scalar::String | Scalar::Decimal => quote! { ::std::string::String },
        Scalar::Integer | Scalar::Timestamp => quote! { i64 },
        Scalar::Number => quote! { f64 },
        Scalar::Boolean => quote! { bool },
        Scalar::Currency => quote! { ::payforge::Currency },
        Scalar::Sensitive => quote! { ::payforge::Sensitive<::std::string::String> },
        Scalar::FileUpload => quote! { ::payforge::wire::FileUpload },
        Scalar::Binary => quote! { ::payforge::wire::Binary },
        Scalar::Json => quote! { ::serde_json::Value },
    }
}

/// A note appended to the docs of fields whose Rust type hides a wire convention.
fn type_note(ty: &TypeRef) -> Option<&'static str> {
    match ty {
        TypeRef::Scalar(Scalar::Timestamp) => Some("Seconds since the Unix epoch (UTC)."),
        TypeRef::Scalar(Scalar::Decimal) => Some("A decimal number, kept as its exact string."),
        _ => None,
    }
}

/// The doc text of a field: the spec's, with a note on its encoding, or its wire name.
pub fn field_doc(doc: Option<&str>, wire_name: &str, ty: &TypeRef) -> String {
    let base = doc
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map_or_else(|| format!("The `{wire_name}` field."), str::to_owned);
    match type_note(ty) {
        Some(note) => format!("{base}\n\n{note}"),
        None => base,
    }
}

/// Declares one type.
pub fn declare(ir: &Ir, def: &TypeDef) -> TokenStream {
    let cfg = cfg_attr(&def.features);
    let text = def
        .doc
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map_or_else(|| format!("The `{}` type.", def.name), str::to_owned);
    let mut doc = doc_attrs(Some(&text));
    if let TypeKind::Alias(TypeRef::Named(target)) = &def.kind {
        // A use site's own name for a type shared by every use of the same shape.
        let note = format!(
            " The same type as `{}`, which every use of this shape shares.",
            ir.name_of(target)
        );
        doc.extend(quote! { #[doc = ""] #[doc = #note] });
    }
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) if def.request => request_struct(ir, def, s),
        TypeKind::Struct(s) => response_struct(ir, def, s),
        TypeKind::StringEnum(values) => string_enum(&name, values),
        TypeKind::Union(u) => union(ir, def, u),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ir, ty);
            quote! { pub type #name = #ty; }
        }
        TypeKind::ExpandFields(fields) => super::expand::expand_enum(ir, def, fields),
        TypeKind::Runtime(path) => {
            let path: TokenStream = path.parse().unwrap_or_default();
            quote! { pub type #name = #path; }
        }
    };
    quote! { #cfg #doc #body }
}

fn response_struct(ir: &Ir, def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let fields = s.fields.iter().map(|field| response_field(ir, field));
    let cfg = cfg_attr(&def.features);
    let has_id = s.id_field().map(|field| {
        let id = ident(&field.rust_name);
        let body = if field.required && !field.nullable {
            quote! { &self.#id }
        } else {
            // An object whose id is optional (an upcoming invoice) has the empty id.
            quote! { self.#id.as_deref().unwrap_or_default() }
        };
        let id_type = type_tokens(ir, &field.ty);
        quote! {
            #cfg
            impl ::payforge::wire::HasId for #name {
                fn id(&self) -> &str { #body }
            }
            #cfg
            impl ::payforge::wire::Object for #name {
                type Id = #id_type;
            }
        }
    });
    let paging = super::paging::paging_impls(ir, def, s);
    // pub struct PaymentIntent { pub id: PaymentIntentId, ... }  (+ impl HasId and Object
    // when it has an id, Links when it has links, ItemsPage when an operation pages by it)
    quote! {
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name { #(#fields)* }
        #has_id
        #paging
    }
}

/// A field of a response type: required, required-nullable, optional-nullable and optional
/// differ on the wire (docs/generated-code.md, "Schemas").
fn response_field(ir: &Ir, field: &Field) -> TokenStream {
    let name = ident(&field.rust_name);
    let doc = doc_attrs(Some(&field_doc(
        field.doc.as_deref(),
        &field.wire_name,
        &field.ty,
    )));
    let mut ty = type_tokens(ir, &field.ty);
    if field.boxed {
        ty = quote! { ::std::boxed::Box<#ty> };
    }
    let rename = (field.rust_name != field.wire_name).then(|| {
        let wire = &field.wire_name;
        quote! { #[serde(rename = #wire)] }
    });
    let (ty, serde) = if field.tag_const || (!field.required && !field.nullable) {
        (
            quote! { ::core::option::Option<#ty> },
            quote! { #[serde(default, skip_serializing_if = "::core::option::Option::is_none")] },
        )
    } else if !field.required {
        (
            quote! { ::core::option::Option<#ty> },
            quote! { #[serde(default)] },
        )
    } else if field.nullable {
        (quote! { ::core::option::Option<#ty> }, TokenStream::new())
    } else {
        (ty, TokenStream::new())
    };
    quote! { #doc #rename #serde pub #name: #ty, }
}

fn request_struct(ir: &Ir, def: &TypeDef, s: &StructDef) -> TokenStream {
    let members: Vec<ParamMember> = s
        .fields
        .iter()
        .map(|field| ParamMember {
            rust_name: field.rust_name.clone(),
            wire_name: field.wire_name.clone(),
            ty: field.ty.clone(),
            required: field.required,
            boxed: field.boxed,
            path: false,
            header: false,
            whole_body: false,
            doc: field_doc(field.doc.as_deref(), &field.wire_name, &field.ty),
        })
        .collect();
    params_impl(
        ir,
        &def.name,
        &cfg_attr(&def.features),
        TokenStream::new(),
        &members,
    )
}

fn string_enum(name: &Ident, values: &[String]) -> TokenStream {
    let mut variants = NameRegistry::default();
    variants.claim(&["Unknown".to_owned()]);
    let arms = values.iter().map(|value| {
        let word = variant_name(value);
        let variant = ident(&variants.claim(&[word.clone(), format!("{word}Value")]));
        let doc = format!(" `{value}`");
        quote! { #[doc = #doc] #[wire(#value)] #variant, }
    });
    // pub enum Status { #[wire("succeeded")] Succeeded, ..., Unknown(String) }
    quote! {
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::payforge::StringEnum)]
        pub enum #name {
            #(#arms)*
            /// A value this SDK version does not know yet, kept as received.
            Unknown(::std::string::String),
        }
    }
}

fn union(ir: &Ir, def: &TypeDef, u: &UnionDef) -> TokenStream {
    if u.open {
        return super::unions::open_union(ir, def, u);
    }
    let name = ident(&def.name);
    let variants = u.members.iter().map(|member| {
        let variant = ident(&member.variant);
        let mut ty = type_tokens(ir, &member.ty);
        if member.boxed {
            ty = quote! { ::std::boxed::Box<#ty> };
        }
        let rename = member
            .tag_value
            .as_ref()
            .map(|tag| quote! { #[serde(rename = #tag)] });
        let doc = format!(
            " A `{}`.",
            member.tag_value.as_deref().unwrap_or(&member.variant)
        );
        quote! { #[doc = #doc] #rename #variant(#ty), }
    });
    let representation = match &u.tag {
        Some(tag) => quote! { #[serde(tag = #tag)] },
        None => quote! { #[serde(untagged)] },
    };
    let derives = if def.request {
        quote! { #[derive(Clone, Debug, ::serde::Serialize)] }
    } else {
        quote! { #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)] }
    };
    let has_id = union_has_id(ir, u).then(|| {
        let cfg = cfg_attr(&def.features);
        // Deref coercion turns `&Box<T>` into `&T` at the call.
        let arms = u.members.iter().map(|m| {
            let variant = ident(&m.variant);
            let ty = type_tokens(ir, &m.ty);
            quote! { Self::#variant(object) => <#ty as ::payforge::wire::HasId>::id(object), }
        });
        let id_type = type_tokens(ir, &union_id_type(ir, u));
        quote! {
            #cfg
            impl ::payforge::wire::HasId for #name {
                fn id(&self) -> &str { match self { #(#arms)* } }
            }
            #cfg
            impl ::payforge::wire::Object for #name {
                type Id = #id_type;
            }
        }
    });
    quote! { #derives #representation pub enum #name { #(#variants)* } #has_id }
}

/// The id type of a union whose members all have ids: theirs when they share one
/// (`Customer` and `DeletedCustomer` are both `CustomerId`), else `String`.
fn union_id_type(ir: &Ir, u: &UnionDef) -> TypeRef {
    let mut member_ids = u.members.iter().filter_map(|m| match &m.ty {
        TypeRef::Named(id) => ir
            .types
            .get(id)
            .and_then(TypeDef::as_struct)
            .and_then(StructDef::id_field)
            .map(|field| field.ty.clone()),
        _ => None,
    });
    let first = member_ids.next();
    match first {
        Some(first) if member_ids.all(|ty| ty == first) => first,
        _ => TypeRef::Scalar(Scalar::String),
    }
}

/// Whether every member of a union is an object with an id.
fn union_has_id(ir: &Ir, u: &UnionDef) -> bool {
    u.members.iter().all(|m| match &m.ty {
        TypeRef::Named(id) => ir
            .types
            .get(id)
            .and_then(TypeDef::as_struct)
            .is_some_and(StructDef::has_id),
        _ => false,
    })
}
