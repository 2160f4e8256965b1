//! The arguments of `#[endpoint(...)]`, parsed with custom keywords into our own AST.
//!
//! Parsing only records what was written (with spans); whether it makes sense is decided
//! by `check.rs`, so that every mistake is reported in one compile.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitInt, LitStr, Token, Type};

use crate::diagnostics::Diagnostics;

pub(crate) mod kw {
    syn::custom_keyword!(provider);
    syn::custom_keyword!(method);
    syn::custom_keyword!(path);
    syn::custom_keyword!(encoding);
    syn::custom_keyword!(output);
    syn::custom_keyword!(idempotent);
    syn::custom_keyword!(paginate);
    syn::custom_keyword!(server);
    syn::custom_keyword!(header);
    syn::custom_keyword!(body);
    syn::custom_keyword!(retention_secs);
    syn::custom_keyword!(prefer);
}

/// One `key = value` (or flag) of the attribute.
enum Arg {
    Provider(kw::provider, Type),
    Method(kw::method, Ident),
    Path(kw::path, LitStr),
    Encoding(kw::encoding, Ident),
    Output(kw::output, Type),
    Idempotent(kw::idempotent),
    /// `prefer`: the operation takes `Prefer: return=…`.
    Prefer(kw::prefer),
    Paginate(kw::paginate, Ident),
    Server(kw::server, LitStr),
    RetentionSecs(kw::retention_secs, LitInt),
    /// A key we do not know; its value is skipped so the other keys are still checked.
    Unknown(Ident),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        macro_rules! key_value {
            ($($keyword:ident => $variant:ident,)*) => {
                $(if lookahead.peek(kw::$keyword) {
                    let key = input.parse::<kw::$keyword>()?;
                    input.parse::<Token![=]>()?;
                    return Ok(Arg::$variant(key, input.parse()?));
                })*
            };
        }
        key_value! {
            provider => Provider,
            method => Method,
            path => Path,
            encoding => Encoding,
            output => Output,
            paginate => Paginate,
            server => Server,
            retention_secs => RetentionSecs,
        }
        if lookahead.peek(kw::idempotent) {
            return Ok(Arg::Idempotent(input.parse()?));
        }
        if lookahead.peek(kw::prefer) {
            return Ok(Arg::Prefer(input.parse()?));
        }
        if input.peek(Ident) {
            let key: Ident = input.parse()?;
            skip_value(input)?;
            return Ok(Arg::Unknown(key));
        }
        Err(lookahead.error())
    }
}

/// Skips `= value` up to the next top-level comma (groups are single token trees).
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            match &tree {
                TokenTree::Punct(punct) if punct.as_char() == ',' => return Ok(((), rest)),
                _ => rest = next,
            }
        }
        Ok(((), rest))
    })
}

/// Every argument of one `#[endpoint(...)]`, as written.
#[derive(Default)]
pub(crate) struct EndpointArgs {
    pub(crate) provider: Option<Type>,
    pub(crate) method: Option<Ident>,
    pub(crate) path: Option<LitStr>,
    pub(crate) encoding: Option<Ident>,
    pub(crate) output: Option<Type>,
    /// Where `idempotent` was written: the flag, or an `#[idempotent]` attribute.
    pub(crate) idempotent: Option<TokenStream>,
    pub(crate) paginate: Option<Ident>,
    pub(crate) server: Option<LitStr>,
    pub(crate) retention_secs: Option<LitInt>,
    /// Where the `prefer` flag was written.
    pub(crate) prefer: Option<TokenStream>,
}

impl EndpointArgs {
    /// Parses the arguments, recording unknown and duplicate keys in `diagnostics`.
    pub(crate) fn parse(tokens: TokenStream, diagnostics: &mut Diagnostics) -> syn::Result<Self> {
        let args = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<Arg, Token![,]>::parse_terminated,
            tokens,
        )?;
        let mut parsed = EndpointArgs::default();
        for arg in args {
            parsed.record(arg, diagnostics);
        }
        Ok(parsed)
    }

    fn record(&mut self, arg: Arg, diagnostics: &mut Diagnostics) {
        // Records a key's value, or a duplicate-key error at the second occurrence.
        fn set<T>(
            slot: &mut Option<T>,
            value: T,
            key: impl ToTokens,
            diagnostics: &mut Diagnostics,
        ) {
            if slot.is_some() {
                let name = key.to_token_stream().to_string();
                diagnostics.error_at(&key, format!("duplicate key `{name}`"));
            } else {
                *slot = Some(value);
            }
        }
        match arg {
            Arg::Provider(key, value) => set(&mut self.provider, value, key, diagnostics),
            Arg::Method(key, value) => set(&mut self.method, value, key, diagnostics),
            Arg::Path(key, value) => set(&mut self.path, value, key, diagnostics),
            Arg::Encoding(key, value) => set(&mut self.encoding, value, key, diagnostics),
            Arg::Output(key, value) => set(&mut self.output, value, key, diagnostics),
            Arg::Paginate(key, value) => set(&mut self.paginate, value, key, diagnostics),
            Arg::Server(key, value) => set(&mut self.server, value, key, diagnostics),
            Arg::RetentionSecs(key, value) => {
                set(&mut self.retention_secs, value, key, diagnostics)
            }
            Arg::Idempotent(key) => set(
                &mut self.idempotent,
                key.to_token_stream(),
                key,
                diagnostics,
            ),
            Arg::Prefer(key) => set(&mut self.prefer, key.to_token_stream(), key, diagnostics),
            Arg::Unknown(key) => diagnostics.error_at(
                &key,
                format!(
                    "unknown key `{key}`; expected one of `provider`, `method`, `path`, \
                     `encoding`, `output`, `idempotent`, `paginate`, `server`, `retention_secs`, `prefer`"
                ),
            ),
        }
    }
}

/// A field's marker: `#[endpoint(path)]`, `#[endpoint(header = "Name")]` or
/// `#[endpoint(body)]`.
pub(crate) enum FieldMarker {
    /// Substituted into the path.
    Path,
    /// Sent as this request header.
    Header(LitStr),
    /// The whole JSON body (a body that is not an object: a JSON Patch array).
    Body(kw::body),
}

/// Parses a field's `#[endpoint(path)]` or `#[endpoint(header = "Name")]`.
pub(crate) fn parse_field_marker(input: ParseStream<'_>) -> syn::Result<FieldMarker> {
    let marker = if input.peek(kw::header) {
        input.parse::<kw::header>()?;
        input.parse::<Token![=]>()?;
        FieldMarker::Header(input.parse()?)
    } else if input.peek(kw::body) {
        FieldMarker::Body(input.parse()?)
    } else {
        input.parse::<kw::path>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected `path`, `header = \"Name\"` or `body`: the field markers are \
                 `#[endpoint(path)]`, `#[endpoint(header = \"Name\")]` and `#[endpoint(body)]`",
            )
        })?;
        FieldMarker::Path
    };
    if !input.is_empty() {
        return Err(input.error("expected only one marker in a field's `#[endpoint(...)]`"));
    }
    Ok(marker)
}
