//! The rules of an endpoint declaration, one named function each. Every rule records its
//! errors and carries on, so a declaration with several mistakes reports them all.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Type};

use super::ast::{
    Encoding, Endpoint, EndpointStruct, HeaderField, Method, Paginate, PathField, PathPiece,
};
use super::attr::EndpointArgs;
use crate::diagnostics::Diagnostics;

/// Validates the arguments against the struct; `None` when an error was recorded.
pub(crate) fn validate(
    args: EndpointArgs,
    item: EndpointStruct,
    diagnostics: &mut Diagnostics,
) -> Option<Endpoint> {
    let idempotent = merge_idempotent(args.idempotent, item.idempotent_attribute, diagnostics);
    let provider = require(
        args.provider,
        "provider = <the provider marker type>",
        diagnostics,
    );
    let output = require(args.output, "output = <the response type>", diagnostics);
    let method = require(
        args.method,
        "method = GET | POST | DELETE | PUT | PATCH",
        diagnostics,
    )
    .and_then(|method| check_method(&method, diagnostics));
    let path = require(args.path, "path = \"/v1/…\"", diagnostics);
    let encoding = check_encoding(args.encoding.as_ref(), method, diagnostics);
    if let (Some(method), Some(flag)) = (method, &idempotent) {
        check_idempotent_method(method, flag, diagnostics);
    }
    let template = path
        .as_ref()
        .and_then(|path| check_path_template(path, &item.path_fields, diagnostics));
    check_path_fields_not_optional(&item.path_fields, diagnostics);
    let paginate = args
        .paginate
        .and_then(|style| check_paginate(&style, &item.field_names, diagnostics));
    let server = args
        .server
        .and_then(|server| check_server(&server, diagnostics));
    let retention_secs = args
        .retention_secs
        .and_then(|secs| check_retention(&secs, idempotent.is_some(), diagnostics));
    let body_field = check_body_field(&item.body_fields, &item.plain_fields, encoding, diagnostics);
    if args.prefer.is_some() {
        check_prefer(&item.header_fields, diagnostics);
    }
    Some(Endpoint {
        provider: provider?,
        method: method?,
        path: path?,
        template: template?,
        encoding: encoding?,
        output: output?,
        idempotent: idempotent.is_some(),
        paginate,
        server,
        retention_secs,
        header_fields: item.header_fields,
        body_field,
        prefer: args.prefer.is_some(),
        item: item.item,
    })
}

/// A required key that is missing is reported at the attribute.
fn require<T>(value: Option<T>, expected: &str, diagnostics: &mut Diagnostics) -> Option<T> {
    if value.is_none() {
        diagnostics.push(syn::Error::new(
            Span::call_site(),
            format!("missing `{expected}` in `#[endpoint(...)]`"),
        ));
    }
    value
}

/// `idempotent` may be the flag or an `#[idempotent]` attribute, not both.
fn merge_idempotent(
    flag: Option<TokenStream>,
    attribute: Option<TokenStream>,
    diagnostics: &mut Diagnostics,
) -> Option<TokenStream> {
    match (flag, attribute) {
        (Some(flag), Some(attribute)) => {
            diagnostics.error_at(
                &attribute,
                "the endpoint is already marked by its `idempotent` flag",
            );
            Some(flag)
        }
        (flag, attribute) => flag.or(attribute),
    }
}

fn check_method(method: &Ident, diagnostics: &mut Diagnostics) -> Option<Method> {
    let parsed = match method.to_string().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        _ => {
            diagnostics.error_at(
                method,
                format!("unknown method `{method}`; expected GET, POST, DELETE, PUT or PATCH"),
            );
            return None;
        }
    };
    Some(parsed)
}

/// The encoding, defaulted by method; a GET has no body to encode into.
fn check_encoding(
    encoding: Option<&Ident>,
    method: Option<Method>,
    diagnostics: &mut Diagnostics,
) -> Option<Encoding> {
    let Some(encoding) = encoding else {
        return match method? {
            Method::Get | Method::Delete => Some(Encoding::Query),
            Method::Post | Method::Put | Method::Patch => Some(Encoding::Form),
        };
    };
    let parsed = match encoding.to_string().as_str() {
        "query" => Encoding::Query,
        "form" => Encoding::Form,
        "json" => Encoding::Json,
        "multipart" => Encoding::Multipart,
        _ => {
            diagnostics.error_at(
                encoding,
                format!("unknown encoding `{encoding}`; expected query, form, json or multipart"),
            );
            return None;
        }
    };
    if method == Some(Method::Get) && parsed != Encoding::Query {
        diagnostics.error_at(
            encoding,
            format!(
                "a GET request has no body to carry `{encoding}` parameters; use `encoding = query`"
            ),
        );
    }
    Some(parsed)
}

