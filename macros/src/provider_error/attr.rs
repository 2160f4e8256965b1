//! The `#[provider_error(...)]` attributes, parsed with custom keywords.
//!
//! One grammar serves the enum, its variants and its fields; where each key is allowed is
//! checked by the form (`catalogue.rs`, `envelope.rs`) that reads it.

use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token};

use crate::diagnostics::Diagnostics;

mod kw {
    syn::custom_keyword!(code);
    syn::custom_keyword!(class);
    syn::custom_keyword!(user_message);
    syn::custom_keyword!(envelope);
    syn::custom_keyword!(tag);
    syn::custom_keyword!(unknown);
    syn::custom_keyword!(classify);
    syn::custom_keyword!(rename);
    syn::custom_keyword!(rest);
}

/// One key of `#[provider_error(...)]`.
pub(crate) enum Key {
    Code(LitStr),
    Class(Ident),
    UserMessage(LitStr),
    Envelope(LitStr),
    Tag(LitStr),
    Unknown,
    Classify,
    Rename(LitStr),
    Rest,
}

/// A key with the span of its name, for errors.
pub(crate) struct Spanned {
    pub(crate) key: Key,
    pub(crate) span: Span,
    pub(crate) name: &'static str,
}

impl Parse for Spanned {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        macro_rules! keys {
            (values [$($value_kw:ident => $value_variant:ident,)*] flags [$($flag_kw:ident => $flag_variant:ident,)*]) => {
                $(if lookahead.peek(kw::$value_kw) {
                    let key = input.parse::<kw::$value_kw>()?;
                    input.parse::<Token![=]>()?;
                    return Ok(Spanned { key: Key::$value_variant(input.parse()?), span: key.span, name: stringify!($value_kw) });
                })*
                $(if lookahead.peek(kw::$flag_kw) {
                    let key = input.parse::<kw::$flag_kw>()?;
                    return Ok(Spanned { key: Key::$flag_variant, span: key.span, name: stringify!($flag_kw) });
                })*
            };
        }
        keys! {
            values [
                code => Code, class => Class, user_message => UserMessage,
                envelope => Envelope, tag => Tag, rename => Rename,
            ]
            flags [unknown => Unknown, classify => Classify, rest => Rest,]
        }
        Err(lookahead.error())
    }
}

/// Every key of every `#[provider_error(...)]` among `attrs`, duplicates reported.
pub(crate) fn parse_keys(attrs: &[Attribute], diagnostics: &mut Diagnostics) -> Vec<Spanned> {
    let mut keys: Vec<Spanned> = Vec::new();
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident("provider_error"))
    {
        let parsed = attr.parse_args_with(Punctuated::<Spanned, Token![,]>::parse_terminated);
        for key in diagnostics.capture(parsed).into_iter().flatten() {
            if keys.iter().any(|seen| seen.name == key.name) {
                diagnostics.push(syn::Error::new(
                    key.span,
                    format!("duplicate key `{}`", key.name),
                ));
            } else {
                keys.push(key);
            }
        }
    }
    keys
}

/// Reports a key written where it has no meaning.
pub(crate) fn misplaced(key: &Spanned, place: &str, diagnostics: &mut Diagnostics) {
    diagnostics.push(syn::Error::new(
        key.span,
        format!("`{}` is not allowed on {place}", key.name),
    ));
}

/// The `ErrorClass` variant a snake-case class name stands for.
pub(crate) fn error_class(
    class: &Ident,
    diagnostics: &mut Diagnostics,
) -> Option<proc_macro2::TokenStream> {
    let variant = match class.to_string().as_str() {
        "card_decline" => quote!(CardDecline),
        "invalid_request" => quote!(InvalidRequest),
        "idempotency" => quote!(Idempotency),
        "authentication" => quote!(Authentication),
        "rate_limited" => quote!(RateLimited),
        "conflict" => quote!(Conflict),
        "provider_fault" => quote!(ProviderFault),
        "unknown" => quote!(Unknown),
        _ => {
            diagnostics.error_at(
                class,
                format!(
                    "unknown class `{class}`; expected card_decline, invalid_request, idempotency, \
                     authentication, rate_limited, conflict, provider_fault or unknown"
                ),
            );
            return None;
        }
    };
    Some(quote!(::payforge::ErrorClass::#variant))
}
