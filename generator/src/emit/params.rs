//! Request parameter structs (operations and their nested objects): required members are
//! constructor arguments, optional ones builder methods.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::{ident, type_tokens};
use std::collections::BTreeSet;

use crate::ir::{Ir, Scalar, TypeId, TypeKind, TypeRef};

/// One member of a params struct.
#[derive(Clone, Debug)]
pub struct ParamMember {
    /// The Rust field name.
    pub rust_name: String,
    /// The wire name.
    pub wire_name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Whether it is a constructor argument.
    pub required: bool,
    /// Whether the value is boxed (recursive types).
    pub boxed: bool,
    /// Whether it is a path parameter (`#[endpoint(path)]`).
    pub path: bool,
    /// Whether it is a header parameter (`#[endpoint(header = "Name")]`, the wire name).
    pub header: bool,
    /// Whether it is the whole JSON body (`#[endpoint(body)]`).
    pub whole_body: bool,
    /// Its doc text.
    pub doc: String,
}

/// The struct, its constructor and its builders. `attrs` go above the derives (the
/// `#[endpoint(...)]` attribute of an operation).
pub fn params_impl(
    ir: &Ir,
    name: &str,
    cfg: &TokenStream,
    attrs: TokenStream,
    members: &[ParamMember],
) -> TokenStream {
    let name = ident(name);
    let fields = members.iter().map(|m| {
        let field = ident(&m.rust_name);
        let doc = doc_attrs(Some(&m.doc));
        let ty = member_type(ir, m);
        let rename = (m.rust_name != m.wire_name && !m.header).then(|| {
            let wire = &m.wire_name;
            quote! { #[serde(rename = #wire)] }
        });
        let path = if m.whole_body {
            Some(quote! { #[endpoint(body)] })
        } else {
            m.path.then(|| quote! { #[endpoint(path)] })
        };
        let header = m.header.then(|| {
            let wire = &m.wire_name;
            quote! { #[endpoint(header = #wire)] }
        });
        // A required value that can encode to nothing (an object with no field set) is
        // refused by the runtime's form encoder instead of vanishing from the request.
        let vanishes = (m.required && !m.path && can_encode_empty(ir, &m.ty, &mut BTreeSet::new()))
            .then(|| quote! { #[serde(serialize_with = "::payforge::wire::required")] });
        if m.header {
            // The macro replaces the marker with `#[serde(skip)]`: a header is no body field.
            let ty = if m.required { ty } else { quote! { ::core::option::Option<#ty> } };
            quote! { #doc #header pub #field: #ty, }
        } else if m.required {
            quote! { #doc #path #rename #vanishes pub #field: #ty, }
        } else {
            quote! { #doc #rename #[serde(skip_serializing_if = "::core::option::Option::is_none")] pub #field: ::core::option::Option<#ty>, }
        }
    });
    let all_optional = members.iter().all(|m| !m.required);
    let derives = if all_optional {
        quote! { #[derive(Clone, Debug, Default, ::serde::Serialize)] }
    } else {
        quote! { #[derive(Clone, Debug, ::serde::Serialize)] }
    };
    let required: Vec<&ParamMember> = members.iter().filter(|m| m.required).collect();
    let arguments = required.iter().map(|m| {
        let field = ident(&m.rust_name);
        let ty = argument_type(ir, m);
        quote! { #field: #ty }
    });
    let initialisers = members.iter().map(|m| {
        let field = ident(&m.rust_name);
        match (m.required, into_argument(m)) {
            (false, _) => quote! { #field: ::core::option::Option::None },
            (true, true) if m.boxed => quote! { #field: ::std::boxed::Box::new(#field.into()) },
            (true, true) => quote! { #field: #field.into() },
            (true, false) if m.boxed => quote! { #field: ::std::boxed::Box::new(#field) },
            (true, false) => quote! { #field },
        }
    });
    let builders = members
        .iter()
        .filter(|m| !m.required)
        .map(|m| builder(ir, m));
    let new_doc = if required.is_empty() {
        " Creates the parameters with every optional one unset.".to_owned()
    } else {
        let names: Vec<String> = required
            .iter()
            .map(|m| format!("`{}`", m.wire_name))
            .collect();
        format!(
            " Creates the parameters from the required {}.",
            names.join(", ")
        )
    };
    // pub struct X { pub a: A, pub b: Option<B> }
    // impl X { pub fn new(a: impl Into<A>) -> Self { .. } pub fn b(mut self, b: B) -> Self { .. } }
    quote! {
        #attrs
        #derives
        pub struct #name { #(#fields)* }

        #cfg
        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#arguments),*) -> Self {
                Self { #(#initialisers),* }
            }
            #(#builders)*
        }
    }
}

/// Whether a value of `ty` can encode to no form pair at all: a list or map with no
/// entries, or an object (or union member) whose every field can be left out.
fn can_encode_empty(ir: &Ir, ty: &TypeRef, visiting: &mut BTreeSet<TypeId>) -> bool {
    match ty {
        TypeRef::List(_) | TypeRef::Map(_) => true,
        TypeRef::Named(id) => {
            // A type met again on its own path is recursive: its first visit decides.
            if !visiting.insert(id.clone()) {
                return false;
            }
            let empty = match ir.types.get(id).map(|def| &def.kind) {
                Some(TypeKind::Struct(def)) => def
                    .fields
                    .iter()
                    .all(|field| !field.required || can_encode_empty(ir, &field.ty, visiting)),
                Some(TypeKind::Union(def)) => def
                    .members
                    .iter()
                    .any(|member| can_encode_empty(ir, &member.ty, visiting)),
                Some(TypeKind::Alias(inner)) => can_encode_empty(ir, inner, visiting),
                Some(
                    TypeKind::StringEnum(_) | TypeKind::ExpandFields(_) | TypeKind::Runtime(_),
                )
                | None => false,
            };
            visiting.remove(id);
            empty
        }
        TypeRef::Scalar(_)
        | TypeRef::Id(_)
        | TypeRef::Expandable(_)
        | TypeRef::Unsettable(_)
        | TypeRef::Page(_)
        | TypeRef::SearchPage(_)
        | TypeRef::Expand { .. } => false,
    }
}

/// The field type of a member (without the `Option` of an optional one).
fn member_type(ir: &Ir, m: &ParamMember) -> TokenStream {
    let ty = type_tokens(ir, &m.ty);
    if m.boxed {
        quote! { ::std::boxed::Box<#ty> }
    } else {
        ty
    }
}

/// Whether the constructor or builder takes `impl Into<T>`: strings and typed ids (from `&str`),
/// sensitive strings, unsettable values (from the plain value, or `Unsettable::Unset`) and
/// expand paths (from an array or `Vec` of fields and paths).
fn into_argument(m: &ParamMember) -> bool {
    matches!(
        m.ty,
        TypeRef::Scalar(Scalar::String | Scalar::Sensitive | Scalar::Decimal)
            | TypeRef::Id(_)
            | TypeRef::Unsettable(_)
            | TypeRef::Expand { .. }
    )
}

fn argument_type(ir: &Ir, m: &ParamMember) -> TokenStream {
    let ty = type_tokens(ir, &m.ty);
    if into_argument(m) {
        quote! { impl ::core::convert::Into<#ty> }
    } else {
        ty
    }
}

fn builder(ir: &Ir, m: &ParamMember) -> TokenStream {
    let field = ident(&m.rust_name);
    let method = if m.rust_name == "new" {
        ident("with_new")
    } else {
        field.clone()
    };
    let ty = argument_type(ir, m);
    let value = match (into_argument(m), m.boxed) {
        (true, true) => quote! { ::std::boxed::Box::new(#field.into()) },
        (true, false) => quote! { #field.into() },
        (false, true) => quote! { ::std::boxed::Box::new(#field) },
        (false, false) => quote! { #field },
    };
    let doc = format!(" Sets `{}`.", m.wire_name);
    quote! {
        #[doc = #doc]
        pub fn #method(mut self, #field: #ty) -> Self {
            self.#field = ::core::option::Option::Some(#value);
            self
        }
    }
}
