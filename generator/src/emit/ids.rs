//! Typed ids -> tokens: one `::payforge::id!` line per id type, in the crate's top file
//! (an id type is tiny and named by many resource groups, so it is never feature-gated).

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::Ir;

/// `::payforge::id!(/// The id of a `customer`. CustomerId);` for every id type.
pub(super) fn id_declarations(ir: &Ir) -> TokenStream {
    let lines = ir.ids.iter().map(|(name, constant)| {
        let name = ident(name);
        let doc = format!(" The id of a `{constant}` object.");
        quote! { ::payforge::id!(#[doc = #doc] #name); }
    });
    quote! { #(#lines)* }
}
