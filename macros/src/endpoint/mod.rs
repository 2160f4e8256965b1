//! `#[endpoint(...)]` and `#[idempotent]`: an operation declaration becomes an
//! implementation of `payforge::Endpoint` (and `payforge::wire::Paginated`).
//!
//! Parsing (`attr.rs`, `ast.rs`) records what was written, `check.rs` holds one function per
//! rule and collects every error, `emit.rs` writes the impls. The grammar is in
//! `docs/generated-code.md`, "Operations".

mod ast;
mod attr;
mod check;
mod emit;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::Item;

use self::ast::{EndpointStruct, is_attribute};
use self::attr::EndpointArgs;
use crate::diagnostics::Diagnostics;

/// Expands `#[endpoint(args)] item`.
pub(crate) fn expand_endpoint(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    expand(args, item, None)
}

/// Expands `#[idempotent]` written above `#[endpoint(...)]`: the endpoint attribute is
/// taken off the item and expanded here with the flag set.
pub(crate) fn expand_idempotent(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !args.is_empty() {
        return Err(syn::Error::new_spanned(
            args,
            "`#[idempotent]` takes no arguments",
        ));
    }
    let mut item: Item = syn::parse2(item)?;
    let attrs = match &mut item {
        Item::Struct(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::Union(item) => &mut item.attrs,
        _ => {
            return Err(syn::Error::new(
                Span::call_site(),
                "`#[idempotent]` applies to an endpoint struct",
            ));
        }
    };
    let Some(position) = attrs.iter().position(|attr| is_attribute(attr, "endpoint")) else {
        return Err(syn::Error::new(
            Span::call_site(),
            "`#[idempotent]` marks an endpoint: write it together with `#[endpoint(...)]`",
        ));
    };
    let endpoint_attr = attrs.remove(position);
    let endpoint_args = endpoint_attr.meta.require_list()?.tokens.clone();
    let flag = quote_spanned!(Span::call_site()=> idempotent);
    expand(endpoint_args, item.into_token_stream(), Some(flag))
}

fn expand(
    args: TokenStream,
    item: TokenStream,
    idempotent_attribute: Option<TokenStream>,
) -> syn::Result<TokenStream> {
    let mut diagnostics = Diagnostics::default();
    let mut args = EndpointArgs::parse(args, &mut diagnostics)?;
    if let Some(attribute) = idempotent_attribute {
        if args.idempotent.is_some() {
            diagnostics.error_at(
                &attribute,
                "the endpoint is already marked by its `idempotent` flag",
            );
        } else {
            args.idempotent = Some(attribute);
        }
    }
    let item = EndpointStruct::parse(syn::parse2(item)?, &mut diagnostics);
    // On error the struct is still emitted (markers removed), so that code using it reports
    // only the declaration's mistakes, not a cascade of "cannot find type" errors.
    let declared = item.as_ref().map(|item| item.item.to_token_stream());
    let endpoint = item.and_then(|item| check::validate(args, item, &mut diagnostics));
    match (diagnostics.finish(), endpoint) {
        (Ok(()), Some(endpoint)) => Ok(emit::emit(&endpoint)),
        (Err(errors), _) => {
            let errors = errors.into_compile_error();
            Ok(quote::quote!(#errors #declared))
        }
        (Ok(()), None) => Err(syn::Error::new(
            Span::call_site(),
            "invalid endpoint declaration",
        )),
    }
}
