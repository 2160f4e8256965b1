//! The provider marker the macro tests declare against.
//!
//! [`Shop`] is a small provider marker for declarations in tests (the run-time tests of the
//! macros and the trybuild UI cases), so each case declares only what it is about.

use payforge::{ApiError, ErrorClass};

/// A provider marker for test declarations, as the generator emits one per provider.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shop;

/// The error type of [`Shop`]: every error body decodes into it.
#[derive(Debug, PartialEq, Eq)]
pub struct ShopError {
    /// The HTTP status the error came with.
    pub status: u16,
}

impl std::fmt::Display for ShopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "shop error (HTTP {})", self.status)
    }
}

impl std::error::Error for ShopError {}

impl ApiError for ShopError {
    fn from_response(status: http::StatusCode, _body: &[u8]) -> Option<Self> {
        Some(ShopError {
            status: status.as_u16(),
        })
    }

    fn class(&self) -> ErrorClass {
        ErrorClass::Unknown
    }
}

impl payforge::Provider for Shop {
    const NAME: &'static str = "shop";
    const API_VERSION: &'static str = "2024-01-01";
    const API_VERSION_HEADER: Option<&'static str> = None;
    const IDEMPOTENCY_HEADER: &'static str = "Idempotency-Key";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 86_400;
    const REQUEST_ID_HEADER: &'static str = "Request-Id";
    const SHOULD_RETRY_HEADER: Option<&'static str> = None;
    const LIVE_BASE_URL: &'static str = "https://shop.invalid";
    const SECRET_KEY_ENV: &'static str = "SHOP_SECRET_KEY";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &["sk_test_"];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &["sk_live_"];
    type Error = ShopError;
}
