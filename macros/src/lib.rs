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
mod endpoint;
#[cfg(test)]
mod expansion_tests;
mod provider_error;
mod string_enum;
mod webhook_event;

/// Declares a provider operation: implements `payforge::Endpoint` (and
/// `payforge::wire::Paginated` with `paginate`) for a struct of its parameters.
///
/// ```text
/// #[payforge::endpoint(
///     provider = crate::Stripe,
///     method = POST,
///     path = "/v1/payment_intents/{intent}/confirm",
///     encoding = form,
///     output = crate::PaymentIntent,
///     idempotent,
/// )]
/// #[derive(Clone, Debug, serde::Serialize)]
/// pub struct ConfirmPaymentIntent {
///     #[endpoint(path)]
///     pub intent: String,
///     #[serde(skip_serializing_if = "Option::is_none")]
///     pub return_url: Option<String>,
/// }
/// ```
/// Write it above the derives. Keys: `provider`, `method` (GET, POST, DELETE, PUT, PATCH),
/// `path`, `output` (required); `encoding` (query, form, json, multipart; default query
/// for GET and DELETE, form otherwise), `idempotent`, `paginate` (cursor, search),
/// `server`, `retention_secs` (with `idempotent`: how long the provider keeps this
/// operation's key, when not the provider's). Field markers: `#[endpoint(path)]`,
/// `#[endpoint(header = "Name")]`, and `#[endpoint(body)]` for a field that is the whole
/// JSON body (an array such as a JSON Patch). The rules are in `docs/generated-code.md`.
#[proc_macro_attribute]
pub fn endpoint(attr: TokenStream, item: TokenStream) -> TokenStream {
    endpoint::expand_endpoint(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Marks an endpoint as creating or changing something, so every request carries an
/// idempotency key: the same as `#[endpoint(..., idempotent)]`. A GET or DELETE endpoint
/// cannot be idempotent.
#[proc_macro_attribute]
pub fn idempotent(attr: TokenStream, item: TokenStream) -> TokenStream {
    endpoint::expand_idempotent(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives a provider's error catalogue or error object.
///
/// The *catalogue* form (an enum of unit variants plus `Unknown(String)`) implements
/// `payforge::ErrorCatalogue`, serde as the code, `Display` and `Default`:
///
/// ```text
/// #[derive(Clone, Debug, PartialEq, Eq, Hash, payforge::ProviderError)]
/// pub enum DeclineCode {
///     #[provider_error(code = "insufficient_funds", class = card_decline,
///                      user_message = "Your card has insufficient funds.")]
///     InsufficientFunds,
///     Unknown(String),
/// }
/// ```
///
/// The *envelope* form (`#[provider_error(envelope = "error", tag = "type")]`, or
/// `top_level` for an error object that is the body itself, on the enum; one struct variant
/// per error type, and at most one refusal variant for a decline reported in a success
/// response) implements `payforge::ApiError`, `Display` and `std::error::Error`. The grammar is in `docs/generated-code.md`, "Errors".
#[proc_macro_derive(ProviderError, attributes(provider_error))]
pub fn provider_error(item: TokenStream) -> TokenStream {
    provider_error::expand_provider_error(item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `payforge::webhook::EventPayload` for an enum of event types, each variant
/// carrying its typed `data.object`:
///
/// ```text
/// #[derive(Clone, Debug, PartialEq, payforge::WebhookEvent)]
/// pub enum EventObject {
///     #[event("payment_intent.succeeded")]
///     PaymentIntentSucceeded(PaymentIntent),
///     /// An event type this SDK version does not know: the raw `data.object`.
///     #[event(unknown)]
///     Unknown { event_type: String, object: serde_json::Value },
/// }
/// ```
#[proc_macro_derive(WebhookEvent, attributes(event))]
pub fn webhook_event(item: TokenStream) -> TokenStream {
    webhook_event::expand_webhook_event(item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives the wire form of an enum of strings with an `Unknown(String)` fallback:
/// `Serialize`/`Deserialize` as the string, `Display`, `FromStr` (infallible), an inherent
/// `as_str()` and `payforge::wire::StringEnum`.
///
/// ```text
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
