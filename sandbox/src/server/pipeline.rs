//! The `/v1` request pipeline: authenticate, parse, claim the idempotency key, apply
//! injected faults, dispatch under the store lock, remember the result, respond.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use base64::Engine;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::Value;

use super::{ConnectionKill, Shared};
use crate::api;
use crate::error::{ApiError, echo};
use crate::faults::FaultKind;
use crate::form;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::{IdempotentResult, RequestContext};

/// The largest request body accepted.
const MAX_BODY: usize = 1 << 20;
/// Stripe's limit on idempotency key length.
const MAX_IDEMPOTENCY_KEY: usize = 255;
/// The API version the sandbox speaks.
pub const API_VERSION: &str = "2023-08-16";

/// A response before it becomes HTTP.
struct Reply {
    status: StatusCode,
    body: Value,
    request_id: String,
    replayed: bool,
    retry_after: Option<u64>,
}

impl Reply {
    fn new(status: StatusCode, body: Value, request_id: &str) -> Self {
        Self {
            status,
            body,
            request_id: request_id.to_owned(),
            replayed: false,
            retry_after: None,
        }
    }

    fn error(error: &ApiError, request_id: &str) -> Self {
        Self::new(error.status(), error.to_body(), request_id)
    }
}

/// The axum fallback that serves every `/v1` request.
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let request_id = new_id("req");
    let (parts, body) = request.into_parts();
    let reply = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => serve(&shared, &parts, &body, &request_id).await,
        Err(_) => Reply::error(
            &ApiError::invalid_request(format!(
                "The request body is larger than {MAX_BODY} bytes."
            )),
            &request_id,
        ),
    };
    tracing::debug!(
        method = %parts.method,
        path = parts.uri.path(),
        status = reply.status.as_u16(),
        request_id = %reply.request_id,
        replayed = reply.replayed,
        "served"
    );
    into_response(reply, &parts.headers)
}

async fn serve(shared: &Shared, parts: &Parts, body: &[u8], request_id: &str) -> Reply {
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let Some(api_path) = path.strip_prefix("/v1/") else {
        return Reply::error(&ApiError::unrecognized_url(method, path), request_id);
    };
    let api_key = match authenticate(&parts.headers) {
        Ok(key) => key,
        Err(error) => return Reply::error(&error, request_id),
    };
    if let Err(error) = check_version(&parts.headers).and_then(|()| check_body(parts, body)) {
        return Reply::error(&error, request_id);
    }
    let params = match read_params(method, parts.uri.query().unwrap_or(""), body) {
        Ok(params) => params,
        Err(error) => return Reply::error(&error, request_id),
    };
    let idempotency_key = parts
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|_| method == "POST");
    let claim = match idempotency_key {
        Some(key) => {
            match IdempotencyClaim::take(shared, &api_key, key, method, path, &params, request_id) {
                Ok(claim) => Some(claim),
                Err(reply) => return reply,
            }
        }
        None => None,
    };
    let triggered = shared.faults().trigger(method, path);
    if triggered.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(triggered.latency_ms)).await;
    }
    let kill = parts.extensions.get::<ConnectionKill>();
    match triggered.action {
        Some((FaultKind::Error, _)) => {
            return Reply::error(
                &ApiError::internal(
                    "An unexpected error occurred (injected by a payforge-sandbox fault).",
                ),
                request_id,
            );
        }
        Some((FaultKind::RateLimit, retry_after)) => {
            let mut reply = Reply::error(&ApiError::rate_limited(), request_id);
            reply.retry_after = Some(retry_after);
            return reply;
        }
        Some((FaultKind::DropBefore, _)) => return never_respond(kill).await,
        _ => {}
    }
    let context = RequestContext {
        id: Some(request_id.to_owned()),
        idempotency_key: idempotency_key.map(str::to_owned),
    };
    let result = dispatch_locked(shared, context, method, api_path, &params);
    if method != "GET" {
        shared.changed();
    }
    let reply = match result {
        Ok(object) => Reply::new(StatusCode::OK, object, request_id),
        Err(error) => Reply::error(&error, request_id),
    };
    if let Some(claim) = claim {
        claim.complete(&reply);
    }
    if triggered
        .action
        .is_some_and(|(kind, _)| kind == FaultKind::DropAfter)
    {
        return never_respond(kill).await;
    }
    reply
}

/// The request's parameters: the query string, merged with the form body for methods
/// that carry one (a body field wins over a query field of the same name), as Stripe
/// accepts both.
fn read_params(method: &str, query: &str, body: &[u8]) -> Result<Params, ApiError> {
    let mut fields = form::parse(query.as_bytes())?;
    if method != "GET" && method != "HEAD" {
        fields.extend(form::parse(body)?);
    }
    Ok(Params::new(fields))
}

