//! The fake provider: an axum app on 127.0.0.1:0 with Stripe's idempotency semantics and
//! queued faults.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub idempotency_key: Option<String>,
    pub authorization: Option<String>,
    pub api_version: Option<String>,
    /// The `X-Trace` header, which header-parameter tests send.
    pub trace: Option<String>,
    pub body: String,
}

/// How the server answers the next request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer this instead of running the request.
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Run the request, then drop the connection instead of answering.
    DropAfterProcessing,
    /// Run the request, then answer only after this long (past the client's timeout).
    StallAfterProcessing(Duration),
}

impl Fault {
    /// A Stripe error object answer.
    pub fn error(status: u16, error_type: &str, code: &str) -> Self {
        Self::Respond {
            status,
            headers: Vec::new(),
            body: format!(
                r#"{{"error":{{"type":"{error_type}","code":"{code}","message":"test"}}}}"#
            ),
        }
    }

    /// The same answer with a header added.
    pub fn with_header(self, name: &'static str, value: &str) -> Self {
        match self {
            Self::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name, value.to_owned()));
                Self::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

#[derive(Default)]
struct ServerState {
    seen: Vec<Seen>,
    faults: VecDeque<Fault>,
    accepted_keys: Vec<String>,
    /// Idempotency key -> the stored charge response body.
    replays: BTreeMap<String, String>,
    /// Charges actually created: the effects that must happen once.
    charges: Vec<String>,
}

/// A running fake provider.
#[derive(Clone)]
pub struct FakeProvider {
    pub base_url: String,
    state: Arc<Mutex<ServerState>>,
}

impl FakeProvider {
    /// Starts a server accepting the given keys.
    pub async fn start(accepted_keys: &[&str]) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(ServerState {
            accepted_keys: accepted_keys.iter().map(|k| (*k).to_owned()).collect(),
            ..ServerState::default()
        }));
        let app = Router::new()
            .route("/v1/charges", post(create_charge).get(list_charges))
            .route("/v1/charges/{charge}", get(retrieve_charge))
            .route("/v1/files/{file}/contents", get(file_contents))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { base_url, state })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues faults for the next requests, in order.
    pub fn queue(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    /// Replaces the keys the server accepts.
    pub fn accept_only(&self, keys: &[&str]) {
        self.lock().accepted_keys = keys.iter().map(|k| (*k).to_owned()).collect();
    }

    /// Every request seen, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The charges created (each a distinct effect).
    pub fn charges(&self) -> Vec<String> {
        self.lock().charges.clone()
    }
}

type Shared = Arc<Mutex<ServerState>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, ServerState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the server does with a request.
enum Admission {
    /// Run it, then apply the fault if any.
    Run(Option<Fault>),
    /// Answer this without running it.
    Answer(Response),
}

/// Records the request, checks its key and takes the next fault.
fn admit(
    state: &Shared,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Admission {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut state = lock(state);
    let seen = Seen {
        method,
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        idempotency_key: header("idempotency-key"),
        authorization: header("authorization"),
        api_version: header("stripe-version"),
        trace: header("x-trace"),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let authorised = seen
        .authorization
        .as_deref()
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|key| state.accepted_keys.iter().any(|k| k == key));
    state.seen.push(seen);
    if !authorised {
        return Admission::Answer(json(
            401,
            r#"{"error":{"type":"authentication_error","code":"invalid_api_key"}}"#.to_owned(),
        ));
    }
    match state.faults.pop_front() {
        Some(Fault::Respond {
            status,
            headers,
            body,
        }) => {
            let mut response = json(status, body);
            for (name, value) in headers {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
            Admission::Answer(response)
        }
        other => Admission::Run(other),
    }
}

fn json(status: u16, body: String) -> Response {
    let count = body.len();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .header("request-id", format!("req_{count}"))
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Answers after the fault, if any, has had its way.
async fn deliver(fault: Option<Fault>, response: Response) -> Response {
    match fault {
        Some(Fault::DropAfterProcessing) => {
            // A body that fails makes hyper abort the connection mid-response.
            let failing = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
            });
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from_stream(failing))
                .unwrap_or_default()
        }
        Some(Fault::StallAfterProcessing(delay)) => {
            tokio::time::sleep(delay).await;
            response
        }
        _ => response,
    }
}

async fn create_charge(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = match admit(&state, method, &uri, &headers, &body) {
        Admission::Run(fault) => fault,
        Admission::Answer(response) => return response,
    };
    let response = {
        let mut state = lock(&state);
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match key.as_ref().and_then(|k| state.replays.get(k)) {
            Some(stored) => json(200, stored.clone()),
            None => {
                let amount = form_value(&body, "amount")
                    .and_then(|a| a.parse::<i64>().ok())
                    .unwrap_or(0);
                let id = format!("ch_{}", state.charges.len() + 1);
                let stored = format!(r#"{{"id":"{id}","amount":{amount}}}"#);
                state.charges.push(id);
                if let Some(key) = key {
                    state.replays.insert(key, stored.clone());
                }
                json(200, stored)
            }
        }
    };
    deliver(fault, response).await
}

async fn retrieve_charge(
    State(state): State<Shared>,
    Path(charge): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let fault = match admit(&state, method, &uri, &headers, &Bytes::new()) {
        Admission::Run(fault) => fault,
        Admission::Answer(response) => return response,
    };
    deliver(
        fault,
        json(200, format!(r#"{{"id":"{charge}","amount":100}}"#)),
    )
    .await
}

/// Five charges `ch_1`..`ch_5`, two per page.
async fn list_charges(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let fault = match admit(&state, method, &uri, &headers, &Bytes::new()) {
        Admission::Run(fault) => fault,
        Admission::Answer(response) => return response,
    };
    let query = Bytes::from(uri.query().unwrap_or_default().to_owned());
    let after = form_value(&query, "starting_after")
        .and_then(|id| id.strip_prefix("ch_").and_then(|n| n.parse::<usize>().ok()))
        .unwrap_or(0);
    let ids: Vec<usize> = ((after + 1)..=5).take(2).collect();
    let data: Vec<String> = ids
        .iter()
        .map(|n| format!(r#"{{"id":"ch_{n}","amount":{n}00}}"#))
        .collect();
    let has_more = ids.last().is_some_and(|last| *last < 5);
    let body = format!(
        r#"{{"object":"list","url":"/v1/charges","has_more":{has_more},"data":[{}]}}"#,
        data.join(",")
    );
    deliver(fault, json(200, body)).await
}

async fn file_contents(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Admission::Answer(response) = admit(&state, method, &uri, &headers, &Bytes::new()) {
        return response;
    }
    Response::builder()
        .header("content-type", "application/pdf")
        .body(Body::from(&b"%PDF-1.4 \x00\xff binary"[..]))
        .unwrap_or_default()
}

/// The value of `name` in a form or query string.
pub fn form_value(body: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