/// Idempotency keys are for requests that create or change something; GET and DELETE
/// are idempotent by definition and never carry one.
fn check_idempotent_method(method: Method, flag: &TokenStream, diagnostics: &mut Diagnostics) {
    let name = match method {
        Method::Get => "GET",
        Method::Delete => "DELETE",
        Method::Post | Method::Put | Method::Patch => return,
    };
    diagnostics.error_at(
        flag,
        format!(
            "a {name} endpoint cannot be `idempotent`: idempotency keys are only sent with \
             requests that create or change something (POST, PUT, PATCH)"
        ),
    );
}

/// Splits the path into literals and `{name}` placeholders, each matched to exactly one
/// `#[endpoint(path)]` field, and every path field to a placeholder.
fn check_path_template(
    path: &LitStr,
    fields: &[PathField],
    diagnostics: &mut Diagnostics,
) -> Option<Vec<PathPiece>> {
    let template = path.value();
    if !template.starts_with('/') {
        diagnostics.error_at(path, "the path must start with `/`");
    }
    let Some(split) = split_template(&template) else {
        diagnostics.error_at(
            path,
            "a path placeholder is `{field_name}`, with balanced braces",
        );
        return None;
    };
    let mut pieces = Vec::with_capacity(split.len());
    let mut used: Vec<&str> = Vec::new();
    let mut complete = true;
    for piece in split {
        let name = match piece {
            TemplatePiece::Literal(literal) => {
                pieces.push(PathPiece::Literal(literal.to_owned()));
                continue;
            }
            TemplatePiece::Placeholder(name) => name,
        };
        let field = fields.iter().find(|field| field.ident.unraw() == name);
        if used.contains(&name) {
            diagnostics.error_at(path, format!("the placeholder `{{{name}}}` appears twice"));
            complete = false;
        } else if let Some(field) = field {
            pieces.push(PathPiece::Field(
                field.ident.clone(),
                Box::new(field.ty.clone()),
            ));
        } else {
            diagnostics.error_at(
                path,
                format!("the placeholder `{{{name}}}` has no field marked `#[endpoint(path)]`"),
            );
            complete = false;
        }
        used.push(name);
    }
    for field in fields
        .iter()
        .filter(|field| !used.iter().any(|name| field.ident.unraw() == name))
    {
        let name = field.ident.unraw();
        diagnostics.error_at(
            &field.ident,
            format!("`{name}` is marked `#[endpoint(path)]` but the path has no `{{{name}}}`"),
        );
        complete = false;
    }
    complete.then_some(pieces)
}

/// A piece of a path template as written.
enum TemplatePiece<'t> {
    Literal(&'t str),
    Placeholder(&'t str),
}

/// `/v1/customers/{customer}/sources` -> literal, placeholder, literal; `None` when a brace
/// is unbalanced or a placeholder is not an identifier.
fn split_template(template: &str) -> Option<Vec<TemplatePiece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        let (literal, tail) = rest.split_at(open);
        let inner = tail.strip_prefix('{')?;
        let close = inner.find('}')?;
        let name = &inner[..close];
        if !is_identifier(name) {
            return None;
        }
        pieces.push(TemplatePiece::Literal(literal));
        pieces.push(TemplatePiece::Placeholder(name));
        rest = &inner[close + 1..];
    }
    pieces.push(TemplatePiece::Literal(rest));
    Some(pieces)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|rest| rest == '_' || rest.is_ascii_alphanumeric())
}

/// A path segment is always sent, so a path parameter cannot be optional.
fn check_path_fields_not_optional(fields: &[PathField], diagnostics: &mut Diagnostics) {
    for field in fields {
        if last_segment_is(&field.ty, "Option") {
            diagnostics.error_at(
                &field.ty,
                format!("the path parameter `{}` cannot be an `Option`: every path segment must be sent", field.ident),
            );
        }
    }
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|last| last.ident == name))
}