/// Refuses a `Stripe-Version` that is not an API version: a date (`2023-08-16`), with an
/// optional release name (`2024-09-30.acacia`) and beta flags after `;`, as Stripe writes
/// them. A well-formed version is accepted and echoed, whatever its date: the sandbox
/// always answers in the shapes of 2023-08-16 (see the README).
fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get("stripe-version") else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    if is_api_version(text) {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "Invalid Stripe API version: {}",
            echo(&String::from_utf8_lossy(value.as_bytes()))
        )))
    }
}

/// Whether `text` reads as a Stripe API version: `YYYY-MM-DD[.name][; beta=vN…]`.
fn is_api_version(text: &str) -> bool {
    let version = text.split(';').next().unwrap_or_default().trim();
    let (date, name) = match version.split_once('.') {
        Some((date, name)) => (date, Some(name)),
        None => (version, None),
    };
    let name_ok =
        name.is_none_or(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()));
    let number = |field: &str, digits: usize| -> Option<u32> {
        (field.len() == digits && field.bytes().all(|b| b.is_ascii_digit()))
            .then(|| field.parse().ok())
            .flatten()
    };
    let date_ok = match date.split('-').collect::<Vec<_>>().as_slice() {
        [year, month, day] => {
            number(year, 4).is_some_and(|year| (2011..=2099).contains(&year))
                && number(month, 2).is_some_and(|month| (1..=12).contains(&month))
                && number(day, 2).is_some_and(|day| (1..=31).contains(&day))
        }
        _ => false,
    };
    date_ok && name_ok
}

/// Refuses a body that is not form-encoded: Stripe's v1 API reads only
/// `application/x-www-form-urlencoded` bodies (the sandbox serves no upload route, the
/// only place the spec allows `multipart/form-data`). A JSON body would otherwise read as
/// one parameter named by the whole JSON text. An empty body needs no content type.
fn check_body(parts: &Parts, body: &[u8]) -> Result<(), ApiError> {
    if body.is_empty() {
        return Ok(());
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let essence = content_type
        .as_deref()
        .and_then(|text| text.split(';').next())
        .map(|text| text.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("application/x-www-form-urlencoded") {
        return Ok(());
    }
    let sent = content_type.map_or_else(
        || "no Content-Type".to_owned(),
        |text| format!("Content-Type `{}`", echo(&text)),
    );
    Err(ApiError::invalid_request(format!(
        "Invalid request: the request body must be form-encoded (Content-Type: application/x-www-form-urlencoded), but it was sent with {sent}. Stripe's API does not accept JSON request bodies; send parameters such as `metadata[key]=value` in a form."
    )))
}

/// Runs the operation under the store lock, with the request recorded on its events.
fn dispatch_locked(
    shared: &Shared,
    context: RequestContext,
    method: &str,
    api_path: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    let mut store = shared.lock();
    store.set_request(context);
    let result = api::dispatch(&mut store, method, api_path, params);
    store.set_request(RequestContext::default());
    result
}

/// Closes the connection and never answers.
async fn never_respond(kill: Option<&ConnectionKill>) -> Reply {
    if let Some(kill) = kill {
        kill.fire();
    }
    std::future::pending().await
}

/// The API key from `Authorization: Bearer …` or basic auth with the key as user name.
fn authenticate(headers: &HeaderMap) -> Result<String, ApiError> {
    let missing = || {
        ApiError::unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    };
    let header = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let text = header.to_str().map_err(|_| {
        ApiError::unauthorized("Invalid Authorization header: it is not valid text.")
    })?;
    // The scheme is case-insensitive (RFC 9110, section 11.1): `bearer` and `BASIC` count.
    let (scheme, credentials) = text.trim_start().split_once(' ').unwrap_or((text, ""));
    let key = if scheme.eq_ignore_ascii_case("Bearer") {
        credentials.trim().to_owned()
    } else if scheme.eq_ignore_ascii_case("Basic") {
        let encoded = credentials;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| {
                ApiError::unauthorized("Invalid basic auth credentials: not base64-encoded text.")
            })?;
        decoded.split(':').next().unwrap_or_default().to_owned()
    } else {
        return Err(ApiError::unauthorized(
            "Invalid Authorization header: use 'Bearer <secret key>' or basic auth with the key as user name.",
        ));
    };
    if key.is_empty() {
        return Err(missing());
    }
    if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
        return Err(ApiError::unauthorized(
            "payforge-sandbox refuses live-mode API keys (sk_live_…/rk_live_…): it is a local test stand-in. Use a test key such as sk_test_… instead, and keep live keys away from test setups.",
        ));
    }
    let is_test_key = (key.starts_with("sk_test_") || key.starts_with("rk_test_")) && key.len() > 8;
    if !is_test_key {
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(ApiError::unauthorized(format!(
            "Invalid API Key provided: ****{tail}. payforge-sandbox accepts secret or restricted test keys (sk_test_…, rk_test_…)."
        )));
    }
    Ok(key)
}

