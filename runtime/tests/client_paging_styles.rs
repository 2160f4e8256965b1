//! Paging by page number and by HATEOAS `next` links through `client.paginate`, the refusal
//! of a `next` link to another host, and the `Prefer` return preference, against a local
//! server that pages and links the way PayPal does.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use client_support::{KEY_A, TestProvider, TestResult, key_file};
use futures::{StreamExt, TryStreamExt};
use payforge::Error;
use payforge::client::{Client, Environment};
use payforge::journal::MemoryJournal;
use payforge::secrets::FileSecretProvider;
use payforge::wire::{ItemsPage, Link, Links, MinimalResponse, links_of, next_link, page_count};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Plan {
    id: String,
}

/// `{plans, total_items, total_pages, links}`, as a generated SDK declares it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct PlanCollection {
    plans: Option<Vec<Plan>>,
    total_pages: Option<i64>,
    links: Option<Vec<Link>>,
}

impl ItemsPage for PlanCollection {
    type Item = Plan;
    fn into_items(self) -> Vec<Plan> {
        payforge::wire::page_items(self.plans)
    }
    fn total_pages(&self) -> Option<u64> {
        page_count(&self.total_pages)
    }
}

/// `{events, count, links}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct EventList {
    events: Vec<Plan>,
    links: Option<Vec<Link>>,
}

impl Links for EventList {
    fn links(&self) -> &[Link] {
        links_of(&self.links)
    }
}

impl ItemsPage for EventList {
    type Item = Plan;
    fn into_items(self) -> Vec<Plan> {
        self.events
    }
    fn next_link(&self) -> Option<&str> {
        next_link(self)
    }
}

#[payforge::endpoint(provider = TestProvider, method = GET, path = "/v1/billing/plans", output = PlanCollection, paginate = pages)]
#[derive(Clone, Debug, Default, Serialize)]
struct ListPlans {
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_required: Option<bool>,
}

#[payforge::endpoint(provider = TestProvider, method = GET, path = "/v1/notifications/webhooks-events", output = EventList, paginate = links)]
#[derive(Clone, Debug, Default, Serialize)]
struct ListEvents {
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
}

#[payforge::endpoint(provider = TestProvider, method = GET, path = "/v1/foreign-events", output = EventList, paginate = links)]
#[derive(Clone, Debug, Default, Serialize)]
struct ListForeignEvents {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
    status: String,
    intent: String,
    links: Vec<Link>,
}

#[payforge::endpoint(provider = TestProvider, method = POST, path = "/v2/checkout/orders", encoding = json, output = Order, idempotent, prefer)]
#[derive(Clone, Debug, Serialize)]
struct CreateOrder {
    intent: String,
}

/// What the server saw: each request's path and query, and each `Prefer` header.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<String>>>,
    prefer: Arc<Mutex<Vec<Option<String>>>>,
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
struct AppState {
    seen: Seen,
    base: String,
}

/// Five plans, two a page: pages 1 to 3, `total_pages` only when asked.
async fn plans(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    state.seen.record("/v1/billing/plans", &query);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let size: usize = query
        .get("page_size")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10);
    let plans: Vec<Value> = (1..=5)
        .skip((page - 1) * size)
        .take(size)
        .map(|n| json!({"id": format!("P-{n}")}))
        .collect();
    let mut body = json!({"plans": plans, "links": [{"href": format!("{}/v1/billing/plans?page={page}", state.base), "rel": "self", "method": "GET"}]});
    if query.get("total_required").map(String::as_str) == Some("true") {
        body["total_items"] = json!(5);
        body["total_pages"] = json!(5_usize.div_ceil(size));
    }
    Json(body)
}

/// Events in three pages of two, one and zero `next` links: `start` is the server's cursor.
async fn events(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    state
        .seen
        .record("/v1/notifications/webhooks-events", &query);
    let start: usize = query.get("start").and_then(|p| p.parse().ok()).unwrap_or(0);
    let all = ["WH-1", "WH-2", "WH-3", "WH-4", "WH-5"];
    let events: Vec<Value> = all
        .iter()
        .skip(start)
        .take(2)
        .map(|id| json!({"id": id}))
        .collect();
    let mut links = vec![
        json!({"href": format!("{}/v1/notifications/webhooks-events?start={start}", state.base), "rel": "self", "method": "GET"}),
    ];
    if start + 2 < all.len() {
        let next = format!(
            "{}/v1/notifications/webhooks-events?page_size=2&start={}",
            state.base,
            start + 2
        );
        links.push(json!({"href": next, "rel": "next", "method": "GET"}));
    }
    Json(json!({"events": events, "count": 2, "links": links}))
}

/// One page whose `next` link points to another port of the same host.
async fn foreign(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    state.seen.record("/v1/foreign-events", &query);
    Json(
        json!({"events": [{"id": "WH-1"}], "links": [{"href": "http://127.0.0.1:9/v1/foreign-events?start=1", "rel": "next"}]}),
    )
}