/// `paginate = cursor | search | pages | links`, and the request field the cursor or page
/// number is written into.
fn check_paginate(
    style: &Ident,
    fields: &[Ident],
    diagnostics: &mut Diagnostics,
) -> Option<Paginate> {
    let find = |name: &str| fields.iter().find(|field| *field == name).cloned();
    let (field_name, field_type) = match style.to_string().as_str() {
        "links" => return Some(Paginate::Links),
        "cursor" => ("starting_after", "Option<String>"),
        "search" => ("page", "Option<String>"),
        "pages" => ("page", "Option<i64>"),
        _ => {
            diagnostics.error_at(
                style,
                format!(
                    "unknown pagination `{style}`; expected `cursor`, `search`, `pages` or `links`"
                ),
            );
            return None;
        }
    };
    let Some(field) = find(field_name) else {
        diagnostics.error_at(
            style,
            format!(
                "`paginate = {style}` needs a field `{field_name}: {field_type}` to carry the {}",
                if style == "pages" {
                    "page number"
                } else {
                    "cursor"
                }
            ),
        );
        return None;
    };
    Some(match style.to_string().as_str() {
        "cursor" => Paginate::Cursor {
            cursor_field: field,
        },
        "search" => Paginate::Search {
            cursor_field: field,
        },
        _ => Paginate::Pages {
            page_field: field,
            page_size_field: find("page_size"),
        },
    })
}

/// `prefer` sends the `Prefer` header itself, so a header field of that name would send it
/// twice.
fn check_prefer(headers: &[HeaderField], diagnostics: &mut Diagnostics) {
    for field in headers {
        if field.name.value().eq_ignore_ascii_case("prefer") {
            diagnostics.error_at(
                &field.name,
                format!(
                    "`prefer` sends the `Prefer` header (`return=representation`, or `return=minimal` through `.minimal()`); remove the header field `{}`",
                    field.ident
                ),
            );
        }
    }
}

/// `server = "https://files.stripe.com/"`: an absolute `http(s)` URL with a host (the base
/// the path is appended to), kept without its trailing slash.
fn check_server(server: &LitStr, diagnostics: &mut Diagnostics) -> Option<String> {
    let url = server.value();
    let trimmed = url.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Some(trimmed.to_owned())
        }
        _ => {
            diagnostics.error_at(
                server,
                "`server` is an absolute http(s) URL, for example \"https://files.example.com\"",
            );
            None
        }
    }
}

/// `#[endpoint(body)]`: one field at most, with `encoding = json`, and then no field without
/// a marker (it would be sent nowhere). Returns the body field.
fn check_body_field(
    body_fields: &[(Ident, super::attr::kw::body)],
    plain_fields: &[Ident],
    encoding: Option<Encoding>,
    diagnostics: &mut Diagnostics,
) -> Option<Ident> {
    let ((first, marker), rest) = body_fields.split_first()?;
    for (_, marker) in rest {
        diagnostics.error_at(
            marker,
            "only one field can be the whole body (`#[endpoint(body)]`)",
        );
    }
    if encoding.is_some_and(|encoding| encoding != Encoding::Json) {
        diagnostics.error_at(
            marker,
            "`#[endpoint(body)]` needs `encoding = json`: only a JSON body can be a whole value",
        );
    }
    for plain in plain_fields {
        diagnostics.error_at(
            plain,
            "a field without a marker would be sent nowhere beside an `#[endpoint(body)]` field: \
             mark it `#[endpoint(path)]` or `#[endpoint(header = \"Name\")]`",
        );
    }
    Some(first.clone())
}

/// `retention_secs = N`: a positive number of seconds, on an idempotent endpoint only (it is
/// how long its idempotency key is kept).
fn check_retention(
    secs: &syn::LitInt,
    idempotent: bool,
    diagnostics: &mut Diagnostics,
) -> Option<u64> {
    let value = match secs.base10_parse::<u64>() {
        Ok(0) | Err(_) => {
            diagnostics.error_at(secs, "`retention_secs` is a positive number of seconds");
            return None;
        }
        Ok(value) => value,
    };
    if !idempotent {
        diagnostics.error_at(
            secs,
            "`retention_secs` is how long an idempotency key is kept: add `idempotent`",
        );
        return None;
    }
    Some(value)
}
