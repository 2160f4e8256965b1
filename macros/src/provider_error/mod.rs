//! `#[derive(ProviderError)]`: a provider's error catalogue (codes with classes) or its
//! error object (the envelope form), chosen by whether the enum carries
//! `#[provider_error(envelope = …)]`. The grammar is in `docs/generated-code.md`, "Errors".

mod attr;
mod catalogue;
mod envelope;
mod envelope_emit;

use proc_macro2::TokenStream;
use syn::DeriveInput;

/// Expands `#[derive(ProviderError)]`.
pub(crate) fn expand_provider_error(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let is_envelope = input
        .attrs
        .iter()
        .any(|attr| attr.path().is_ident("provider_error"));
    if is_envelope {
        envelope::expand_envelope(&input)
    } else {
        catalogue::expand_catalogue(&input)
    }
}
