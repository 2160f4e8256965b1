//! payforge's declaration macros (placeholder entry points until the macros work lands).
#![forbid(unsafe_code)]
use proc_macro::TokenStream;

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
