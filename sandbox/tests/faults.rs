//! Injected faults, the ledger and reset.

mod common;

use common::{Api, TestResult, expect_status, start};
use serde_json::{Value, json};

const PAYMENT: &str = "amount=2500&currency=usd&payment_method=pm_card_visa&confirm=true";

fn fault(kind: &str, extra: Value) -> Value {
    let mut rule =
        json!({ "method": "POST", "path": "/v1/payment_intents", "kind": kind, "count": 1 });
    if let (Some(rule), Some(extra)) = (rule.as_object_mut(), extra.as_object()) {
        rule.extend(extra.clone());
    }
    rule
}

async fn charges(api: &Api) -> TestResult<i64> {
    Ok(api.admin_get("/ledger").await?.body["totals"]["charges"]
        .as_i64()
        .unwrap_or(-1))
}

#[tokio::test]
async fn error_and_rate_limit_faults_answer_without_processing() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    expect_status(
        &api.admin_post("/faults", fault("error", json!({}))).await?,
        200,
    )?;
    let failed = api.post("/v1/payment_intents", PAYMENT).await?;
    assert_eq!(
        (failed.status, failed.body["error"]["type"].as_str()),
        (500, Some("api_error"))
    );
    expect_status(
        &api.admin_post("/faults", fault("rate_limit", json!({ "retry_after": 7 })))
            .await?,
        200,
    )?;
    let limited = api.post("/v1/payment_intents", PAYMENT).await?;
    assert_eq!(
        (limited.status, limited.body["error"]["code"].as_str()),
        (429, Some("rate_limit"))
    );
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(
        charges(&api).await?,
        0,
        "faulted requests must not be processed"
    );
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    // A fault on another path or method does not fire.
    expect_status(
        &api.admin_post(
            "/faults",
            fault("error", json!({ "path": "/v1/customers" })),
        )
        .await?,
        200,
    )?;
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    expect_status(&api.get("/v1/customers").await?, 200)?;
    Ok(())
}

#[tokio::test]
async fn dropping_before_processing_closes_the_connection_and_charges_nothing() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    expect_status(
        &api.admin_post("/faults", fault("drop_before", json!({})))
            .await?,
        200,
    )?;
    let fresh = Api {
        http: reqwest::Client::new(),
        ..api.clone()
    };
    let outcome = fresh
        .post_with_key("/v1/payment_intents", PAYMENT, Some("drop-1"))
        .await;
    assert!(
        outcome.is_err(),
        "the client must see a connection error, got {outcome:?}"
    );
    assert_eq!(charges(&api).await?, 0);
    let retried = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("drop-1"))
        .await?;
    expect_status(&retried, 200)?;
    assert_eq!(
        retried.header("idempotent-replayed"),
        None,
        "nothing was committed to replay"
    );
    assert_eq!(charges(&api).await?, 1);
    Ok(())
}

#[tokio::test]
async fn dropping_after_commit_charges_once_and_the_keyed_retry_replays() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    expect_status(
        &api.admin_post("/faults", fault("drop_after", json!({})))
            .await?,
        200,
    )?;
    let fresh = Api {
        http: reqwest::Client::new(),
        ..api.clone()
    };
    let outcome = fresh
        .post_with_key("/v1/payment_intents", PAYMENT, Some("drop-2"))
        .await;
    assert!(
        outcome.is_err(),
        "the client must see a connection error, got {outcome:?}"
    );
    assert_eq!(
        charges(&api).await?,
        1,
        "the effect was committed before the drop"
    );
    let retried = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("drop-2"))
        .await?;
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(retried.body["status"], "succeeded");
    assert_eq!(
        charges(&api).await?,
        1,
        "a keyed retry must not charge twice"
    );
    // Without a key, the same retry is the double charge the sandbox exists to expose.
    expect_status(
        &api.admin_post("/faults", fault("drop_after", json!({})))
            .await?,
        200,
    )?;
    assert!(fresh.post("/v1/payment_intents", PAYMENT).await.is_err());
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    assert_eq!(charges(&api).await?, 3);
    Ok(())
}

#[tokio::test]
async fn latency_delays_and_seeded_probabilities_are_reproducible() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let slow = fault("latency", json!({ "latency_ms": 50 }));
    expect_status(&api.admin_post("/faults", slow).await?, 200)?;
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    let mut runs = Vec::new();
    for _ in 0..2 {
        expect_status(&api.admin_post("/reset", json!({})).await?, 200)?;
        let random =
            json!({ "path": "/v1/customers", "kind": "error", "probability": 0.5, "seed": 42 });
        expect_status(&api.admin_post("/faults", random).await?, 200)?;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(api.post("/v1/customers", "").await?.status);
        }
        runs.push(statuses);
    }
    assert_eq!(
        runs[0], runs[1],
        "the same seed must fire on the same requests"
    );
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
    let refused = api
        .admin_post("/faults", json!({ "path": "*", "kind": "error" }))
        .await?;
    expect_status(&refused, 400)?;
    Ok(())
}

#[tokio::test]
async fn reset_forgets_every_object_event_and_fault() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let customer = api.customer("email=gone@example.com").await?;
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    expect_status(
        &api.admin_post("/faults", fault("error", json!({ "count": 5 })))
            .await?,
        200,
    )?;
    expect_status(&api.admin_post("/reset", json!({})).await?, 200)?;
    assert_eq!(
        api.get(&format!("/v1/customers/{customer}")).await?.status,
        404
    );
    assert_eq!(api.get("/v1/events").await?.body["data"], json!([]));
    assert_eq!(charges(&api).await?, 0);
    expect_status(&api.post("/v1/payment_intents", PAYMENT).await?, 200)?;
    Ok(())
}

#[tokio::test]
async fn in_process_tests_can_inject_faults_and_read_the_ledger_without_http() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let spec = payforge_sandbox::FaultSpec {
        method: Some("POST".into()),
        path: "/v1/payment_intents".into(),
        kind: payforge_sandbox::FaultKind::Error,
        latency_ms: 0,
        retry_after: 0,
        count: Some(1),
        probability: None,
        seed: 0,
    };
    sandbox.add_fault(spec)?;
    assert_eq!(api.post("/v1/payment_intents", PAYMENT).await?.status, 500);
    let paid = api.post("/v1/payment_intents", PAYMENT).await?;
    let ledger = sandbox.ledger();
    assert_eq!((ledger.totals.charges, ledger.totals.captured), (1, 2500));
    assert_eq!(
        ledger
            .payment_intents
            .get(&paid.id())
            .map(|entry| entry.net),
        Some(2500)
    );
    sandbox.reset();
    assert_eq!(sandbox.ledger().totals.charges, 0);
    Ok(())
}
