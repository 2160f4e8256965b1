//! `Idempotency-Key` exactly as Stripe documents it.

mod common;

use common::{Api, TestResult, expect_status, start};
use serde_json::json;

const PAYMENT: &str = "amount=1234&currency=usd&payment_method=pm_card_visa&confirm=true";

#[tokio::test]
async fn same_key_and_parameters_replay_the_first_response() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let first = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("order-1"))
        .await?;
    expect_status(&first, 200)?;
    assert_eq!(first.header("idempotent-replayed"), None);
    // The same parameters in another order are the same request.
    let reordered = "confirm=true&payment_method=pm_card_visa&currency=usd&amount=1234";
    let replay = api
        .post_with_key("/v1/payment_intents", reordered, Some("order-1"))
        .await?;
    assert_eq!((replay.status, &replay.body), (200, &first.body));
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.header("request-id"), first.header("request-id"));
    let declined = "amount=1234&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true";
    let decline = api
        .post_with_key("/v1/payment_intents", declined, Some("order-2"))
        .await?;
    let decline_replay = api
        .post_with_key("/v1/payment_intents", declined, Some("order-2"))
        .await?;
    assert_eq!(
        (decline_replay.status, &decline_replay.body),
        (402, &decline.body)
    );
    let ledger = api.admin_get("/ledger").await?;
    assert_eq!(
        ledger.body["totals"]["charges"], 2,
        "replays must not charge again"
    );
    Ok(())
}

#[tokio::test]
async fn same_key_with_other_parameters_is_an_idempotency_error() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    expect_status(
        &api.post_with_key("/v1/payment_intents", PAYMENT, Some("k"))
            .await?,
        200,
    )?;
    let conflict = api
        .post_with_key("/v1/payment_intents", "amount=9999&currency=usd", Some("k"))
        .await?;
    assert_eq!(
        (conflict.status, conflict.body["error"]["type"].as_str()),
        (400, Some("idempotency_error"))
    );
    let other_path = api.post_with_key("/v1/customers", "", Some("k")).await?;
    assert_eq!(other_path.body["error"]["type"], "idempotency_error");
    Ok(())
}

#[tokio::test]
async fn validation_failures_are_not_remembered() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let invalid = api
        .post_with_key("/v1/payment_intents", "amount=1234", Some("fix-me"))
        .await?;
    expect_status(&invalid, 400)?;
    let fixed = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("fix-me"))
        .await?;
    expect_status(&fixed, 200)?;
    Ok(())
}

#[tokio::test]
async fn a_key_still_in_flight_gets_409() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let slow = json!({ "method": "POST", "path": "/v1/payment_intents", "kind": "latency", "latency_ms": 3000, "count": 1 });
    expect_status(&api.admin_post("/faults", slow).await?, 200)?;
    let first = {
        let api = api.clone();
        tokio::spawn(async move {
            api.post_with_key("/v1/payment_intents", PAYMENT, Some("busy"))
                .await
                .map_err(|e| e.to_string())
        })
    };
    // The first request holds the key for 3 s; wait until the sandbox has claimed it.
    let claimed = common::eventually("the first request to claim the key", || {
        let api = api.clone();
        async move {
            let rules = api.admin_get("/faults").await?;
            Ok((rules.body["faults"][0]["fired"] == 1).then_some(()))
        }
    });
    claimed.await?;
    let second = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("busy"))
        .await?;
    assert_eq!(
        (second.status, second.body["error"]["code"].as_str()),
        (409, Some("idempotency_key_in_use"))
    );
    assert_eq!(second.header("stripe-should-retry"), Some("true"));
    let first = first.await?.map_err(|e| e.to_string())?;
    expect_status(&first, 200)?;
    let replay = api
        .post_with_key("/v1/payment_intents", PAYMENT, Some("busy"))
        .await?;
    assert_eq!(replay.body, first.body);
    Ok(())
}

#[tokio::test]
async fn keys_expire_after_24_hours_of_sandbox_time_and_are_scoped_per_api_key() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let first = api
        .post_with_key("/v1/customers", "email=a@example.com", Some("signup"))
        .await?;
    let other_account = Api {
        key: "sk_test_another_account".into(),
        ..api.clone()
    };
    let elsewhere = other_account
        .post_with_key("/v1/customers", "email=a@example.com", Some("signup"))
        .await?;
    assert_ne!(
        elsewhere.id(),
        first.id(),
        "another API key must not see this key's result"
    );
    expect_status(
        &api.admin_post("/clock/advance", json!({ "seconds": 23 * 3600 }))
            .await?,
        200,
    )?;
    assert_eq!(
        api.post_with_key("/v1/customers", "email=a@example.com", Some("signup"))
            .await?
            .id(),
        first.id()
    );
    expect_status(
        &api.admin_post("/clock/advance", json!({ "seconds": 3600 }))
            .await?,
        200,
    )?;
    let after_expiry = api
        .post_with_key("/v1/customers", "email=a@example.com", Some("signup"))
        .await?;
    assert_ne!(after_expiry.id(), first.id());
    assert_eq!(after_expiry.header("idempotent-replayed"), None);
    Ok(())
}

#[tokio::test]
async fn concurrent_requests_with_one_key_charge_exactly_once() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let mut requests = Vec::new();
    for _ in 0..40 {
        let api = api.clone();
        requests.push(tokio::spawn(async move {
            api.post_with_key("/v1/payment_intents", PAYMENT, Some("stampede"))
                .await
                .map_err(|e| e.to_string())
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for request in requests {
        let reply = request.await?.map_err(|e| e.to_string())?;
        match reply.status {
            200 => {
                ids.insert(reply.id());
            }
            409 => assert_eq!(reply.body["error"]["code"], "idempotency_key_in_use"),
            other => return Err(format!("unexpected status {other}: {}", reply.body).into()),
        }
    }
    assert_eq!(
        ids.len(),
        1,
        "every successful answer is the same payment intent"
    );
    assert_eq!(api.admin_get("/ledger").await?.body["totals"]["charges"], 1);
    Ok(())
}
