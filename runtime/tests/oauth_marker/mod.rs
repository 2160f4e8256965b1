//! The OAuth2 provider marker the runtime's OAuth2 suites share (`client_oauth.rs`,
//! `webhook_paypal_api.rs`): client credentials at `/v1/oauth2/token`, as PayPal's, declared
//! by hand so the suites depend on the runtime alone.

use payforge::{ApiError, AuthScheme, ErrorClass, KeyModeRule, Provider};
use serde::Deserialize;

/// The provider marker: OAuth2 client credentials at `/v1/oauth2/token`.
#[derive(Clone, Copy, Debug)]
pub struct Orders;

impl Provider for Orders {
    const NAME: &'static str = "oauth-test";
    const API_VERSION: &'static str = "2";
    const API_VERSION_HEADER: Option<&'static str> = None;
    const IDEMPOTENCY_HEADER: &'static str = "Request-Id";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 21_600;
    const REQUEST_ID_HEADER: &'static str = "Debug-Id";
    const SHOULD_RETRY_HEADER: Option<&'static str> = None;
    const LIVE_BASE_URL: &'static str = "https://api.example.invalid";
    const SECRET_KEY_ENV: &'static str = "PAYFORGE_TEST_OAUTH_CLIENT_CREDENTIALS";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &[];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &[];
    type Error = ApiFailure;
    const AUTH: AuthScheme = AuthScheme::OAuth2ClientCredentials {
        token_url: "/v1/oauth2/token",
    };
    const KEY_MODE: KeyModeRule = KeyModeRule::Environment;
}

/// The API's error body.
#[derive(Debug, Clone, PartialEq, Deserialize, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ApiFailure {
    name: String,
    message: String,
}

impl ApiError for ApiFailure {
    fn from_response(_status: http::StatusCode, body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }

    fn class(&self) -> ErrorClass {
        match self.name.as_str() {
            "AUTHENTICATION_FAILURE" => ErrorClass::Authentication,
            _ => ErrorClass::Unknown,
        }
    }
}
