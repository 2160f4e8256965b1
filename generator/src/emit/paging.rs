//! The paging and link impls of a response struct: `::payforge::wire::Links` for an object
//! whose `types.links_field` holds the runtime's links, and `::payforge::wire::ItemsPage` for
//! the output of an operation paged by number or by `next` link
//! (docs/generated-code.md, "Pagination").

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{cfg_attr, ident, type_tokens};
use crate::ir::paging::page_shape;
use crate::ir::{Ir, Pagination, StructDef, TypeDef, TypeRef};

/// `impl Links` and `impl ItemsPage` for `def`, where they apply.
pub(super) fn paging_impls(ir: &Ir, def: &TypeDef, s: &StructDef) -> TokenStream {
    let links_field = ir.profile.types.links_field.as_deref();
    let Some(shape) = page_shape(links_field, &ir.types, def) else {
        return TokenStream::new();
    };
    let cfg = cfg_attr(&def.features);
    let name = ident(&def.name);
    let links = s
        .fields
        .iter()
        .find(|field| shape.links && Some(field.wire_name.as_str()) == links_field)
        .map(|field| {
            let field = ident(&field.rust_name);
            quote! {
                #cfg
                impl ::payforge::wire::Links for #name {
                    fn links(&self) -> &[::payforge::wire::Link] {
                        ::payforge::wire::links_of(&self.#field)
                    }
                }
            }
        });
    let paged = ir.operations.values().any(|op| {
        op.output == TypeRef::Named(def.id.clone())
            && matches!(op.pagination, Some(Pagination::Pages | Pagination::Links))
    });
    let items_page = shape.items.filter(|_| paged).and_then(|items| {
        let TypeRef::List(item) = &items.ty else {
            return None;
        };
        let item = type_tokens(ir, item);
        let items = ident(&items.rust_name);
        let total_pages = ir
            .profile
            .operations
            .total_pages_field
            .as_deref()
            .and_then(|wire| s.fields.iter().find(|field| field.wire_name == wire))
            .map(|field| {
                let field = ident(&field.rust_name);
                quote! {
                    fn total_pages(&self) -> ::core::option::Option<u64> {
                        ::payforge::wire::page_count(&self.#field)
                    }
                }
            });
        let next_link = shape.links.then(|| {
            quote! {
                fn next_link(&self) -> ::core::option::Option<&str> {
                    ::payforge::wire::next_link(self)
                }
            }
        });
        Some(quote! {
            #cfg
            impl ::payforge::wire::ItemsPage for #name {
                type Item = #item;
                fn into_items(self) -> ::std::vec::Vec<#item> {
                    ::payforge::wire::page_items(self.#items)
                }
                #total_pages
                #next_link
            }
        })
    });
    quote! { #links #items_page }
}
