//! The generated PayPal SDK, sent by `payforge::Client<Paypal>` to a PayPal-shaped server on
//! 127.0.0.1: the OAuth2 token from `/v1/oauth2/token`, then `Prefer` as a typed choice
//! (the full order by default, a `MinimalResponse` through `.minimal()`), the buyer-approval
//! link in one call, three pages of plans by page number, and webhook events by their
//! HATEOAS `next` links.
#![cfg(all(feature = "orders", feature = "subscriptions", feature = "webhooks"))]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::TryStreamExt;
use payforge::client::{Client, Environment};
use payforge::secrets::FileSecretProvider;
use payforge::wire::{LinkMethod, Links, MinimalResponse};
use payforge_paypal::{
    ApproveLink, CheckoutPaymentIntent, CreateOrder, ListPlans, ListWebhookEvents, Order,
    OrderStatus, Paypal,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const ORDER_ID: &str = "5O190127TN364715T";
const TOKEN: &str = "A21AAtest-access-token";

/// What the server saw: API requests (path and sorted query) and `Prefer` headers.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<String>>>,
    prefer: Arc<Mutex<Vec<Option<String>>>>,
    tokens: Arc<Mutex<usize>>,
}

impl Seen {
    fn record(&self, path: &str, query: &HashMap<String, String>) {
        let mut pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(format!("{path}?{}", pairs.join("&")));
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[derive(Clone)]
struct PaypalServer {
    seen: Seen,
    base: String,
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn token(State(server): State<PaypalServer>, body: String) -> (StatusCode, Json<Value>) {
    if let Ok(mut tokens) = server.seen.tokens.lock() {
        *tokens += 1;
    }
    if body != "grant_type=client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        );
    }
    (
        StatusCode::OK,
        Json(
            json!({"scope": "https://uri.paypal.com/services/payments/payment", "access_token": TOKEN, "token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": 32400, "nonce": "2024-02-02T00:00:00Z"}),
        ),
    )
}

fn order_links(base: &str) -> Value {
    json!([
        {"href": format!("{base}/v2/checkout/orders/{ORDER_ID}"), "rel": "self", "method": "GET"},
        {"href": format!("https://www.sandbox.paypal.com/checkoutnow?token={ORDER_ID}"), "rel": "approve", "method": "GET"},
        {"href": format!("{base}/v2/checkout/orders/{ORDER_ID}"), "rel": "update", "method": "PATCH"},
        {"href": format!("{base}/v2/checkout/orders/{ORDER_ID}/capture"), "rel": "capture", "method": "POST"}
    ])
}

async fn create_order(
    State(server): State<PaypalServer>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"name": "AUTHENTICATION_FAILURE"})),
        );
    }
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut seen) = server.seen.prefer.lock() {
        seen.push(prefer.clone());
    }
    let links = order_links(&server.base);
    let body = if prefer.as_deref() == Some("return=representation") {
        json!({
            "id": ORDER_ID, "intent": "CAPTURE", "status": "CREATED",
            "purchase_units": [{"reference_id": "default", "amount": {"currency_code": "USD", "value": "100.00"}}],
            "create_time": "2024-02-02T10:00:00Z", "links": links
        })
    } else {
        json!({"id": ORDER_ID, "status": "CREATED", "links": links})
    };
    (StatusCode::CREATED, Json(body))
}

/// Seven plans: pages of `page_size`, `total_pages` when `total_required=true`.
async fn list_plans(
    State(server): State<PaypalServer>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"name": "AUTHENTICATION_FAILURE"})),
        );
    }
    server.seen.record("/v1/billing/plans", &query);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let size: usize = query
        .get("page_size")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10);
    let plans: Vec<Value> = (1..=7)
        .skip((page.max(1) - 1) * size)
        .take(size)
        .map(|n| json!({"id": format!("P-{n}"), "product_id": "PROD-1", "name": format!("Plan {n}"), "status": "ACTIVE"}))
        .collect();
    let mut body = json!({
        "plans": plans,
        "links": [{"href": format!("{}/v1/billing/plans?page_size={size}&page={page}", server.base), "rel": "self", "method": "GET"}]
    });
    if query.get("total_required").map(String::as_str) == Some("true") {
        body["total_items"] = json!(7);
        body["total_pages"] = json!(7_usize.div_ceil(size));
    }
    (StatusCode::OK, Json(body))
}

/// Five events, two a page, chained by `next` links that carry PayPal's own cursor.
async fn list_events(
    State(server): State<PaypalServer>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"name": "AUTHENTICATION_FAILURE"})),
        );
    }
    server
        .seen
        .record("/v1/notifications/webhooks-events", &query);
    let start: usize = query
        .get("start_id")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let events: Vec<Value> = (start..5)
        .take(2)
        .map(|n| json!({"id": format!("WH-{n}"), "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource_type": "capture"}))
        .collect();
    let mut links = vec![
        json!({"href": format!("{}/v1/notifications/webhooks-events?page_size=2", server.base), "rel": "self", "method": "GET"}),
    ];
    if start + 2 < 5 {
        links.push(json!({"href": format!("{}/v1/notifications/webhooks-events?page_size=2&start_id={}", server.base, start + 2), "rel": "next", "method": "GET"}));
    }
    (
        StatusCode::OK,
        Json(json!({"events": events, "count": events.len(), "links": links})),
    )
}

