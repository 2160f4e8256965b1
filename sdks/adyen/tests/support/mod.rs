//! A small Adyen-shaped Checkout server, served by axum on 127.0.0.1:0, for the client
//! suite of the generated SDK.
//!
//! It behaves as Adyen does where a user of the SDK depends on it: the key in `X-API-Key`,
//! `ServiceError` bodies at the top level, 422 with errorCode 704 while a key is in
//! progress, a refused payment as HTTP 200 with `resultCode: Refused`, and an idempotency
//! store that replays the first answer for a key. Tests queue [`Fault`]s to make the next
//! requests fail in a chosen way, and read back what the server saw.

#![allow(dead_code, unreachable_pub)] // Each suite uses a different part of the support.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

/// The API key the server accepts: Adyen's keys carry no test/live prefix.
pub const API_KEY: &str = "AQEyhmfxK4vJbhFLw0m"; // audit:allow: a fake key

/// What the server does with the next request instead of answering it normally.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// 422, errorCode 704: a request with this key is still in progress (not processed).
    InProgress,
    /// The same answer with 409, as it has been seen in traffic (not processed).
    InProgressConflict,
    /// 422, errorCode 14_030: the return URL is missing (not processed).
    ReturnUrlMissing,
    /// 500, errorCode 000 (generic), errorType internal: a fault at Adyen (not processed).
    Internal,
    /// Process the payment, then drop the connection instead of answering.
    DropAfterProcessing,
    /// Process the payment as refused: HTTP 200, `resultCode: Refused`, with this refusal
    /// reason code and text.
    Refuse {
        /// `refusalReasonCode`, such as `12`.
        code: &'static str,
        /// `refusalReason`, such as `Not enough balance`.
        reason: &'static str,
    },
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The request path, `/v72/payments`.
    pub path: String,
    /// The `X-API-Key` header.
    pub api_key: Option<String>,
    /// The `Authorization` header (Adyen's API-key auth sends none).
    pub authorization: Option<String>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body, parsed as JSON (`Null` when it is not JSON).
    pub body: Value,
}

#[derive(Default)]
struct ServerState {
    faults: VecDeque<Fault>,
    seen: Vec<Seen>,
    /// Idempotency key -> the answer given the first time, replayed on reuse.
    replays: BTreeMap<String, Value>,
    /// The pspReferences of the payments processed, one per effect.
    payments: Vec<String>,
}

type Shared = Arc<Mutex<ServerState>>;

fn lock(state: &Shared) -> MutexGuard<'_, ServerState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The Adyen-shaped Checkout server; stopped when dropped.
pub struct CheckoutServer {
    /// The base URL of its API version, `http://127.0.0.1:PORT/v72`.
    pub base_url: String,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl CheckoutServer {
    /// Starts the server on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let state = Shared::default();
        let app = axum::Router::new()
            .route("/v72/payments", axum::routing::post(payments))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}/v72", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url,
            state,
            task,
        })
    }

    /// Queues faults for the next requests, in order.
    pub fn queue(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state).faults.extend(faults);
    }

    /// Every request seen, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }

    /// The idempotency keys of every request seen, in order.
    pub fn keys(&self) -> Vec<Option<String>> {
        self.seen().into_iter().map(|s| s.idempotency_key).collect()
    }

    /// The pspReferences of the payments processed (each a distinct effect).
    pub fn payments(&self) -> Vec<String> {
        lock(&self.state).payments.clone()
    }
}

impl Drop for CheckoutServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn payments(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = Seen {
        path: uri.path().to_owned(),
        api_key: header(&headers, "x-api-key"),
        authorization: header(&headers, "authorization"),
        idempotency_key: header(&headers, "idempotency-key"),
        content_type: header(&headers, "content-type"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let mut state = lock(&state);
    state.seen.push(seen.clone());
    if seen.api_key.as_deref() != Some(API_KEY) {
        return service_error(
            401,
            "000",
            "security",
            "HTTP Status Response - Unauthorized",
        );
    }
    let fault = state.faults.pop_front();
    match fault {
        Some(Fault::InProgress) => {
            return service_error(
                422,
                "704",
                "validation",
                "request already processed or in progress",
            );
        }
        Some(Fault::InProgressConflict) => {
            return service_error(
                409,
                "704",
                "validation",
                "request already processed or in progress",
            );
        }
        Some(Fault::ReturnUrlMissing) => {
            return service_error(422, "14_030", "validation", "Return URL is missing.");
        }
        Some(Fault::Internal) => return service_error(500, "000", "internal", "Internal error"),
        _ => {}
    }
    let key = seen.idempotency_key.unwrap_or_default();
    let answer = match state.replays.get(&key) {
        Some(answer) => answer.clone(),
        None => {
            let answer = process(&mut state, &seen.body, fault.as_ref());
            state.replays.insert(key, answer.clone());
            answer
        }
    };
    match fault {
        Some(Fault::DropAfterProcessing) => dropped_connection(),
        _ => json_response(200, &answer),
    }
}

/// Processes a payment: a new pspReference, authorised unless the fault refuses it.
fn process(state: &mut ServerState, request: &Value, fault: Option<&Fault>) -> Value {
    let psp_reference = format!("88{:014}", state.payments.len() + 1);
    state.payments.push(psp_reference.clone());
    match fault {
        Some(Fault::Refuse { code, reason }) => json!({
            "pspReference": psp_reference,
            "resultCode": "Refused",
            "refusalReason": reason,
            "refusalReasonCode": code,
            "merchantReference": request["reference"],
        }),
        _ => json!({
            "pspReference": psp_reference,
            "resultCode": "Authorised",
            "merchantReference": request["reference"],
            "amount": request["amount"],
        }),
    }
}

/// Adyen's `ServiceError`, at the top level of the body.
fn service_error(status: u16, code: &str, kind: &str, message: &str) -> Response {
    let body = json!({
        "status": status,
        "errorCode": code,
        "errorType": kind,
        "message": message,
        "pspReference": "PSPERR0000000001",
    });
    json_response(status, &body)
}

fn json_response(status: u16, body: &Value) -> Response {
    let reference = body["pspReference"].as_str().unwrap_or_default().to_owned();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .header("pspReference", reference)
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

/// A response whose body fails: hyper aborts the connection mid-response, so the client
/// cannot know whether the payment was made.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(failing))
        .unwrap_or_default()
}
