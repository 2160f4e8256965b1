//! A PayPal-shaped server on 127.0.0.1 for the SDK's suites: the OAuth2 token endpoint
//! (`POST /v1/oauth2/token`, Basic `client_id:secret`, form `grant_type=client_credentials`)
//! and the API paths the suites send, each answering PayPal's JSON. It records every API
//! request (method, path, `Authorization`, `PayPal-Request-Id`, `Prefer`, body) and can be
//! told to fail the next requests (`Fault`), so a suite counts attempts and keys.
// Each suite uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use payforge::client::{Client, Environment};
use payforge::journal::IdempotencyJournal;
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use payforge_paypal::Paypal;
use serde_json::{Value, json};

/// The client id and secret the token endpoint accepts (fake).
pub const CREDENTIALS: &str = "AeA1QIZXiflr1_test_client:EGnHDxD_qRPdaLdZz8iCr8N7_test_secret"; // audit:allow: fake
/// The pair a rotation moves to, which the token endpoint accepts too (fake).
pub const ROTATED_CREDENTIALS: &str = "AeA1QIZXiflr1_test_client:rotated_9Qx2_test_secret"; // audit:allow: fake

/// A credentials file holding `client_id:secret`, in a directory removed when the guard
/// drops.
pub fn credentials_file() -> std::io::Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("paypal-credentials");
    std::fs::write(&path, format!("{CREDENTIALS}\n"))?;
    Ok((dir, path))
}

/// A client of the local server, with quick retries (4 attempts at most) so the suites
/// count attempts without waiting.
pub async fn client(
    server: &PaypalServer,
    credentials: &std::path::Path,
    journal: impl IdempotencyJournal,
) -> Result<Client<Paypal>, payforge::ConfigError> {
    builder(server, credentials).journal(journal).build().await
}

/// [`client`]'s builder, before its journal, for suites that set more.
pub fn builder(
    server: &PaypalServer,
    credentials: &std::path::Path,
) -> payforge::client::ClientBuilder<Paypal> {
    Client::<Paypal>::builder()
        .secrets(FileSecretProvider::new(credentials))
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            max_elapsed: std::time::Duration::from_secs(20),
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(5),
        })
}

/// What the server does to the next API request, instead of answering it.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// `500 INTERNAL_SERVER_ERROR`, nothing done.
    Internal,
    /// Does the work, then drops the connection mid-response.
    DropAfterProcessing,
    /// `409 RESOURCE_CONFLICT` with issue `PREVIOUS_REQUEST_IN_PROGRESS`: the same request id
    /// is still being processed.
    InProgress,
    /// `401 AUTHENTICATION_FAILURE`: the token was revoked.
    Unauthorized,
    /// An error with one detail: `status`, `name` and the detail's `issue`.
    Issue {
        /// The HTTP status.
        status: u16,
        /// The error's `name`.
        name: &'static str,
        /// The first detail's `issue`.
        issue: &'static str,
    },
    /// `408`, nothing done.
    RequestTimeout,
    /// `201` with a capture whose `status` is `DECLINED`, with this processor response code.
    DeclinedCapture(&'static str),
}

/// One API request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `POST`, `PATCH`, …
    pub method: String,
    /// The path.
    pub path: String,
    /// The query string (empty when none).
    pub query: String,
    /// `Authorization`.
    pub authorization: Option<String>,
    /// `PayPal-Request-Id`.
    pub request_id: Option<String>,
    /// `Prefer`.
    pub prefer: Option<String>,
    /// The JSON body (`null` when empty).
    pub body: Value,
}

#[derive(Default)]
struct ServerState {
    faults: VecDeque<Fault>,
    seen: Vec<Seen>,
    token_requests: usize,
    /// The `client_id:secret` of each token request, decoded.
    token_credentials: Vec<String>,
    /// Orders created or captured, by id, in order: what a double charge would show.
    done: Vec<String>,
    /// The order each processed request id created, so a replay answers the same.
    processed: std::collections::BTreeMap<String, String>,
    /// The server's own base URL, for the `next` links of pages.
    base_url: String,
}

type Shared = Arc<Mutex<ServerState>>;