async fn create_order(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut seen) = state.seen.prefer.lock() {
        seen.push(prefer.clone());
    }
    let links = json!([
        {"href": "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T", "rel": "approve", "method": "GET"},
        {"href": format!("{}/v2/checkout/orders/5O190127TN364715T/capture", state.base), "rel": "capture", "method": "POST"}
    ]);
    if prefer.as_deref() == Some("return=minimal") {
        Json(json!({"id": "5O190127TN364715T", "status": "CREATED", "links": links}))
    } else {
        Json(
            json!({"id": "5O190127TN364715T", "status": "CREATED", "intent": "CAPTURE", "links": links}),
        )
    }
}

async fn start()
-> Result<(Client<TestProvider>, Seen, tempfile::TempDir), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let seen = Seen::default();
    let app = Router::new()
        .route("/v1/billing/plans", get(plans))
        .route("/v1/notifications/webhooks-events", get(events))
        .route("/v1/foreign-events", get(foreign))
        .route("/v2/checkout/orders", post(create_order))
        .with_state(AppState {
            seen: seen.clone(),
            base: base.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (dir, key) = key_file(KEY_A)?;
    let client = Client::<TestProvider>::builder()
        .environment(Environment::Sandbox { base_url: base })
        .secrets(FileSecretProvider::new(key))
        .journal(Arc::new(MemoryJournal::new()))
        .build()
        .await?;
    Ok((client, seen, dir))
}

#[tokio::test]
async fn pages_are_numbered_up_to_the_total_the_response_gives() -> TestResult {
    let (client, seen, _dir) = start().await?;
    let op = ListPlans {
        page_size: Some(2),
        total_required: Some(true),
        ..ListPlans::default()
    };

    let plans: Vec<Plan> = client.paginate(op).try_collect().await?;

    let ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["P-1", "P-2", "P-3", "P-4", "P-5"]);
    assert_eq!(
        seen.requests(),
        [
            "/v1/billing/plans?page_size=2&total_required=true",
            "/v1/billing/plans?page=2&page_size=2&total_required=true",
            "/v1/billing/plans?page=3&page_size=2&total_required=true",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn without_a_total_a_short_page_is_the_last() -> TestResult {
    let (client, seen, _dir) = start().await?;
    let op = ListPlans {
        page_size: Some(2),
        ..ListPlans::default()
    };

    let plans: Vec<Plan> = client.paginate(op).try_collect().await?;

    assert_eq!(plans.len(), 5);
    assert_eq!(
        seen.requests().len(),
        3,
        "page 3 holds one plan, fewer than asked"
    );
    Ok(())
}

#[tokio::test]
async fn next_links_are_followed_to_the_last_page() -> TestResult {
    let (client, seen, _dir) = start().await?;

    let events: Vec<Plan> = client
        .paginate(ListEvents { page_size: Some(2) })
        .try_collect()
        .await?;

    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["WH-1", "WH-2", "WH-3", "WH-4", "WH-5"]);
    assert_eq!(
        seen.requests(),
        [
            "/v1/notifications/webhooks-events?page_size=2",
            "/v1/notifications/webhooks-events?page_size=2&start=2",
            "/v1/notifications/webhooks-events?page_size=2&start=4",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused_not_followed() -> TestResult {
    let (client, seen, _dir) = start().await?;

    let results: Vec<_> = client.paginate(ListForeignEvents {}).collect().await;

    assert_eq!(results.len(), 2, "{results:?}");
    assert!(matches!(&results[0], Ok(event) if event.id == "WH-1"));
    assert!(
        matches!(&results[1], Err(Error::ForeignLink { reason }) if reason.contains("127.0.0.1:9")),
        "{results:?}"
    );
    assert_eq!(seen.requests().len(), 1, "nothing was sent to the link");
    Ok(())
}

#[tokio::test]
async fn prefer_asks_for_the_representation_unless_minimal_is_chosen() -> TestResult {
    let (client, seen, _dir) = start().await?;
    let order = CreateOrder {
        intent: "CAPTURE".to_owned(),
    };

    let full: Order = client.send(order.clone()).await?;
    let minimal: MinimalResponse<Order> = client.send(order.minimal()).await?;

    assert_eq!(full.intent, "CAPTURE");
    assert_eq!(minimal.id.as_deref(), Some("5O190127TN364715T"));
    assert_eq!(minimal.status.as_deref(), Some("CREATED"));
    assert!(minimal.other.get("intent").is_none());
    assert_eq!(
        minimal.link("capture").map(|l| l.method()),
        Some(payforge::wire::LinkMethod::Post)
    );
    let prefer = seen.prefer.lock().map(|p| p.clone()).unwrap_or_default();
    assert_eq!(
        prefer,
        [
            Some("return=representation".to_owned()),
            Some("return=minimal".to_owned())
        ]
    );
    Ok(())
}
