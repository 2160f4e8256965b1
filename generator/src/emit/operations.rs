//! Operations -> `#[endpoint]` declarations (docs/generated-code.md, "Operations").

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::params::{ParamMember, params_impl};
use super::types::{cfg_attr, field_doc, ident, type_tokens};
use crate::ir::{Encoding, Ir, Operation, Pagination, ParamLocation};

/// Declares one operation: its doc, `#[endpoint(...)]`, params struct and builders.
pub fn declare(ir: &Ir, op: &Operation) -> TokenStream {
    let cfg = cfg_attr(&BTreeSet::from([op.group.clone()]));
    let provider = ident(&ir.profile.provider.marker);
    let method = ident(&op.method);
    let path = macro_path(op);
    let encoding = ident(match op.encoding {
        Encoding::Query => "query",
        Encoding::Form => "form",
        Encoding::Multipart => "multipart",
        Encoding::Json => "json",
    });
    let output = type_tokens(ir, &op.output);
    let idempotent = op.idempotent.then(|| quote! { , idempotent });
    let retention = op
        .retention_secs
        .map(proc_macro2::Literal::u64_unsuffixed)
        .map(|secs| quote! { , retention_secs = #secs });
    let prefer = op.prefer.then(|| quote! { , prefer });
    let paginate = op.pagination.map(|p| {
        let kind = ident(match p {
            Pagination::Cursor => "cursor",
            Pagination::Search => "search",
            Pagination::Pages => "pages",
            Pagination::Links => "links",
        });
        quote! { , paginate = #kind }
    });
    let server = op
        .server
        .as_ref()
        .map(|server| quote! { , server = #server });
    let doc = super::docs::doc_attrs(Some(&operation_doc(op)));
    let deprecated = op
        .deprecated
        .then(|| quote! { #[deprecated = "The provider marks this operation as deprecated."] });
    // #[::payforge::endpoint(provider = crate::Stripe, method = POST, path = "...", ...)]
    let attrs = quote! {
        #cfg
        #doc
        #deprecated
        #[::payforge::endpoint(
            provider = crate::#provider,
            method = #method,
            path = #path,
            encoding = #encoding,
            output = #output
            #idempotent
            #retention
            #paginate
            #server
            #prefer
        )]
    };
    let members: Vec<ParamMember> = op
        .params
        .iter()
        .map(|p| ParamMember {
            rust_name: p.rust_name.clone(),
            wire_name: p.wire_name.clone(),
            ty: p.ty.clone(),
            required: p.required,
            boxed: false,
            path: p.location == ParamLocation::Path,
            header: p.location == ParamLocation::Header,
            whole_body: p.location == ParamLocation::WholeBody,
            doc: field_doc(p.doc.as_deref(), &p.wire_name, &p.ty),
        })
        .collect();
    params_impl(ir, &op.name, &cfg, attrs, &members)
}

/// The path template as `#[endpoint]` reads it: each placeholder named after its field
/// (`/paymentLinks/{linkId}` -> `/paymentLinks/{link_id}`), since the macro matches
/// placeholders to fields by name.
fn macro_path(op: &Operation) -> String {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Path && p.rust_name != p.wire_name)
        .fold(op.path.clone(), |path, p| {
            path.replace(
                &format!("{{{}}}", p.wire_name),
                &format!("{{{}}}", p.rust_name),
            )
        })
}

/// The summary and description, then the method and path.
fn operation_doc(op: &Operation) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(summary) = op
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        parts.push(summary.to_owned());
    }
    if let Some(description) = op
        .description
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        && parts.first().map(String::as_str) != Some(description)
    {
        parts.push(description.to_owned());
    }
    match &op.server {
        Some(server) => parts.push(format!("`{} {}` on `{server}`", op.method, op.path)),
        None => parts.push(format!("`{} {}`", op.method, op.path)),
    }
    parts.join("\n\n")
}