fn lock(state: &Shared) -> MutexGuard<'_, ServerState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The server; stopped when dropped.
pub struct PaypalServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl PaypalServer {
    /// Starts it on a free port.
    pub async fn start() -> std::io::Result<Self> {
        let state = Shared::default();
        let app = axum::Router::new()
            .route("/v1/oauth2/token", axum::routing::post(token))
            .fallback(api)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        lock(&state).base_url = format!("http://{address}");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            state,
            task,
        })
    }

    /// Fails the next API requests, one fault each, in order.
    pub fn queue(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state).faults.extend(faults);
    }

    /// Every API request so far.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }

    /// How many tokens were asked for.
    pub fn token_requests(&self) -> usize {
        lock(&self.state).token_requests
    }

    /// The `client_id:secret` of each token request, in order.
    pub fn token_credentials(&self) -> Vec<String> {
        lock(&self.state).token_credentials.clone()
    }

    /// The work done, in order (`created O-1`, `captured O-1`, …).
    pub fn done(&self) -> Vec<String> {
        lock(&self.state).done.clone()
    }
}

impl Drop for PaypalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn token(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
    use base64::Engine as _;
    let basic = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic ").map(str::to_owned))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    // Widen the window in which concurrent callers find no token.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut state = lock(&state);
    state.token_requests += 1;
    state
        .token_credentials
        .push(basic.clone().unwrap_or_default());
    let accepted = [CREDENTIALS, ROTATED_CREDENTIALS];
    if body != "grant_type=client_credentials"
        || !accepted.contains(&basic.as_deref().unwrap_or_default())
    {
        let error =
            json!({"error": "invalid_client", "error_description": "Client Authentication failed"});
        return json_response(401, &error, None);
    }
    let answer = json!({
        "scope": "https://uri.paypal.com/services/payments/payment",
        "access_token": format!("A21AA-token-{}", state.token_requests),
        "token_type": "Bearer",
        "app_id": "APP-80W284485P519543T",
        "expires_in": 32400,
        "nonce": "2026-12-01T10:00:00Zabc",
    });
    json_response(200, &answer, None)
}

