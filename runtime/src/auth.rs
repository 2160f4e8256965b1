//! [`AuthScheme`]: how the secret key travels on the wire, a convention the provider
//! profile picks (`[auth] scheme`) and the provider marker declares as
//! [`Provider::AUTH`](crate::Provider::AUTH).
//!
//! [`credential_header`] is pure: it turns a scheme and a key into the one header a request
//! carries, so every scheme is pinned by a table test. Under OAuth2 client credentials the
//! secret (`client_id:client_secret`) is exchanged at a token endpoint for an access token
//! that the client's token cache keeps until shortly before it expires (see
//! [`crate::oauth`]); the credential a request carries is then that token, as a bearer
//! header.

use base64::Engine as _;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::error::ConfigError;
use crate::secrets::SecretKey;

/// How the secret key goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in a header of its own, for example `X-API-Key: <key>`.
    ApiKeyHeader {
        /// The header's name.
        header: &'static str,
    },
    /// HTTP Basic. A secret of the form `user:password` is split at its first `:`; a
    /// secret without one is the user name with an empty password (a key as user name).
    Basic,
    /// OAuth2 client credentials: the secret (`client_id:client_secret`) is exchanged at
    /// `token_url` for an access token, cached until shortly before it expires, and sent as
    /// a bearer header ([`crate::oauth`]).
    OAuth2ClientCredentials {
        /// The token endpoint, relative to the environment's base URL (`/v1/oauth2/token`).
        token_url: &'static str,
    },
}

impl AuthScheme {
    /// The scheme's name as the provider profile writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::ApiKeyHeader { .. } => "api_key_header",
            Self::Basic => "basic",
            Self::OAuth2ClientCredentials { .. } => "oauth2_client_credentials",
        }
    }

    /// Whether the client can send requests with this scheme; checked when it is built.
    /// A token endpoint must be a path of the environment's base URL (`/v1/oauth2/token`).
    pub fn check_supported(self) -> Result<(), ConfigError> {
        match self {
            Self::OAuth2ClientCredentials { token_url } if !token_url.starts_with('/') => {
                Err(ConfigError::InvalidTokenUrl { token_url })
            }
            Self::OAuth2ClientCredentials { .. }
            | Self::Bearer
            | Self::ApiKeyHeader { .. }
            | Self::Basic => Ok(()),
        }
    }
}

/// The credential could not be put into a header.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The header name the provider declares is not a valid header name.
    #[error("the auth header name {0:?} is not a valid header name")]
    HeaderName(&'static str),
    /// The key holds a byte a header value cannot carry.
    #[error("the secret key cannot be sent in a header")]
    HeaderValue,
}

/// The header that carries `key` under `scheme`, its value marked sensitive so that
/// neither reqwest nor a logging layer prints it. Under
/// [`AuthScheme::OAuth2ClientCredentials`], `key` is the access token the token cache
/// obtained, never the client's credential pair.
pub fn credential_header(
    scheme: AuthScheme,
    key: &SecretKey,
) -> Result<(HeaderName, HeaderValue), AuthError> {
    let secret = key.expose_secret();
    let (name, value) = match scheme {
        AuthScheme::Bearer | AuthScheme::OAuth2ClientCredentials { .. } => {
            (AUTHORIZATION, format!("Bearer {secret}"))
        }
        AuthScheme::ApiKeyHeader { header } => (
            HeaderName::from_bytes(header.as_bytes()).map_err(|_| AuthError::HeaderName(header))?,
            secret.to_owned(),
        ),
        AuthScheme::Basic => {
            let pair = if secret.contains(':') {
                secret.to_owned()
            } else {
                format!("{secret}:")
            };
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            (AUTHORIZATION, format!("Basic {encoded}"))
        }
    };
    let mut value = HeaderValue::from_str(&value).map_err(|_| AuthError::HeaderValue)?;
    value.set_sensitive(true);
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(scheme: AuthScheme, key: &str) -> Result<(String, String), String> {
        let key = SecretKey::insecure_from_literal(key).map_err(|e| e.to_string())?;
        let (name, value) = credential_header(scheme, &key).map_err(|e| e.to_string())?;
        let value = value.to_str().map_err(|e| e.to_string())?.to_owned();
        Ok((name.as_str().to_owned(), value))
    }

    #[test]
    fn each_scheme_puts_the_key_in_its_header() {
        let api_key = AuthScheme::ApiKeyHeader {
            header: "X-API-Key",
        };
        // (scheme, key, header name, header value)
        let cases = [
            (
                AuthScheme::Bearer,
                "sk_test_1",
                "authorization",
                "Bearer sk_test_1",
            ),
            (api_key, "AQE1hmfx", "x-api-key", "AQE1hmfx"),
            // `sk_test_1:` in base64: the key as user name, no password.
            (
                AuthScheme::Basic,
                "sk_test_1",
                "authorization",
                "Basic c2tfdGVzdF8xOg==",
            ),
            // An access token from the token endpoint.
            (
                AuthScheme::OAuth2ClientCredentials {
                    token_url: "/v1/oauth2/token",
                },
                "A21AAtoken",
                "authorization",
                "Bearer A21AAtoken",
            ),
            // `ws@Company.Shop:p4ss` in base64: user and password.
            (
                AuthScheme::Basic,
                "ws@Company.Shop:p4ss",
                "authorization",
                "Basic d3NAQ29tcGFueS5TaG9wOnA0c3M=",
            ),
        ];
        for (scheme, key, name, value) in cases {
            assert_eq!(
                header_of(scheme, key),
                Ok((name.to_owned(), value.to_owned())),
                "{scheme:?}"
            );
        }
    }

    #[test]
    fn schemes_that_cannot_send_say_why() {
        let scheme = AuthScheme::ApiKeyHeader { header: "X API" };
        assert_eq!(
            header_of(scheme, "k"),
            Err("the auth header name \"X API\" is not a valid header name".to_owned())
        );
    }

    #[test]
    fn the_credential_is_marked_sensitive() -> Result<(), Box<dyn std::error::Error>> {
        let key = SecretKey::insecure_from_literal("AQE1hmfx")?;
        let (_, value) = credential_header(AuthScheme::Basic, &key)?;
        assert!(value.is_sensitive());
        Ok(())
    }

    #[test]
    fn only_a_token_url_outside_the_base_url_is_refused_at_build_time() {
        let supported = [
            AuthScheme::Bearer,
            AuthScheme::ApiKeyHeader {
                header: "X-API-Key",
            },
            AuthScheme::Basic,
            AuthScheme::OAuth2ClientCredentials {
                token_url: "/v1/oauth2/token",
            },
        ];
        assert!(supported.iter().all(|s| s.check_supported().is_ok()));
        let oauth = AuthScheme::OAuth2ClientCredentials {
            token_url: "https://elsewhere.example/token",
        };
        assert!(matches!(
            oauth.check_supported(),
            Err(ConfigError::InvalidTokenUrl {
                token_url: "https://elsewhere.example/token"
            })
        ));
    }
}
