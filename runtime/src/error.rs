//! The error of a client call, [`Error`], and of building a client, [`ConfigError`].
//!
//! [`Error`] separates what a caller must treat differently: the provider said no
//! ([`Error::Api`], typed), the request never left ([`Error::Connect`], safe to retry), it
//! may have been acted on ([`Error::OutcomeUnknown`], resolve with the same key), and the
//! local failures (configuration, journal, encoding) that stop a request before it leaves.

use std::fmt;

use http::StatusCode;

use crate::journal::{IdempotencyKey, JournalError, LogicalKey};
use crate::secrets::{KeyMode, SecretError};
use crate::{ApiError, EncodeError};

/// The most bytes of an undecodable body kept in [`Error::Decode`].
pub const KEPT_BODY_BYTES: usize = 4096;

/// Why a client call failed. `E` is the provider's typed API error.
#[derive(Debug, thiserror::Error)]
pub enum Error<E> {
    /// The provider answered with an error it described: a decline, a validation error, a
    /// rate limit that outlasted the retry budget, … A refusal that the provider reports in
    /// a success response (Adyen's `resultCode: Refused`) is one too, with that 2xx
    /// `status`; [`Error::decline`] reads any decline the same way. [`Error::status`] and
    /// [`Error::request_id`] read the response's facts without naming the provider's error.
    #[error("the provider refused the request (HTTP {status}): {error}")]
    Api {
        /// The provider's typed error.
        error: E,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The provider's id of the request (`Provider::REQUEST_ID_HEADER`), to quote to its
        /// support; `None` when the response carried none, or was replayed from the
        /// journal (which keeps status and body only).
        request_id: Option<String>,
    },
    /// The connection could not be established on any attempt: the request never left, so
    /// sending it again is safe.
    #[error("cannot connect to the provider after {attempts} attempt(s): {message}")]
    Connect {
        /// Attempts made.
        attempts: u32,
        /// The last connection error.
        message: String,
    },
    /// A read (or DELETE) got no complete response in time on any attempt.
    #[error("no response from the provider after {attempts} attempt(s): {message}")]
    Timeout {
        /// Attempts made.
        attempts: u32,
        /// The last transport error.
        message: String,
    },
    /// A state-changing request may have reached the provider, but no answer came back
    /// before retries ran out. Resolve it by sending the same operation again under the same
    /// logical key (the journal keeps `idempotency_key`) within the provider's retention.
    #[error(
        "the outcome of the request is unknown after {attempts} attempt(s) (idempotency key {}): {message}",
        idempotency_key.as_ref().map_or("none", IdempotencyKey::as_str)
    )]
    OutcomeUnknown {
        /// The key the request was sent with; `None` only for a state-changing operation
        /// not declared idempotent, whose outcome must be reconciled by looking it up.
        idempotency_key: Option<IdempotencyKey>,
        /// The logical key in the journal, when there is one.
        logical_key: Option<LogicalKey>,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        message: String,
    },
    /// The response could not be decoded (a success body not matching the output type, or
    /// an error body not in the provider's error shape).
    #[error("cannot decode the provider's response (HTTP {status}): {reason}")]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The provider's id of the request, as for [`Error::Api`].
        request_id: Option<String>,
        /// Why decoding failed.
        reason: String,
        /// The start of the raw body (at most [`KEPT_BODY_BYTES`]), for debugging. It is
        /// the provider's response, which never echoes card numbers back.
        body: String,
    },
    /// The client is misconfigured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The idempotency journal failed; the request was not sent.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The logical key was already used for a different request. Nothing was sent: a
    /// second, different charge under one name is a bug, not a retry.
    #[error(
        "the logical key `{logical_key}` was already used for a different request \
         (idempotency key {idempotency_key}); nothing was sent"
    )]
    IdempotencyConflict {
        /// The reused key.
        logical_key: LogicalKey,
        /// The key of the earlier request.
        idempotency_key: IdempotencyKey,
    },
    /// The logical key's call is unresolved and older than the provider's key retention:
    /// a retry could act twice, so it is not sent. Reconcile it by looking the object up.
    #[error(
        "the call `{logical_key}` (idempotency key {idempotency_key}) is unresolved and older \
         than the provider's key retention; reconcile it instead of retrying"
    )]
    ReconciliationRequired {
        /// The logical key.
        logical_key: LogicalKey,
        /// Its idempotency key.
        idempotency_key: IdempotencyKey,
    },
    /// The parameters could not be encoded; nothing was sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// No OAuth2 access token could be obtained (the token endpoint refused the
    /// credentials, answered nonsense or could not be reached); the API call was not sent.
    #[error(transparent)]
    Token(#[from] crate::oauth::TokenError),
    /// A page's `next` link points outside the API the operation is sent to (another
    /// scheme, host, port or base path), or is no URL: it is not followed, since the request
    /// would carry the credentials there. Nothing was sent.
    #[error("refusing to follow a page link outside the API ({reason})")]
    ForeignLink {
        /// Why: the link's origin, or what is wrong with it (never its query).
        reason: String,
    },
}

