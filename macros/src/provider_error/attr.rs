//! The `#[provider_error(...)]` attributes, parsed with custom keywords.
//!
//! One grammar serves the enum, its variants and its fields; where each key is allowed is
//! checked by the form (`catalogue.rs`, `envelope.rs`) that reads it.

use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token, bracketed};

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
    syn::custom_keyword!(top_level);
    syn::custom_keyword!(category);
    syn::custom_keyword!(decline);
    syn::custom_keyword!(message);
    syn::custom_keyword!(reference);
    syn::custom_keyword!(result);
    syn::custom_keyword!(refused);
    syn::custom_keyword!(at);
    syn::custom_keyword!(statuses);
    syn::custom_keyword!(detail_code);
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
    /// The error object is the body itself (no wrapper key).
    TopLevel,
    /// A code's provider-neutral decline category.
    Category(Ident),
    /// A field holding a decline code.
    Decline,
    /// The field holding the message.
    Message,
    /// The field holding the provider's reference of the request or payment.
    Reference,
    /// The success-body field whose value tells a refusal (`resultCode`).
    ResultField(LitStr),
    /// The values of that field that mean "refused".
    Refused(Vec<LitStr>),
    /// JSON pointers of the success body's objects that may report a refusal.
    At(Vec<LitStr>),
    /// The success statuses a refusal comes with.
    Statuses(Vec<syn::LitInt>),
    /// A list field whose items hold the error's code in the named field, of the named
    /// catalogue type: `detail_code(issue: Issue)`.
    DetailCode(Ident, Box<syn::Type>),
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
        if lookahead.peek(kw::refused) || lookahead.peek(kw::at) {
            let (span, name) = if lookahead.peek(kw::at) {
                (input.parse::<kw::at>()?.span, "at")
            } else {
                (input.parse::<kw::refused>()?.span, "refused")
            };
            input.parse::<Token![=]>()?;
            let content;
            bracketed!(content in input);
            let values = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            let values = values.into_iter().collect();
            let key = if name == "at" {
                Key::At(values)
            } else {
                Key::Refused(values)
            };
            return Ok(Spanned { key, span, name });
        }
        if lookahead.peek(kw::statuses) {
            let key = input.parse::<kw::statuses>()?;
            input.parse::<Token![=]>()?;
            let content;
            bracketed!(content in input);
            let values = Punctuated::<syn::LitInt, Token![,]>::parse_terminated(&content)?;
            return Ok(Spanned {
                key: Key::Statuses(values.into_iter().collect()),
                span: key.span,
                name: "statuses",
            });
        }
        if lookahead.peek(kw::detail_code) {
            let key = input.parse::<kw::detail_code>()?;
            let content;
            syn::parenthesized!(content in input);
            let field: Ident = content.parse()?;
            content.parse::<Token![:]>()?;
            let ty: Box<syn::Type> = content.parse()?;
            return Ok(Spanned {
                key: Key::DetailCode(field, ty),
                span: key.span,
                name: "detail_code",
            });
        }
        keys! {
            values [
                code => Code, class => Class, user_message => UserMessage,
                envelope => Envelope, tag => Tag, rename => Rename,
                category => Category, result => ResultField,
            ]
            flags [
                unknown => Unknown, classify => Classify, rest => Rest, top_level => TopLevel,
                decline => Decline, message => Message, reference => Reference,
            ]
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

/// The provider-neutral decline categories (`payforge::DeclineCategory`), by their
/// snake-case names in `errors.yaml`.
const DECLINE_CATEGORIES: &[(&str, &str)] = &[
    ("insufficient_funds", "InsufficientFunds"),
    ("expired_card", "ExpiredCard"),
    ("incorrect_cvc", "IncorrectCvc"),
    ("incorrect_number", "IncorrectNumber"),
    ("incorrect_expiry", "IncorrectExpiry"),
    ("incorrect_pin", "IncorrectPin"),
    ("incorrect_address", "IncorrectAddress"),
    ("lost_or_stolen", "LostOrStolen"),
    ("fraud_suspected", "FraudSuspected"),
    ("generic", "Generic"),
    ("try_again_later", "TryAgainLater"),
    ("authentication_required", "AuthenticationRequired"),
    ("processing_error", "ProcessingError"),
    ("card_not_supported", "CardNotSupported"),
    ("restricted_card", "RestrictedCard"),
    ("limit_exceeded", "LimitExceeded"),
    ("invalid_amount", "InvalidAmount"),
    ("invalid_account", "InvalidAccount"),
    ("do_not_retry", "DoNotRetry"),
    ("duplicate_transaction", "DuplicateTransaction"),
    ("cancelled", "Cancelled"),
];

/// The `DeclineCategory` variant a snake-case category name stands for. The fallback
/// `unknown` is not accepted: it is what an unmapped code gets, never a mapping.
pub(crate) fn decline_category(
    category: &Ident,
    diagnostics: &mut Diagnostics,
) -> Option<proc_macro2::TokenStream> {
    let name = category.to_string();
    match DECLINE_CATEGORIES.iter().find(|(snake, _)| *snake == name) {
        Some((_, variant)) => {
            let variant = Ident::new(variant, category.span());
            Some(quote!(::payforge::DeclineCategory::#variant))
        }
        None => {
            let expected: Vec<&str> = DECLINE_CATEGORIES.iter().map(|(snake, _)| *snake).collect();
            diagnostics.error_at(
                category,
                format!(
                    "unknown decline category `{category}`; expected one of {}",
                    expected.join(", ")
                ),
            );
            None
        }
    }
}
