//! The contract between a declared endpoint and the runtime.
//!
//! Generated SDK code and hand-written declarations produce request types annotated with
//! `#[payforge::endpoint(...)]`; the macro implements [`Endpoint`] for them. The client
//! (`payforge::client`) only ever talks to this trait, so behaviour (keys, idempotency,
//! retries, error classification) lives in one place.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::auth::AuthScheme;
pub use crate::base_url::BaseUrlVariable;
use crate::error::EnvironmentKind;
pub use crate::retry::InProgressSignal;
pub use crate::secrets::KeyModeRule;

/// A payment provider: the static facts an SDK crate declares once about its provider.
///
/// The values come from the provider profile (`specs/<provider>/provider.toml`) and are
/// emitted by the generator into the SDK crate as one `impl Provider for <Marker>`.
pub trait Provider: Send + Sync + 'static {
    /// Short lowercase name, for example `"stripe"`; used in journal keys and logs.
    const NAME: &'static str;
    /// The provider API version the SDK was generated for, sent where the provider takes one.
    const API_VERSION: &'static str;
    /// The header that carries the API version (`Stripe-Version`), if the provider has one.
    const API_VERSION_HEADER: Option<&'static str>;
    /// The header that carries the idempotency key (`Idempotency-Key`).
    const IDEMPOTENCY_HEADER: &'static str;
    /// How long the provider remembers an idempotency key, in seconds (Stripe: 24 h).
    const IDEMPOTENCY_RETENTION_SECS: u64;
    /// The response header carrying the provider's request id (`Request-Id`).
    const REQUEST_ID_HEADER: &'static str;
    /// The response header carrying the provider's explicit retry advice
    /// (`Stripe-Should-Retry`), if it has one.
    const SHOULD_RETRY_HEADER: Option<&'static str>;
    /// The base URL of the live API.
    const LIVE_BASE_URL: &'static str;
    /// The environment variable the secret key is read from by default (`STRIPE_SECRET_KEY`).
    const SECRET_KEY_ENV: &'static str;
    /// Key prefixes that identify a test-mode key (`sk_test_`, `rk_test_`).
    const TEST_KEY_PREFIXES: &'static [&'static str];
    /// Key prefixes that identify a live key (`sk_live_`, `rk_live_`).
    const LIVE_KEY_PREFIXES: &'static [&'static str];
    /// The provider's API error type (decoded from error responses).
    type Error: ApiError;

    // The items below have defaults, and a generated marker states only those that differ
    // (docs/generated-code.md, "The provider marker").

    /// How the secret key goes on the wire (default: `Authorization: Bearer <key>`).
    const AUTH: AuthScheme = AuthScheme::Bearer;
    /// How a key's mode (test or live) is decided (default: by its prefix).
    const KEY_MODE: KeyModeRule = KeyModeRule::Prefix;
    /// The base URL of the provider's test mode (default: [`Self::LIVE_BASE_URL`], for a
    /// provider whose keys select the mode). May hold `{placeholders}`.
    const TEST_BASE_URL: &'static str = Self::LIVE_BASE_URL;
    /// The `{placeholders}` the base URLs use, each with the environment variable that may
    /// hold its value (default: none).
    const BASE_URL_VARIABLES: &'static [BaseUrlVariable] = &[];
    /// The longest idempotency key the provider accepts, in characters (default: 255).
    const IDEMPOTENCY_KEY_MAX_LEN: usize = crate::journal::IdempotencyKey::MAX_LEN;
    /// How the provider says a request with the same idempotency key is still in progress,
    /// which is retried with the same key (default: it has no such answer).
    const IDEMPOTENCY_IN_PROGRESS: Option<InProgressSignal> = None;

    /// The base URL template of `environment`'s API: [`Self::TEST_BASE_URL`] in test mode,
    /// [`Self::LIVE_BASE_URL`] in production; `None` for the local sandbox, whose URL the
    /// client is given. The client fills its placeholders
    /// ([`crate::base_url::fill_base_url`]).
    fn base_url(environment: EnvironmentKind) -> Option<&'static str> {
        match environment {
            EnvironmentKind::Sandbox => None,
            EnvironmentKind::TestMode => Some(Self::TEST_BASE_URL),
            EnvironmentKind::Production => Some(Self::LIVE_BASE_URL),
        }
    }
}