impl<E: ApiError> Error<E> {
    /// Whether sending the same operation again (under the same logical key, for idempotent
    /// operations) is safe and may succeed.
    pub fn is_retry_safe(&self) -> bool {
        match self {
            Self::Api { error, .. } => error.class().is_retry_safe(),
            Self::Connect { .. } | Self::Timeout { .. } | Self::Journal(_) => true,
            Self::Token(error) => !matches!(
                error,
                crate::oauth::TokenError::CredentialPair
                    | crate::oauth::TokenError::Rejected { .. }
            ),
            Self::OutcomeUnknown {
                idempotency_key, ..
            } => idempotency_key.is_some(),
            Self::Decode { status, .. } => status.is_server_error(),
            Self::Config(_)
            | Self::IdempotencyConflict { .. }
            | Self::ReconciliationRequired { .. }
            | Self::ForeignLink { .. }
            | Self::Encode(_) => false,
        }
    }

    /// The provider-neutral view of a declined payment: `Some` for an [`Error::Api`] whose
    /// error is a decline (Stripe's `card_error`, Adyen's `Refused` result), whatever the
    /// provider, so `error.decline().map(|d| d.category)` is written once.
    pub fn decline(&self) -> Option<crate::Decline> {
        self.api_error().and_then(ApiError::decline)
    }
}

impl<E> Error<E> {
    /// The provider's typed error, when the provider refused the request.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of the provider's answer, for an error that has one
    /// ([`Error::Api`], [`Error::Decode`]), whatever the provider.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The provider's id of the request ([`Error::Api`], [`Error::Decode`]), when the
    /// response carried one: what the provider's support asks for.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. } | Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

/// Keeps the start of a body as text for [`Error::Decode`]. Providers do not echo card
/// numbers, but a proxy's error page might; any run of 13 to 19 digits is masked anyway.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn kept_body(body: &[u8]) -> String {
    let end = body.len().min(KEPT_BODY_BYTES);
    let text = String::from_utf8_lossy(&body[..end]);
    let mut kept = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if (13..=19).contains(&digits.len()) {
            kept.push_str("[redacted digits]");
        } else {
            kept.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            kept.push(c);
        }
    }
    if body.len() > end {
        kept.push_str("…[truncated]");
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bodies_are_truncated_and_card_numbers_masked() {
        let cases = [
            (
                "<html>502 Bad Gateway</html>",
                "<html>502 Bad Gateway</html>",
            ),
            (
                "card 4242424242424242 id 123",
                "card [redacted digits] id 123",
            ),
            ("ts 1700000000", "ts 1700000000"),
            ("4000056655665556", "[redacted digits]"),
        ];
        for (body, kept) in cases {
            assert_eq!(kept_body(body.as_bytes()), kept);
        }
        let long = "x".repeat(KEPT_BODY_BYTES + 10);
        assert!(kept_body(long.as_bytes()).ends_with("…[truncated]"));
    }
}