async fn api(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        authorization: header(&headers, "authorization"),
        request_id: header(&headers, "paypal-request-id"),
        prefer: header(&headers, "prefer"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let mut state = lock(&state);
    state.seen.push(seen.clone());
    let fault = state.faults.pop_front();
    match fault {
        Some(Fault::Internal) => return error(500, "INTERNAL_SERVER_ERROR", None),
        Some(Fault::Unauthorized) => return error(401, "AUTHENTICATION_FAILURE", None),
        Some(Fault::InProgress) => {
            return error(
                409,
                "RESOURCE_CONFLICT",
                Some("PREVIOUS_REQUEST_IN_PROGRESS"),
            );
        }
        Some(Fault::Issue {
            status,
            name,
            issue,
        }) => return error(status, name, Some(issue)),
        Some(Fault::RequestTimeout) => return error(408, "REQUEST_TIMEOUT", None),
        Some(Fault::DeclinedCapture(code)) => {
            return json_response(201, &declined_capture(code), Some("f1a2b3c4d5e6"));
        }
        Some(Fault::DropAfterProcessing) | None => {}
    }
    let answer = process(&mut state, &seen);
    match fault {
        Some(Fault::DropAfterProcessing) => dropped_connection(),
        _ => answer,
    }
}

/// The work of one request, idempotent by `PayPal-Request-Id` as PayPal's is: a request id
/// processed before answers what it answered then, without doing the work again.
fn process(state: &mut ServerState, seen: &Seen) -> Response {
    let replayed = seen
        .request_id
        .as_ref()
        .and_then(|id| state.processed.get(id))
        .cloned();
    let segments: Vec<&str> = seen.path.trim_matches('/').split('/').collect();
    let (status, body) = match (seen.method.as_str(), segments.as_slice()) {
        ("POST", ["v2", "checkout", "orders"]) => {
            let id = replayed.unwrap_or_else(|| {
                let id = format!("O-{}", state.done.len() + 1);
                state.done.push(format!("created {id}"));
                id
            });
            remember(state, seen, &id);
            let mut created = order(&id, "CREATED");
            // `Prefer: return=representation` asks for the whole order; otherwise PayPal
            // answers the minimal one (id, status, links).
            if seen.prefer.as_deref() == Some("return=representation") {
                created["intent"] = seen.body["intent"].clone();
                created["purchase_units"] = seen.body["purchase_units"].clone();
            }
            (201, created)
        }
        ("POST", ["v2", "checkout", "orders", id, "capture"]) => {
            if replayed.is_none() {
                state.done.push(format!("captured {id}"));
                remember(state, seen, id);
            }
            (201, order(id, "COMPLETED"))
        }
        ("PATCH", ["v2", "checkout", "orders", _]) => (204, Value::Null),
        ("GET", ["v1", "billing", "plans"]) => (200, plans_page(&seen.query)),
        ("GET", ["v1", "notifications", "webhooks-events"]) => {
            (200, events_page(&state.base_url, &seen.query))
        }
        ("POST", ["v1", "notifications", "webhooks"]) => (
            201,
            json!({"id": "WH-1", "url": seen.body["url"], "event_types": seen.body["event_types"]}),
        ),
        _ => return error(404, "RESOURCE_NOT_FOUND", Some("INVALID_RESOURCE_ID")),
    };
    json_response(status, &body, Some("f1a2b3c4d5e6"))
}

fn remember(state: &mut ServerState, seen: &Seen, order: &str) {
    if let Some(id) = &seen.request_id {
        state.processed.insert(id.clone(), order.to_owned());
    }
}

/// The value of `name` in a query string.
fn query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// `GET /v1/billing/plans`: seven plans, `page_size` a page (default 10), numbered from
/// `page` 1, with `total_items` and `total_pages` when `total_required=true`.
fn plans_page(query: &str) -> Value {
    let number = |name: &str, default: usize| {
        query_value(query, name)
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let (page, size) = (number("page", 1).max(1), number("page_size", 10).max(1));
    let plans: Vec<Value> = (1..=7)
        .skip((page - 1) * size)
        .take(size)
        .map(|n| json!({"id": format!("P-{n}"), "product_id": "PROD-1", "name": format!("Plan {n}"), "status": "ACTIVE"}))
        .collect();
    let mut body = json!({"plans": plans, "links": [
        {"href": format!("https://api-m.sandbox.paypal.com/v1/billing/plans?page_size={size}&page={page}"), "rel": "self", "method": "GET"}
    ]});
    if query_value(query, "total_required") == Some("true") {
        body["total_items"] = json!(7);
        body["total_pages"] = json!(7_usize.div_ceil(size));
    }
    body
}

/// `GET /v1/notifications/webhooks-events`: five events, two a page, chained by `next`
/// links on this server that carry PayPal's own cursor (`start_id`).
fn events_page(base_url: &str, query: &str) -> Value {
    let start: usize = query_value(query, "start_id")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let events: Vec<Value> = (start..5)
        .take(2)
        .map(|n| json!({"id": format!("WH-{n}"), "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource_type": "capture"}))
        .collect();
    let mut links = vec![
        json!({"href": format!("{base_url}/v1/notifications/webhooks-events?page_size=2"), "rel": "self", "method": "GET"}),
    ];
    if start + 2 < 5 {
        let next = format!(
            "{base_url}/v1/notifications/webhooks-events?page_size=2&start_id={}",
            start + 2
        );
        links.push(json!({"href": next, "rel": "next", "method": "GET"}));
    }
    json!({"events": events, "count": events.len(), "links": links})
}

/// An order, with its HATEOAS links.
fn order(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "status": status,
        "links": [
            {"href": format!("https://api-m.sandbox.paypal.com/v2/checkout/orders/{id}"), "rel": "self", "method": "GET"},
            {"href": format!("https://www.sandbox.paypal.com/checkoutnow?token={id}"), "rel": "approve", "method": "GET"},
            {"href": format!("https://api-m.sandbox.paypal.com/v2/checkout/orders/{id}/capture"), "rel": "capture", "method": "POST"},
        ],
    })
}

/// A capture declined by the processor, as PayPal answers capturing an authorization.
pub fn declined_capture(code: &str) -> Value {
    json!({
        "id": "2GG279541U471931P",
        "status": "DECLINED",
        "processor_response": {"avs_code": "Y", "cvv_code": "M", "response_code": code},
        "links": [{"href": "https://api-m.paypal.com/v2/payments/captures/2GG279541U471931P", "rel": "self", "method": "GET"}],
    })
}

/// PayPal's error body: `{name, message, debug_id, details[{issue, description}], links}`.
pub fn error(status: u16, name: &str, issue: Option<&str>) -> Response {
    let details: Vec<Value> = issue
        .map(|issue| json!({"issue": issue, "description": "See the issue."}))
        .into_iter()
        .collect();
    let body = json!({
        "name": name,
        "message": "The request could not be completed.",
        "debug_id": "f1a2b3c4d5e6",
        "details": details,
        "links": [{"href": "https://developer.paypal.com/docs/api/orders/v2/#error-x", "rel": "information_link", "method": "GET"}],
    });
    json_response(status, &body, Some("f1a2b3c4d5e6"))
}

fn json_response(status: u16, body: &Value, debug_id: Option<&str>) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json");
    if let Some(debug_id) = debug_id {
        builder = builder.header("paypal-debug-id", debug_id);
    }
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    builder.body(body).unwrap_or_default()
}

/// A response whose body fails: the connection is aborted mid-response, so the client cannot
/// know whether the work was done.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
    });
    Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(Body::from_stream(failing))
        .unwrap_or_default()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