/// How a request's parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// No body; every parameter goes into the query string (GET, DELETE).
    Query,
    /// `application/x-www-form-urlencoded`, in the provider's bracket style.
    Form,
    /// `application/json`.
    Json,
    /// `multipart/form-data` (file uploads).
    Multipart,
}

/// The encoded parameters of a request, ready for the transport.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestBody {
    /// No body; the string (possibly empty) is the query string without the leading `?`.
    Query(String),
    /// A form-encoded body.
    Form(String),
    /// A JSON body.
    Json(Vec<u8>),
    /// A multipart body: its parts in order.
    Multipart(Vec<MultipartPart>),
}

/// One part of a multipart body.
#[derive(Clone, PartialEq)]
pub struct MultipartPart {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The content type, for file parts.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for MultipartPart {
    // File contents can be large or sensitive (identity documents): print their size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartPart")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.data.len())
            .finish()
    }
}

/// A request's parameters could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The value has a shape the encoding cannot express (for example a map key that is
    /// not a string).
    #[error("cannot encode parameter `{path}`: {reason}")]
    Unsupported {
        /// The bracket path of the offending parameter, for example `items[0][price]`.
        path: String,
        /// Why it cannot be encoded.
        reason: String,
    },
    /// JSON encoding failed.
    #[error("cannot encode JSON body: {0}")]
    Json(#[from] serde_json::Error),
    /// A required parameter has nothing to send: an object with no field set (or an empty
    /// list or map), which the form encoding cannot express, so the provider would see the
    /// parameter missing and refuse the request. Nothing was sent.
    #[error("the required parameter `{path}` has no value to send: set at least one of its fields")]
    EmptyRequired {
        /// The bracket path of the parameter, for example `components`.
        path: String,
    },
}

/// A declared provider operation: one HTTP method and path, its parameters (the
/// implementing struct's fields), its output and its provider.
///
/// Implemented by `#[payforge::endpoint]`; write the attribute, not the impl.
pub trait Endpoint: Serialize + Send + Sync {
    /// The provider this operation belongs to.
    type Provider: Provider;
    /// The decoded success response.
    type Output: DeserializeOwned + Send + 'static;
    /// The HTTP method.
    const METHOD: http::Method;
    /// The path template as declared, for example `/v1/payment_intents/{intent}`; used in
    /// logs and metrics, where the concrete path could leak identifiers.
    const PATH_TEMPLATE: &'static str;
    /// Whether the operation creates or changes something and so must carry an idempotency
    /// key (`#[idempotent]`). Never true for GET or DELETE.
    const IDEMPOTENT: bool;
    /// How parameters are encoded.
    const ENCODING: BodyEncoding;
    /// The server this operation is sent to in production when it is not the provider's
    /// [`Provider::LIVE_BASE_URL`] (the spec's operation- or path-level `servers`, such as
    /// Stripe's `https://files.stripe.com` for file uploads), without a trailing slash.
    /// A client built with a base URL override (a sandbox, a proxy) sends it there too.
    const SERVER: Option<&'static str> = None;
    /// How long the provider keeps this operation's idempotency key, in seconds, when its
    /// API keeps keys for a time of its own (PayPal: Orders 6 h, Payments 45 days,
    /// Subscriptions 72 h; `#[endpoint(..., retention_secs = N)]`); `None` for the
    /// provider's [`Provider::IDEMPOTENCY_RETENTION_SECS`]. An unresolved call older than
    /// this is not re-sent ([`crate::Error::ReconciliationRequired`]).
    const IDEMPOTENCY_RETENTION_SECS: Option<u64> = None;
    /// The concrete path, path parameters substituted and percent-encoded.
    fn path(&self) -> Cow<'static, str>;
    /// The encoded parameters (every field except path and header parameters).
    fn encode(&self) -> Result<RequestBody, EncodeError>;
    /// The operation's own request headers (header parameters of the spec; never the
    /// idempotency header, which the runtime sends), as name and value on the wire.
    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// The text of a header parameter's value on the wire: its [`PathSegment`] text (a
/// `Sensitive` value exposed), unencoded.
pub fn header_value<T: PathSegment + ?Sized>(value: &T) -> String {
    value.path_segment().into_owned()
}

/// A value that can fill a `{placeholder}` of a path: its text *on the wire*, before
/// percent-encoding.
///
/// Every `Display` type is one (ids, numbers, string enums), by its `Display`.
/// [`Sensitive`](crate::Sensitive) values are one by their exposed inner value: their
/// redacted form is for logs and `Debug` only, never for the wire, so `Sensitive` has no
/// `Display` to be confused with this.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a path placeholder",
    label = "a path parameter's type implements `Display` (or is a `Sensitive` of such a type)"
)]
pub trait PathSegment {
    /// The segment's text, unencoded.
    fn path_segment(&self) -> Cow<'_, str>;
}

