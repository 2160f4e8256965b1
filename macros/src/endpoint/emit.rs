//! Emits the implementations of a validated endpoint declaration.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Encoding, Endpoint, HeaderField, Method, Paginate, PathPiece};

/// The struct (markers replaced by `#[serde(skip)]`), `impl Endpoint`, and
/// `impl Paginated` when the operation pages.
pub(crate) fn emit(endpoint: &Endpoint) -> TokenStream {
    let item = &endpoint.item;
    let endpoint_impl = emit_endpoint_impl(endpoint);
    let paginated_impl = endpoint
        .paginate
        .as_ref()
        .map(|paginate| emit_paginated_impl(endpoint, paginate));
    let prefer_impl = endpoint.prefer.then(|| emit_prefer_impl(endpoint));
    quote! {
        #item
        #endpoint_impl
        #paginated_impl
        #prefer_impl
    }
}

fn emit_endpoint_impl(endpoint: &Endpoint) -> TokenStream {
    let ident = &endpoint.item.ident;
    let path = &endpoint.path;
    let idempotent = endpoint.idempotent;
    let method = match endpoint.method {
        Method::Get => quote!(GET),
        Method::Post => quote!(POST),
        Method::Delete => quote!(DELETE),
        Method::Put => quote!(PUT),
        Method::Patch => quote!(PATCH),
    };
    let (encoding, encode) = match endpoint.encoding {
        Encoding::Query => (
            quote!(Query),
            quote!(Query(::payforge::wire::form::to_string(self)?)),
        ),
        Encoding::Form => (
            quote!(Form),
            quote!(Form(::payforge::wire::form::to_string(self)?)),
        ),
        Encoding::Json => match &endpoint.body_field {
            Some(field) => (
                quote!(Json),
                quote!(Json(::payforge::__private::serde_json::to_vec(&self.#field)?)),
            ),
            None => (
                quote!(Json),
                quote!(Json(::payforge::__private::serde_json::to_vec(self)?)),
            ),
        },
        Encoding::Multipart => (
            quote!(Multipart),
            quote!(Multipart(::payforge::wire::form::to_parts(self)?)),
        ),
    };
    // `type Provider` and `type Output` are spanned at the written types, so a type that is
    // not a `Provider` or not `DeserializeOwned` is reported there.
    let provider = &endpoint.provider;
    let provider = quote_spanned!(provider.span()=> type Provider = #provider;);
    let output = &endpoint.output;
    let output = quote_spanned!(output.span()=> type Output = #output;);
    let path_body = emit_path_body(&endpoint.template);
    let retention = endpoint.retention_secs.map(|secs| {
        quote! { const IDEMPOTENCY_RETENTION_SECS: ::core::option::Option<u64> = ::core::option::Option::Some(#secs); }
    });
    let server = endpoint.server.as_ref().map(|server| {
        quote! { const SERVER: ::core::option::Option<&'static str> = ::core::option::Option::Some(#server); }
    });
    let headers = emit_headers(&endpoint.header_fields, endpoint.prefer);
    // `allow(deprecated)`: a deprecated operation stays usable; its own impls are no use of it.
    quote! {
        #[allow(deprecated)]
        impl ::payforge::Endpoint for #ident {
            #provider
            #output
            const METHOD: ::payforge::__private::http::Method = ::payforge::__private::http::Method::#method;
            const PATH_TEMPLATE: &'static str = #path;
            const IDEMPOTENT: bool = #idempotent;
            const ENCODING: ::payforge::BodyEncoding = ::payforge::BodyEncoding::#encoding;
            #server
            #retention
            fn path(&self) -> ::std::borrow::Cow<'static, str> {
                #path_body
            }
            fn encode(&self) -> ::core::result::Result<::payforge::RequestBody, ::payforge::EncodeError> {
                ::core::result::Result::Ok(::payforge::RequestBody::#encode)
            }
            #headers
        }
    }
}

/// `fn headers()` when the declaration has header fields: each field's value on the wire (its
/// `PathSegment` text, as for path parameters), an `Option` field only when set:
///
/// ```text
/// let mut headers = Vec::new();
/// headers.push(("X-Request-Origin", ::payforge::header_value(&self.x_request_origin)));
/// if let Some(value) = &self.x_trace { headers.push(("X-Trace", ::payforge::header_value(value))); }
/// headers
/// ```
///
/// With `prefer`, the `Prefer: return=representation` header comes last.
fn emit_headers(fields: &[HeaderField], prefer: bool) -> Option<TokenStream> {
    if fields.is_empty() && !prefer {
        return None;
    }
    let pushes = fields.iter().map(|field| {
        let ident = &field.ident;
        let name = &field.name;
        if is_option(&field.ty) {
            quote_spanned! {field.ty.span()=>
                if let ::core::option::Option::Some(value) = &self.#ident {
                    headers.push((#name, ::payforge::header_value(value)));
                }
            }
        } else {
            quote_spanned! {field.ty.span()=>
                headers.push((#name, ::payforge::header_value(&self.#ident)));
            }
        }
    });
    let prefer = prefer.then(|| {
        quote! {
            headers.push((
                ::payforge::wire::PREFER_HEADER,
                ::std::string::String::from(::payforge::wire::RETURN_REPRESENTATION),
            ));
        }
    });
    Some(quote! {
        fn headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
            let mut headers = ::std::vec::Vec::new();
            #(#pushes)*
            #prefer
            headers
        }
    })
}

/// Whether a field's type is written `Option<…>` (with any path).
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The body of `path()`. A template without placeholders is a borrowed constant; otherwise,
/// for `/v1/customers/{customer}/sources`:
///
/// ```text
/// let mut path = String::from("/v1/customers/");
/// path.push_str(&::payforge::encode_path_value(&self.customer));
/// path.push_str("/sources");
/// Cow::Owned(path)
/// ```
fn emit_path_body(template: &[PathPiece]) -> TokenStream {
    if let [PathPiece::Literal(literal)] = template {
        return quote!(::std::borrow::Cow::Borrowed(#literal));
    }
    let pushes = template.iter().map(|piece| match piece {
        PathPiece::Literal(literal) if literal.is_empty() => quote!(),
        PathPiece::Literal(literal) => quote!(path.push_str(#literal);),
        // Spanned at the field's type: a type that is no `PathSegment` is reported there.
        // The segment is the value on the wire (a `Sensitive` one exposed), never a
        // redacted display form.
        PathPiece::Field(ident, ty) => quote_spanned! {ty.span()=>
            path.push_str(&::payforge::encode_path_value(&self.#ident));
        },
    });
    quote! {
        let mut path = ::std::string::String::new();
        #(#pushes)*
        ::std::borrow::Cow::Owned(path)
    }
}

/// `impl Paginated`: the page split by the runtime's `CursorPage`/`SearchPage`/`ItemsPage`
/// (whose `on_unimplemented` message explains a wrong `output`), and the next page: this
/// request with its cursor (`starting_after`, `page`) or page number moved on, or the
/// page's `next` link.
fn emit_paginated_impl(endpoint: &Endpoint, paginate: &Paginate) -> TokenStream {
    let ident = &endpoint.item.ident;
    let output = &endpoint.output;
    let page_trait = match paginate {
        Paginate::Cursor { .. } => quote!(::payforge::wire::CursorPage),
        Paginate::Search { .. } => quote!(::payforge::wire::SearchPage),
        Paginate::Pages { .. } | Paginate::Links => quote!(::payforge::wire::ItemsPage),
    };
    let item = quote_spanned!(output.span()=> <#output as #page_trait>::Item);
    let body = match paginate {
        Paginate::Cursor { cursor_field } | Paginate::Search { cursor_field } => {
            let into_page =
                quote_spanned!(output.span()=> <#output as #page_trait>::into_page(output));
            let set_cursor = quote_spanned! {cursor_field.span()=>
                next.#cursor_field = ::core::option::Option::Some(cursor);
            };
            quote! {
                let (items, cursor) = #into_page;
                let next = cursor.map(|cursor| {
                    let mut next = ::core::clone::Clone::clone(self);
                    #set_cursor
                    ::payforge::wire::NextPage::Request(next)
                });
                (items, next)
            }
        }
        Paginate::Pages {
            page_field,
            page_size_field,
        } => {
            let page_size = match page_size_field {
                Some(field) => quote!(::payforge::wire::page_count(&self.#field)),
                None => quote!(::core::option::Option::None),
            };
            let set_page = quote_spanned! {page_field.span()=>
                next.#page_field = ::core::option::Option::Some(page);
            };
            let total =
                quote_spanned!(output.span()=> <#output as #page_trait>::total_pages(&output));
            let into_items =
                quote_spanned!(output.span()=> <#output as #page_trait>::into_items(output));
            quote! {
                let total_pages = #total;
                let items = #into_items;
                let next = ::payforge::wire::next_page_number(self.#page_field, #page_size, total_pages, items.len())
                    .map(|page| {
                        let mut next = ::core::clone::Clone::clone(self);
                        #set_page
                        ::payforge::wire::NextPage::Request(next)
                    });
                (items, next)
            }
        }
        Paginate::Links => {
            let next_link =
                quote_spanned!(output.span()=> <#output as #page_trait>::next_link(&output));
            let into_items =
                quote_spanned!(output.span()=> <#output as #page_trait>::into_items(output));
            quote! {
                let next = #next_link
                    .map(|href| ::payforge::wire::NextPage::Link(::std::borrow::ToOwned::to_owned(href)));
                (#into_items, next)
            }
        }
    };
    quote! {
        #[allow(deprecated)]
        impl ::payforge::wire::Paginated for #ident {
            type Item = #item;
            fn split_page(
                &self,
                output: Self::Output,
            ) -> (::std::vec::Vec<Self::Item>, ::core::option::Option<::payforge::wire::NextPage<Self>>) {
                #body
            }
        }
    }
}

/// `impl PreferReturn` and the inherent `minimal()` of an operation taking `Prefer`.
fn emit_prefer_impl(endpoint: &Endpoint) -> TokenStream {
    let ident = &endpoint.item.ident;
    quote! {
        #[allow(deprecated)]
        impl ::payforge::wire::PreferReturn for #ident {}
        #[allow(deprecated)]
        impl #ident {
            /// The same request asking for a minimal response (`Prefer: return=minimal`): the
            /// output is a `::payforge::wire::MinimalResponse` (id, status and links), not
            /// the full object.
            pub fn minimal(self) -> ::payforge::wire::Minimal<Self> {
                ::payforge::wire::Minimal(self)
            }
        }
    }
}