/// An idempotency key held while its first request runs; released if the request ends
/// without a result worth remembering (or its future is dropped).
struct IdempotencyClaim<'a> {
    shared: &'a Shared,
    scope: String,
    fingerprint: String,
    done: bool,
}

impl<'a> IdempotencyClaim<'a> {
    /// Claims the key, or answers at once: a replay, a 400 for other parameters, a 409 while
    /// the first request is still running.
    #[allow(clippy::too_many_arguments)] // Reason: one call site; the arguments are the request.
    fn take(
        shared: &'a Shared,
        api_key: &str,
        key: &str,
        method: &str,
        path: &str,
        params: &Params,
        request_id: &str,
    ) -> Result<Self, Reply> {
        if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY {
            let error = ApiError::invalid_value(
                "Idempotency-Key",
                format!("Idempotency keys must be 1 to {MAX_IDEMPOTENCY_KEY} characters long."),
            );
            return Err(Reply::error(&error, request_id));
        }
        let scope = format!("{api_key}\u{0}{key}");
        let fingerprint = format!(
            "{method} {path} {}",
            canonical(&Value::Object(params.fields().clone()))
        );
        let mut store = shared.lock();
        if let Some(record) = store.idempotent_result(&scope) {
            if record.fingerprint != fingerprint {
                return Err(Reply::error(
                    &ApiError::idempotency_mismatch(key),
                    request_id,
                ));
            }
            let Some(status) = record.status.and_then(|s| StatusCode::from_u16(s).ok()) else {
                return Err(Reply::error(
                    &ApiError::idempotency_in_flight(key),
                    request_id,
                ));
            };
            let mut reply = Reply::new(
                status,
                serde_json::from_str(&record.body).unwrap_or_default(),
                &record.request_id,
            );
            reply.replayed = true;
            return Err(reply);
        }
        let created = store.now();
        let in_flight = IdempotentResult {
            fingerprint: fingerprint.clone(),
            status: None,
            body: String::new(),
            created,
            request_id: request_id.to_owned(),
        };
        store.remember(scope.clone(), in_flight);
        Ok(Self {
            shared,
            scope,
            fingerprint,
            done: false,
        })
    }

    /// Remembers the result, except validation failures (400 `invalid_request_error`) and
    /// server errors, which Stripe does not store either: a retry runs afresh.
    fn complete(mut self, reply: &Reply) {
        let validation_failure = reply.status == StatusCode::BAD_REQUEST
            && reply.body["error"]["type"] == "invalid_request_error";
        if validation_failure || reply.status.is_server_error() {
            return;
        }
        let mut store = self.shared.lock();
        let created = store.now();
        let record = IdempotentResult {
            fingerprint: std::mem::take(&mut self.fingerprint),
            status: Some(reply.status.as_u16()),
            body: reply.body.to_string(),
            created,
            request_id: reply.request_id.clone(),
        };
        store.remember(self.scope.clone(), record);
        self.done = true;
    }
}

impl Drop for IdempotencyClaim<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.shared.lock().forget(&self.scope);
        }
    }
}

/// Parameters with object keys sorted, so the order they were sent in does not matter.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(fields) => {
                let ordered: BTreeMap<&String, Value> =
                    fields.iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::to_value(ordered).unwrap_or(Value::Null)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

fn into_response(reply: Reply, request_headers: &HeaderMap) -> Response {
    let mut response = Response::new(Body::from(reply.body.to_string()));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(id) = HeaderValue::from_str(&reply.request_id) {
        headers.insert("request-id", id);
    }
    let version = request_headers
        .get("stripe-version")
        .cloned()
        .unwrap_or(HeaderValue::from_static(API_VERSION));
    headers.insert("stripe-version", version);
    if let Some(key) = request_headers.get("idempotency-key") {
        headers.insert("idempotency-key", key.clone());
    }
    if reply.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if matches!(reply.status.as_u16(), 409 | 429) || reply.status.is_server_error() {
        headers.insert("stripe-should-retry", HeaderValue::from_static("true"));
    }
    response
}