impl<T: std::fmt::Display + ?Sized> PathSegment for T {
    fn path_segment(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl<T: PathSegment> PathSegment for crate::Sensitive<T> {
    fn path_segment(&self) -> Cow<'_, str> {
        self.expose().path_segment()
    }
}

/// The percent-encoded path segment of a path parameter: what `#[endpoint]` writes for
/// each `{placeholder}`.
pub fn encode_path_value<T: PathSegment + ?Sized>(value: &T) -> String {
    encode_path_segment(&value.path_segment())
}

/// Percent-encodes one path segment (an id), so `a/b` cannot escape its segment.
pub fn encode_path_segment(segment: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// How the runtime should treat a provider error, as classified by the error catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// A card was declined or failed a check: never retried, shown to the customer.
    CardDecline,
    /// The request was invalid: never retried; a bug or bad input.
    InvalidRequest,
    /// The idempotency key was misused: never retried; a bug.
    Idempotency,
    /// Authentication or permission failed: never retried; a configuration problem.
    Authentication,
    /// Too many requests: retry later with backoff.
    RateLimited,
    /// A conflict such as a lock on the object: safe to retry with the same key.
    Conflict,
    /// A problem on the provider's side: safe to retry with the same key.
    ProviderFault,
    /// Not known to the catalogue: not retried unless the provider says so.
    Unknown,
}

impl ErrorClass {
    /// Whether retrying the same request (with the same idempotency key) is safe and useful.
    pub fn is_retry_safe(self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Conflict | Self::ProviderFault
        )
    }
}

/// A provider's structured API error, decoded from an error response (or from a success
/// response that reports a refusal).
///
/// Implemented by `#[derive(ProviderError)]` in its envelope form; write the derive.
pub trait ApiError: std::error::Error + Send + Sync + Sized + 'static {
    /// Decodes the error from the response status and body. `None` when the body is not
    /// the provider's error shape (the caller keeps the raw body as a decode failure).
    fn from_response(status: http::StatusCode, body: &[u8]) -> Option<Self>;
    /// How to treat this error.
    fn class(&self) -> ErrorClass;
    /// Decodes a refusal reported in a *success* response: a provider that answers a
    /// declined payment with HTTP 200 and a result field (`"resultCode": "Refused"`). The
    /// client calls it on every 2xx body before decoding the output, so a refusal is an
    /// error the caller must handle, as an HTTP decline is. `None` (the default) for a body
    /// that reports no refusal.
    fn from_refusal(status: http::StatusCode, body: &[u8]) -> Option<Self> {
        let _ = (status, body);
        None
    }
    /// The provider-neutral view of a declined payment, `None` when this error is no
    /// decline. The same shape for every provider: see [`crate::decline`].
    fn decline(&self) -> Option<crate::Decline> {
        None
    }
    /// The provider's reference of the request or payment carried in the error body
    /// (Adyen's `pspReference`), when the error has one; the response header's request id
    /// is [`crate::Error::request_id`].
    fn reference(&self) -> Option<&str> {
        None
    }
}
