//! The admin surface under `/_sandbox/`: the route list, faults, webhook faults,
//! deliveries, the ledger, the sandbox clock, 3-D Secure completion, reset. JSON in and
//! out; protected by `X-Sandbox-Admin-Token` only when the sandbox was started with an
//! admin token.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use crate::api;
use crate::faults::FaultSpec;
use crate::ledger;
use crate::webhooks::WebhookFaults;

type Reply = Result<axum::Json<Value>, AdminError>;

/// An admin request that could not be served: `{"error": {"message": …}}`.
struct AdminError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "message": self.message } });
        (self.status, axum::Json(body)).into_response()
    }
}

fn failure(status: StatusCode, message: impl Into<String>) -> AdminError {
    AdminError {
        status,
        message: message.into(),
    }
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|error| {
        failure(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {error}"),
        )
    })
}

/// The admin routes, to be merged into the sandbox's router.
pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let admin = Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(json!({ "status": "ok" })) }),
        )
        .route("/routes", get(list_routes))
        .route("/ledger", get(read_ledger))
        .route("/reset", post(reset))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .route(
            "/webhooks/faults",
            get(webhook_faults)
                .post(set_webhook_faults)
                .delete(clear_webhook_faults),
        )
        .route("/deliveries", get(deliveries))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/payment_intents/{id}/authenticate", post(authenticate))
        .route_layer(middleware::from_fn_with_state(shared, require_token));
    Router::new().nest("/_sandbox", admin)
}

/// Checks the admin token when one is configured.
async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &shared.admin_token {
        let sent = request
            .headers()
            .get("x-sandbox-admin-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(token.as_str()) {
            return failure(
                StatusCode::UNAUTHORIZED,
                "missing or wrong X-Sandbox-Admin-Token",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The `/v1` operations the sandbox serves, as [`api::routes`] lists them.
async fn list_routes() -> Reply {
    let routes: Vec<Value> = api::routes()
        .map(|(method, path)| json!({ "method": method, "path": path }))
        .collect();
    Ok(axum::Json(json!({ "routes": routes })))
}

async fn read_ledger(State(shared): State<Arc<Shared>>) -> Reply {
    let ledger = ledger::read(&shared.lock());
    Ok(axum::Json(
        serde_json::to_value(ledger).unwrap_or(Value::Null),
    ))
}

async fn reset(State(shared): State<Arc<Shared>>) -> Reply {
    shared.lock().reset();
    shared.faults().clear();
    shared.changed();
    Ok(axum::Json(json!({ "reset": true })))
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Reply {
    Ok(axum::Json(
        json!({ "faults": serde_json::to_value(shared.faults().rules()).unwrap_or(Value::Null) }),
    ))
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let spec: FaultSpec = parse(&body)?;
    let mut faults = shared.faults();
    let rule = faults
        .add(spec)
        .map_err(|message| failure(StatusCode::BAD_REQUEST, message))?;
    Ok(axum::Json(
        serde_json::to_value(rule).unwrap_or(Value::Null),
    ))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Reply {
    shared.faults().clear();
    Ok(axum::Json(json!({ "faults": [] })))
}

async fn remove_fault(State(shared): State<Arc<Shared>>, Path(id): Path<u64>) -> Reply {
    if shared.faults().remove(id) {
        Ok(axum::Json(json!({ "id": id, "deleted": true })))
    } else {
        Err(failure(
            StatusCode::NOT_FOUND,
            format!("no fault with id {id}"),
        ))
    }
}

async fn webhook_faults(State(shared): State<Arc<Shared>>) -> Reply {
    Ok(axum::Json(
        serde_json::to_value(shared.lock().deliveries.faults()).unwrap_or(Value::Null),
    ))
}

async fn set_webhook_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let faults: WebhookFaults = parse(&body)?;
    shared.lock().deliveries.set_faults(faults.clone());
    Ok(axum::Json(
        serde_json::to_value(faults).unwrap_or(Value::Null),
    ))
}

async fn clear_webhook_faults(State(shared): State<Arc<Shared>>) -> Reply {
    shared
        .lock()
        .deliveries
        .set_faults(WebhookFaults::default());
    shared.changed();
    Ok(axum::Json(
        serde_json::to_value(WebhookFaults::default()).unwrap_or(Value::Null),
    ))
}

async fn deliveries(State(shared): State<Arc<Shared>>) -> Reply {
    let store = shared.lock();
    let list: Vec<Value> = store
        .deliveries
        .list()
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect();
    Ok(axum::Json(json!({ "deliveries": list })))
}

async fn clock(State(shared): State<Arc<Shared>>) -> Reply {
    Ok(axum::Json(json!({ "now": shared.lock().now() })))
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let advance: Advance = parse(&body)?;
    // A century at most, so sandbox time stays far from integer overflow.
    if !(0..=100 * 365 * 86_400).contains(&advance.seconds) {
        return Err(failure(
            StatusCode::BAD_REQUEST,
            "the sandbox clock moves forward by at most a century at a time",
        ));
    }
    let now = {
        let mut store = shared.lock();
        store.advance_clock(advance.seconds);
        api::run_unclocked(&mut store)
            .map_err(|error| failure(error.status(), error.to_body().to_string()))?;
        store.now()
    };
    shared.changed();
    Ok(axum::Json(json!({ "now": now })))
}

#[derive(Deserialize)]
struct Authentication {
    #[serde(default = "succeed")]
    outcome: String,
}

fn succeed() -> String {
    "succeed".into()
}

async fn authenticate(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request: Authentication = if body.is_empty() {
        Authentication { outcome: succeed() }
    } else {
        match parse(&body) {
            Ok(request) => request,
            Err(error) => return error.into_response(),
        }
    };
    let result = api::authenticate(&mut shared.lock(), &id, request.outcome != "fail");
    shared.changed();
    match result {
        Ok(intent) => axum::Json(intent).into_response(),
        Err(error) => (error.status(), axum::Json(error.to_body())).into_response(),
    }
}
