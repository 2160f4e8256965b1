//! Stripe's error object and status codes.
//!
//! Every failure the sandbox reports over `/v1` is one of these, rendered as
//! `{"error": {"type", "code", "decline_code", "message", "param", "doc_url", …}}`.

use http::StatusCode;
use serde_json::{Map, Value, json};

/// The most characters of user input an error message repeats (then `...`): an id or a
/// value of any size must not make an error larger than the spec allows.
pub const ECHO_LIMIT: usize = 100;
/// The longest `message` an error carries; the spec's `error.message` allows 40 000.
const MESSAGE_LIMIT: usize = 2_000;
/// The longest `param` an error carries (a parameter name is user input too).
const PARAM_LIMIT: usize = 200;

/// User input as an error message repeats it: at most [`ECHO_LIMIT`] characters, then `...`.
pub fn echo(input: &str) -> String {
    truncate(input, ECHO_LIMIT)
}

/// `text` cut to `limit` characters, with `...` when something was cut.
fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// Stripe's `error.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// The request was malformed or referred to something that does not exist.
    InvalidRequest,
    /// The card could not be charged.
    Card,
    /// Idempotency key reused with other parameters.
    Idempotency,
    /// Something failed on the provider's side.
    Api,
}

impl ErrorType {
    fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Card => "card_error",
            Self::Idempotency => "idempotency_error",
            Self::Api => "api_error",
        }
    }
}

/// One Stripe-shaped error response. Boxed: it travels through every handler's `Result`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} {}", .0.status, .0.message)]
pub struct ApiError(Box<Details>);

#[derive(Debug, Clone)]
struct Details {
    status: StatusCode,
    kind: ErrorType,
    code: Option<String>,
    decline_code: Option<String>,
    message: String,
    param: Option<String>,
    extra: Map<String, Value>,
}

impl ApiError {
    fn new(status: StatusCode, kind: ErrorType, message: impl Into<String>) -> Self {
        Self(Box::new(Details {
            status,
            kind,
            code: None,
            decline_code: None,
            message: message.into(),
            param: None,
            extra: Map::new(),
        }))
    }

    /// A 400 `invalid_request_error` without a code.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorType::InvalidRequest, message)
    }

    /// A 400 `invalid_request_error` with a code and the parameter it concerns.
    pub fn invalid_param(code: &str, param: &str, message: impl Into<String>) -> Self {
        Self::invalid_request(message)
            .with_code(code)
            .with_param(param)
    }

    /// A 400 `invalid_request_error` about one parameter, without a code: what Stripe sends
    /// for a value of the wrong type or outside its enum (it documents no code for those, and
    /// the sandbox sends only codes of the catalogue, `specs/stripe/errors.yaml`).
    pub fn invalid_value(param: &str, message: impl Into<String>) -> Self {
        Self::invalid_request(message).with_param(param)
    }

    /// Stripe's `parameter_unknown`.
    pub fn parameter_unknown(param: &str) -> Self {
        Self::invalid_param(
            "parameter_unknown",
            param,
            format!("Received unknown parameter: {}", echo(param)),
        )
    }

    /// Stripe's `parameter_missing`.
    pub fn parameter_missing(param: &str) -> Self {
        Self::invalid_param(
            "parameter_missing",
            param,
            format!("Missing required param: {param}."),
        )
    }

    /// A 404 `resource_missing` for an object id.
    pub fn resource_missing(noun: &str, id: &str, param: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            format!("No such {noun}: '{}'", echo(id)),
        )
        .with_code("resource_missing")
        .with_param(param)
    }

    /// A 404 for a URL the sandbox does not serve, in Stripe's words.
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            format!(
                "Unrecognized request URL ({method}: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                echo(path)
            ),
        )
    }

    /// A 400 for an object whose state does not allow the operation.
    pub fn unexpected_state(code: &str, message: impl Into<String>) -> Self {
        Self::invalid_request(message).with_code(code)
    }

    /// A 401: no key, an unknown key, or a live key.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorType::InvalidRequest, message)
    }

    /// A 402 `card_error`.
    pub fn card(code: &str, decline_code: Option<&str>, message: impl Into<String>) -> Self {
        let mut error =
            Self::new(StatusCode::PAYMENT_REQUIRED, ErrorType::Card, message).with_code(code);
        error.0.decline_code = decline_code.map(str::to_owned);
        error
    }

    /// A 400 `idempotency_error`: the key was first used with other parameters.
    pub fn idempotency_mismatch(key: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::Idempotency,
            format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
            ),
        )
    }

    /// A 409: a request with the same idempotency key is still being processed.
    pub fn idempotency_in_flight(key: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorType::InvalidRequest,
            format!("There is currently another in-progress request using this idempotency key ('{key}'). Please try again later."),
        )
        .with_code("idempotency_key_in_use")
    }

    /// A 429 `rate_limit` (injected by a fault).
    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorType::InvalidRequest,
            "Too many requests hit the API too quickly (injected by a payforge-sandbox fault).",
        )
        .with_code("rate_limit")
    }

    /// A 500 `api_error` (injected by a fault).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorType::Api, message)
    }

    /// Names the parameter the error concerns.
    pub fn with_param(mut self, param: &str) -> Self {
        self.0.param = Some(param.to_owned());
        self
    }

    /// Sets Stripe's `error.code`.
    pub fn with_code(mut self, code: &str) -> Self {
        self.0.code = Some(code.to_owned());
        self
    }

    /// Adds a field such as `charge`, `payment_intent` or `payment_method`.
    pub fn with_field(mut self, name: &str, value: Value) -> Self {
        self.0.extra.insert(name.to_owned(), value);
        self
    }

    /// The HTTP status this error is sent with.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// Stripe's `error.type`.
    pub fn kind(&self) -> ErrorType {
        self.0.kind
    }

    /// The error object, wrapped in `{"error": …}`.
    pub fn to_body(&self) -> Value {
        let mut error = Map::new();
        error.insert("type".into(), json!(self.0.kind.as_str()));
        error.insert(
            "message".into(),
            json!(truncate(&self.0.message, MESSAGE_LIMIT)),
        );
        if let Some(code) = &self.0.code {
            error.insert("code".into(), json!(code));
            error.insert(
                "doc_url".into(),
                json!(format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.replace('_', "-")
                )),
            );
        }
        if let Some(decline_code) = &self.0.decline_code {
            error.insert("decline_code".into(), json!(decline_code));
        }
        if let Some(param) = &self.0.param {
            error.insert("param".into(), json!(truncate(param, PARAM_LIMIT)));
        }
        for (name, value) in &self.0.extra {
            error.insert(name.clone(), value.clone());
        }
        json!({ "error": error })
    }
}