/// The environment a client talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvironmentKind {
    /// The local sandbox (`payforge-sandbox`).
    Sandbox,
    /// The provider's own API in test mode.
    TestMode,
    /// The provider's live API.
    Production,
}

impl fmt::Display for EnvironmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sandbox => "the local sandbox",
            Self::TestMode => "provider test mode",
            Self::Production => "production",
        })
    }
}

/// The client cannot be built, or its key cannot be used. Never contains a key: a key is
/// described by its [`KeyMode`] only.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The secret key could not be obtained.
    #[error("cannot obtain the secret key from {source_name}: {source}")]
    Secret {
        /// The secret provider's description.
        source_name: String,
        /// Why.
        #[source]
        source: SecretError,
    },
    /// The key's mode does not match the environment: a live key outside production, or a
    /// test key in production.
    #[error("refusing {key_mode} in {environment}: {hint}")]
    KeyModeMismatch {
        /// The environment the client is built for.
        environment: EnvironmentKind,
        /// The mode of the key it was given.
        key_mode: KeyMode,
        /// What to do about it.
        hint: &'static str,
    },
    /// A base URL is not an absolute `http` or `https` URL.
    #[error("the base URL {url:?} is not an absolute http(s) URL")]
    InvalidBaseUrl {
        /// The rejected URL.
        url: String,
    },
    /// An environment variable that selects configuration has a value not understood.
    #[error(
        "the environment variable `{variable}` has the unsupported value {value:?}; expected {expected}"
    )]
    InvalidEnv {
        /// The variable.
        variable: String,
        /// Its value.
        value: String,
        /// What it may be.
        expected: &'static str,
    },
    /// No idempotency journal was configured.
    #[error(
        "no idempotency journal configured: call `.journal(SqliteJournal::open(path).await?)` \
         (or `.ephemeral_journal()` in tests)"
    )]
    MissingJournal,
    /// A logical key was given for an operation that is not idempotent.
    #[error("`{path_template}` is not an idempotent operation; it takes no logical key")]
    LogicalKeyOnNonIdempotent {
        /// The operation's path template.
        path_template: &'static str,
    },
    /// A request cannot be built (an invalid header value); nothing was sent.
    #[error("the request cannot be built: {message}")]
    Unsendable {
        /// Why.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The environment's base URL is a template with a placeholder no value was given for
    /// (a live URL's per-merchant prefix).
    #[error(
        "the base URL of {environment} needs `{{{variable}}}` (set it on the builder{})",
        env.as_ref().map(|env| format!(" or in `{env}`")).unwrap_or_default()
    )]
    MissingBaseUrlVariable {
        /// The environment the client is built for.
        environment: EnvironmentKind,
        /// The placeholder's name.
        variable: String,
        /// The environment variable that could have held it.
        env: Option<String>,
    },
    /// A base URL placeholder's value is not a host-name fragment.
    #[error(
        "the base URL variable `{variable}` has the value {value:?}; it must be letters, digits, `-` and `.`"
    )]
    InvalidBaseUrlVariable {
        /// The placeholder's name.
        variable: String,
        /// The rejected value (a URL fragment, never a secret).
        value: String,
    },
    /// The provider's OAuth2 token endpoint is not a path of the base URL.
    #[error("the OAuth2 token URL {token_url:?} must be a path starting with `/`")]
    InvalidTokenUrl {
        /// The provider's `[auth] token_url`.
        token_url: &'static str,
    },
    /// The idempotency key is longer than the provider accepts; nothing was sent.
    #[error(
        "the idempotency key {idempotency_key} is {len} characters long; the provider accepts at most {max}"
    )]
    IdempotencyKeyTooLong {
        /// The key.
        idempotency_key: IdempotencyKey,
        /// Its length.
        len: usize,
        /// The provider's limit.
        max: usize,
    },
}
