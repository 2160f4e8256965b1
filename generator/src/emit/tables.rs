//! The table of operations that carry sensitive values outside the body, for the SDK's
//! own tests; written beside the modules by a build script (`Layout::BuildScript`), like
//! `layout::resource_table`, as one macro call that the test including it defines.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::{Ir, ParamLocation, Scalar, TypeId, TypeKind, TypeRef};

/// `sensitive_wire_table! { RetrieveToken => ["token"], … }`: every operation with a
/// sensitive value in its path or query string, and those parameters' wire names, so the
/// SDK's tests check each sends the real value (a redacted form must never reach the
/// wire).
pub(super) fn sensitive_wire_table(ir: &Ir) -> TokenStream {
    let entries = ir.operations.values().filter_map(|op| {
        let params: Vec<&str> = op
            .params
            .iter()
            .filter(|p| !matches!(p.location, ParamLocation::Body | ParamLocation::WholeBody))
            .filter(|p| holds_sensitive(ir, &p.ty, &mut BTreeSet::new()))
            .map(|p| p.wire_name.as_str())
            .collect();
        let name = ident(&op.name);
        (!params.is_empty()).then(|| quote! { #name => [#(#params),*], })
    });
    quote! { sensitive_wire_table! { #(#entries)* } }
}

/// Whether a value of `ty` holds a `Sensitive` somewhere.
fn holds_sensitive(ir: &Ir, ty: &TypeRef, visiting: &mut BTreeSet<TypeId>) -> bool {
    match ty {
        TypeRef::Scalar(scalar) => *scalar == Scalar::Sensitive,
        TypeRef::Id(_) => false,
        TypeRef::Named(id) => {
            if !visiting.insert(id.clone()) {
                return false;
            }
            match ir.types.get(id).map(|def| &def.kind) {
                Some(TypeKind::Struct(def)) => def
                    .fields
                    .iter()
                    .any(|f| holds_sensitive(ir, &f.ty, visiting)),
                Some(TypeKind::Union(def)) => def
                    .members
                    .iter()
                    .any(|m| holds_sensitive(ir, &m.ty, visiting)),
                Some(TypeKind::Alias(inner)) => holds_sensitive(ir, inner, visiting),
                _ => false,
            }
        }
        TypeRef::List(inner)
        | TypeRef::Map(inner)
        | TypeRef::Expandable(inner)
        | TypeRef::Unsettable(inner)
        | TypeRef::Page(inner)
        | TypeRef::SearchPage(inner) => holds_sensitive(ir, inner, visiting),
        TypeRef::Expand { .. } => false,
    }
}