async fn start() -> Result<(Client<Paypal>, Seen, tempfile::TempDir), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let seen = Seen::default();
    let app = Router::new()
        .route("/v1/oauth2/token", post(token))
        .route("/v2/checkout/orders", post(create_order))
        .route("/v1/billing/plans", get(list_plans))
        .route("/v1/notifications/webhooks-events", get(list_events))
        .with_state(PaypalServer {
            seen: seen.clone(),
            base: base.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir()?;
    let credentials = dir.path().join("paypal-credentials");
    std::fs::write(&credentials, "client-id-123:client-secret-456\n")?;
    let client = Client::<Paypal>::builder()
        .environment(Environment::Sandbox { base_url: base })
        .secrets(FileSecretProvider::new(credentials))
        .ephemeral_journal()
        .build()
        .await?;
    Ok((client, seen, dir))
}

fn create_order_op() -> Result<CreateOrder, serde_json::Error> {
    let units = serde_json::from_value(json!([
        {"reference_id": "default", "amount": {"currency_code": "USD", "value": "100.00"}}
    ]))?;
    Ok(CreateOrder::new(CheckoutPaymentIntent::Capture, units))
}

#[tokio::test]
async fn prefer_representation_returns_the_order_and_minimal_says_it_is_minimal() -> TestResult {
    let (client, seen, _dir) = start().await?;

    let order: Order = client.send(create_order_op()?).await?;
    let minimal: MinimalResponse<Order> = client.send(create_order_op()?.minimal()).await?;

    assert_eq!(order.intent, Some(CheckoutPaymentIntent::Capture));
    assert_eq!(order.status, Some(OrderStatus::Created));
    assert!(order.purchase_units.is_some_and(|units| units.len() == 1));
    assert_eq!(minimal.id.as_deref(), Some(ORDER_ID));
    assert_eq!(minimal.status.as_deref(), Some("CREATED"));
    assert!(minimal.other.get("purchase_units").is_none());
    let prefer = seen.prefer.lock().map(|p| p.clone()).unwrap_or_default();
    assert_eq!(
        prefer,
        [
            Some("return=representation".to_owned()),
            Some("return=minimal".to_owned())
        ]
    );
    assert_eq!(
        seen.tokens.lock().map(|t| *t).unwrap_or_default(),
        1,
        "one token for both calls"
    );
    Ok(())
}

#[tokio::test]
async fn the_approval_link_is_one_call_on_the_order_and_on_its_minimal_form() -> TestResult {
    let (client, _seen, _dir) = start().await?;

    let order = client.send(create_order_op()?).await?;
    let minimal = client.send(create_order_op()?.minimal()).await?;

    let approve = order.approve_link().map(|link| link.href.as_str());
    let expected = format!("https://www.sandbox.paypal.com/checkoutnow?token={ORDER_ID}");
    assert_eq!(approve, Some(expected.as_str()));
    assert_eq!(
        minimal.approve_link().map(|l| l.href.as_str()),
        Some(expected.as_str())
    );
    let capture = order.link("capture");
    assert_eq!(capture.map(|link| link.method()), Some(LinkMethod::Post));
    assert_eq!(order.links().len(), 4);
    Ok(())
}

#[tokio::test]
async fn plans_are_paged_by_number_through_three_pages() -> TestResult {
    let (client, seen, _dir) = start().await?;

    let plans: Vec<_> = client
        .paginate(ListPlans::new().page_size(3).total_required(true))
        .try_collect()
        .await?;

    let ids: Vec<_> = plans.iter().filter_map(|plan| plan.id.as_deref()).collect();
    assert_eq!(ids, ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7"]);
    assert_eq!(
        seen.requests(),
        [
            "/v1/billing/plans?page_size=3&total_required=true",
            "/v1/billing/plans?page=2&page_size=3&total_required=true",
            "/v1/billing/plans?page=3&page_size=3&total_required=true",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn webhook_events_are_paged_by_their_next_links() -> TestResult {
    let (client, seen, _dir) = start().await?;

    let events: Vec<_> = client
        .paginate(ListWebhookEvents::new().page_size(2))
        .try_collect()
        .await?;

    assert_eq!(events.len(), 5);
    assert_eq!(
        seen.requests(),
        [
            "/v1/notifications/webhooks-events?page_size=2",
            "/v1/notifications/webhooks-events?page_size=2&start_id=2",
            "/v1/notifications/webhooks-events?page_size=2&start_id=4",
        ]
    );
    Ok(())
}
