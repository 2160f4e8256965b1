//! The convention items of the provider marker's `impl payforge::Provider`: the auth
//! scheme, the key-mode rule, the test base URL and its placeholders, and the idempotency
//! limits. Each has a default in the runtime's trait, and the marker states only those
//! that differ from it, so a profile that keeps the defaults generates the items it always
//! did.

use proc_macro2::TokenStream;
use quote::quote;

use crate::spec::profile::{
    AuthRules, AuthScheme, EnvironmentRules, IdempotencyRules, KeyModeName, KeyRules,
};

/// The trait's default for `IDEMPOTENCY_KEY_MAX_LEN` (`IdempotencyKey::MAX_LEN`).
const RUNTIME_MAX_KEY_LENGTH: usize = 255;

/// The items of `impl payforge::Provider` that differ from the trait's defaults.
pub(super) fn convention_items(
    auth: &AuthRules,
    environments: &EnvironmentRules,
    keys: &KeyRules,
    idempotency: &IdempotencyRules,
) -> TokenStream {
    let mut items = TokenStream::new();
    items.extend(auth_item(&auth.scheme));
    if keys.mode == KeyModeName::Environment {
        items.extend(quote! {
            const KEY_MODE: ::payforge::KeyModeRule = ::payforge::KeyModeRule::Environment;
        });
    }
    if environments.test != environments.production {
        let test = &environments.test;
        items.extend(quote! { const TEST_BASE_URL: &'static str = #test; });
    }
    if !environments.variables.is_empty() {
        // `&[::payforge::BaseUrlVariable { name: "prefix", env: "ADYEN_LIVE_URL_PREFIX" }]`
        let variables = environments.variables.iter().map(|(name, env)| {
            quote! { ::payforge::BaseUrlVariable { name: #name, env: #env } }
        });
        items.extend(quote! {
            const BASE_URL_VARIABLES: &'static [::payforge::BaseUrlVariable] = &[#(#variables),*];
        });
    }
    if idempotency.max_key_length != RUNTIME_MAX_KEY_LENGTH {
        let max = idempotency.max_key_length;
        items.extend(quote! { const IDEMPOTENCY_KEY_MAX_LEN: usize = #max; });
    }
    if let Some(rule) = &idempotency.in_progress {
        let statuses = &rule.statuses;
        let pointer = match &rule.code_pointer {
            Some(pointer) => quote! { ::core::option::Option::Some(#pointer) },
            None => quote! { ::core::option::Option::None },
        };
        let codes = &rule.codes;
        // `Some(InProgressSignal { statuses: &[409, 422], code_pointer: Some("/errorCode"), codes: &["704"] })`
        items.extend(quote! {
            const IDEMPOTENCY_IN_PROGRESS: ::core::option::Option<::payforge::InProgressSignal> =
                ::core::option::Option::Some(::payforge::InProgressSignal {
                    statuses: &[#(#statuses),*],
                    code_pointer: #pointer,
                    codes: &[#(#codes),*],
                });
        });
    }
    items
}

/// `const AUTH: ::payforge::AuthScheme = …;` unless the scheme is the default bearer key.
fn auth_item(scheme: &AuthScheme) -> Option<TokenStream> {
    let value = match scheme {
        AuthScheme::Bearer => return None,
        AuthScheme::Basic => quote! { ::payforge::AuthScheme::Basic },
        AuthScheme::ApiKeyHeader { header } => {
            quote! { ::payforge::AuthScheme::ApiKeyHeader { header: #header } }
        }
        AuthScheme::OAuth2ClientCredentials { token_url } => {
            quote! { ::payforge::AuthScheme::OAuth2ClientCredentials { token_url: #token_url } }
        }
    };
    Some(quote! { const AUTH: ::payforge::AuthScheme = #value; })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items for the given sections, as one line of Rust.
    fn items(auth: &str, environments: &str, keys: &str, idempotency: &str) -> String {
        let parse = || -> Result<TokenStream, toml::de::Error> {
            Ok(convention_items(
                &toml::from_str(auth)?,
                &toml::from_str(environments)?,
                &toml::from_str(keys)?,
                &toml::from_str(idempotency)?,
            ))
        };
        match parse() {
            Ok(tokens) => tokens.to_string(),
            Err(error) => format!("bad case: {error}"),
        }
    }

    #[test]
    fn the_marker_states_only_what_differs_from_the_defaults() {
        let same_urls =
            "test = \"https://api.example.com\"\nproduction = \"https://api.example.com\"";
        let keyed = "header = \"Idempotency-Key\"\nretention_secs = 86400\nmethods = [\"POST\"]";
        let bearer = "scheme = \"bearer\"\nsecret_env = \"K\"";
        // (auth, environments, keys, idempotency, expected items)
        let cases = [
            (bearer, same_urls, "mode = \"prefix\"", keyed, String::new()),
            (
                "scheme = \"api_key_header\"\nheader = \"X-API-Key\"\nsecret_env = \"K\"",
                same_urls,
                "mode = \"environment\"",
                keyed,
                "const AUTH : :: payforge :: AuthScheme = :: payforge :: AuthScheme :: ApiKeyHeader { header : \"X-API-Key\" } ; \
                 const KEY_MODE : :: payforge :: KeyModeRule = :: payforge :: KeyModeRule :: Environment ;"
                    .to_owned(),
            ),
            (
                "scheme = \"basic\"\nsecret_env = \"K\"",
                "test = \"https://t.example.com\"\nproduction = \"https://{prefix}.example.com\"\nvariables = { prefix = \"P\" }",
                "",
                "header = \"Idempotency-Key\"\nretention_secs = 1\nmethods = []\nmax_key_length = 64\nin_progress = { statuses = [409, 422], code_pointer = \"/errorCode\", codes = [\"704\"] }",
                "const AUTH : :: payforge :: AuthScheme = :: payforge :: AuthScheme :: Basic ; \
                 const TEST_BASE_URL : & 'static str = \"https://t.example.com\" ; \
                 const BASE_URL_VARIABLES : & 'static [:: payforge :: BaseUrlVariable] = & [:: payforge :: BaseUrlVariable { name : \"prefix\" , env : \"P\" }] ; \
                 const IDEMPOTENCY_KEY_MAX_LEN : usize = 64usize ; \
                 const IDEMPOTENCY_IN_PROGRESS : :: core :: option :: Option < :: payforge :: InProgressSignal > = :: core :: option :: Option :: Some (:: payforge :: InProgressSignal { statuses : & [409u16 , 422u16] , code_pointer : :: core :: option :: Option :: Some (\"/errorCode\") , codes : & [\"704\"] , }) ;"
                    .to_owned(),
            ),
        ];
        for (auth, environments, keys, idempotency, expected) in cases {
            assert_eq!(
                items(auth, environments, keys, idempotency),
                expected,
                "{auth}"
            );
        }
    }
}
