//! Our model of an endpoint declaration: the struct, its path fields, and the validated
//! arguments.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, Fields, Ident, Item, ItemStruct, LitStr, Type};

use super::attr::{FieldMarker, parse_field_marker};
use crate::diagnostics::Diagnostics;

/// The HTTP method.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
    Put,
    Patch,
}

/// How parameters travel (`payforge::BodyEncoding`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Query,
    Form,
    Json,
    Multipart,
}

/// The pagination style and the request field carrying the cursor.
pub(crate) enum Paginate {
    /// `starting_after` = the last item's id; output `List<T>`.
    Cursor { cursor_field: Ident },
    /// `page` = `next_page`; output `SearchList<T>`.
    Search { cursor_field: Ident },
    /// `page` = the page number after this one, while `total_pages` says there is one;
    /// output an `ItemsPage`. `page_size` is read when the request has it.
    Pages {
        page_field: Ident,
        page_size_field: Option<Ident>,
    },
    /// The page's `next` link, followed by the client; output an `ItemsPage`.
    Links,
}

/// A field marked `#[endpoint(path)]`.
pub(crate) struct PathField {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
}

/// One piece of the path template.
pub(crate) enum PathPiece {
    Literal(String),
    /// A `{name}` placeholder, resolved to its field.
    Field(Ident, Box<Type>),
}

/// A field marked `#[endpoint(header = "Name")]`.
pub(crate) struct HeaderField {
    pub(crate) ident: Ident,
    pub(crate) name: LitStr,
    pub(crate) ty: Type,
}

/// The annotated struct, with `#[endpoint(path)]` and `#[endpoint(header = …)]` markers
/// replaced by `#[serde(skip)]`.
pub(crate) struct EndpointStruct {
    pub(crate) item: ItemStruct,
    pub(crate) path_fields: Vec<PathField>,
    pub(crate) header_fields: Vec<HeaderField>,
    /// Fields marked `#[endpoint(body)]`, each with its marker for error spans.
    pub(crate) body_fields: Vec<(Ident, super::attr::kw::body)>,
    /// Fields with no marker: the body's (or the query's) members.
    pub(crate) plain_fields: Vec<Ident>,
    /// Every named field, for the pagination cursor check.
    pub(crate) field_names: Vec<Ident>,
    /// An `#[idempotent]` attribute written *below* `#[endpoint]`, for error spans.
    pub(crate) idempotent_attribute: Option<TokenStream>,
}

/// A fully validated declaration, ready to emit.
pub(crate) struct Endpoint {
    pub(crate) provider: Type,
    pub(crate) method: Method,
    pub(crate) path: LitStr,
    pub(crate) template: Vec<PathPiece>,
    pub(crate) encoding: Encoding,
    pub(crate) output: Type,
    pub(crate) idempotent: bool,
    pub(crate) paginate: Option<Paginate>,
    /// The operation's own server (`server = "https://files.stripe.com"`), without a
    /// trailing slash.
    pub(crate) server: Option<String>,
    /// How long the provider keeps this operation's idempotency key, when not the
    /// provider's (`retention_secs = 21600`).
    pub(crate) retention_secs: Option<u64>,
    /// Fields sent as request headers.
    pub(crate) header_fields: Vec<HeaderField>,
    /// The field that is the whole JSON body, if one is (`#[endpoint(body)]`).
    pub(crate) body_field: Option<Ident>,
    /// Whether the operation takes `Prefer: return=…` (the `prefer` flag).
    pub(crate) prefer: bool,
    pub(crate) item: ItemStruct,
}

/// Whether an attribute is `#[name]` or `#[some::path::name]`.
pub(crate) fn is_attribute(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == name)
}

impl EndpointStruct {
    /// Reads the annotated item; `None` (with errors recorded) when it is not a struct
    /// we can declare an endpoint on.
    pub(crate) fn parse(item: Item, diagnostics: &mut Diagnostics) -> Option<Self> {
        let mut item = match item {
            Item::Struct(item) => item,
            Item::Enum(item) => return refuse(&item.enum_token, diagnostics),
            Item::Union(item) => return refuse(&item.union_token, diagnostics),
            other => return refuse(&other, diagnostics),
        };
        if !item.generics.params.is_empty() {
            diagnostics.error_at(
                &item.generics,
                "an endpoint declaration cannot be generic: its path, method and output are fixed",
            );
        }
        if let Fields::Unnamed(fields) = &item.fields {
            diagnostics.error_at(
                fields,
                "an endpoint's parameters are named fields: use `struct Name { … }`, or a unit struct for none",
            );
        }
        let idempotent_attribute = take_idempotent_attribute(&mut item.attrs, diagnostics);
        let mut path_fields = Vec::new();
        let mut header_fields = Vec::new();
        let mut body_fields = Vec::new();
        let mut plain_fields = Vec::new();
        let mut field_names = Vec::new();
        for field in item.fields.iter_mut() {
            let Some(ident) = field.ident.clone() else {
                continue;
            };
            field_names.push(ident.clone());
            match take_marker(&mut field.attrs, diagnostics) {
                Some(FieldMarker::Path) => path_fields.push(PathField {
                    ident,
                    ty: field.ty.clone(),
                }),
                Some(FieldMarker::Header(name)) => header_fields.push(HeaderField {
                    ident,
                    name,
                    ty: field.ty.clone(),
                }),
                Some(FieldMarker::Body(marker)) => {
                    body_fields.push((ident, marker));
                    continue;
                }
                None => {
                    plain_fields.push(ident);
                    continue;
                }
            }
            field.attrs.push(syn::parse_quote!(#[serde(skip)]));
        }
        Some(EndpointStruct {
            item,
            path_fields,
            header_fields,
            body_fields,
            plain_fields,
            field_names,
            idempotent_attribute,
        })
    }
}

fn refuse<T>(tokens: &impl ToTokens, diagnostics: &mut Diagnostics) -> Option<T> {
    diagnostics.error_at(
        tokens,
        "`#[endpoint]` applies to a struct whose fields are the operation's parameters",
    );
    None
}

/// Removes every `#[endpoint(...)]` marker of a field; returns the one it had.
fn take_marker(attrs: &mut Vec<Attribute>, diagnostics: &mut Diagnostics) -> Option<FieldMarker> {
    let mut marker = None;
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !is_attribute(&attr, "endpoint") {
            kept.push(attr);
            continue;
        }
        match attr.parse_args_with(parse_field_marker) {
            Ok(_) if marker.is_some() => {
                diagnostics.error_at(&attr, "duplicate `#[endpoint(...)]` field marker")
            }
            Ok(parsed) => marker = Some(parsed),
            Err(error) => diagnostics.push(error),
        }
    }
    *attrs = kept;
    marker
}

/// Removes an `#[idempotent]` written below `#[endpoint]` (which therefore expands first).
fn take_idempotent_attribute(
    attrs: &mut Vec<Attribute>,
    diagnostics: &mut Diagnostics,
) -> Option<TokenStream> {
    let position = attrs
        .iter()
        .position(|attr| is_attribute(attr, "idempotent"))?;
    let attr = attrs.remove(position);
    if let Err(error) = attr.meta.require_path_only() {
        diagnostics.push(syn::Error::new(
            error.span(),
            "`#[idempotent]` takes no arguments",
        ));
    }
    Some(attr.to_token_stream())
}
