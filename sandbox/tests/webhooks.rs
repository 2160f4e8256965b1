//! Signed webhook deliveries, retries, filtering, and delivery faults.

mod common;

use common::{Api, Receiver, TestResult, eventually, expect_status, start};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// Verifies a `Stripe-Signature` header independently of the sandbox's code.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let timestamp = header.split(',').find_map(|part| part.strip_prefix("t="));
    let signature = header.split(',').find_map(|part| part.strip_prefix("v1="));
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    let Ok(expected) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.verify_slice(&expected).is_ok()
}

async fn endpoint(api: &Api, url: &str, events: &[&str]) -> TestResult<String> {
    let form: String = events
        .iter()
        .map(|e| format!("&enabled_events[]={e}"))
        .collect();
    let reply = api
        .post("/v1/webhook_endpoints", &format!("url={url}{form}"))
        .await?;
    expect_status(&reply, 200)?;
    let secret = reply.body["secret"].as_str().unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let fetched = api
        .get(&format!("/v1/webhook_endpoints/{}", reply.id()))
        .await?;
    assert!(
        fetched.body.get("secret").is_none(),
        "only the create response carries the secret"
    );
    Ok(secret)
}

fn event_types(received: &[common::Received]) -> Vec<String> {
    received
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter_map(|e| e["type"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn events_are_delivered_signed_and_filtered_by_enabled_events() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let everything = Receiver::start(0).await?;
    let payments_only = Receiver::start(0).await?;
    let secret = endpoint(&api, &everything.url, &["*"]).await?;
    let payments_secret = endpoint(&api, &payments_only.url, &["payment_intent.succeeded"]).await?;
    api.customer("email=hook@example.com").await?;
    expect_status(
        &api.post(
            "/v1/payment_intents",
            "amount=300&currency=usd&payment_method=pm_card_visa&confirm=true",
        )
        .await?,
        200,
    )?;
    let received = eventually("four deliveries", || {
        let everything = everything.clone();
        async move { Ok(Some(everything.snapshot()).filter(|r| r.len() >= 4)) }
    })
    .await?;
    assert_eq!(
        event_types(&received),
        [
            "customer.created",
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded"
        ]
    );
    for delivery in &received {
        assert!(
            verify(&secret, &delivery.signature, &delivery.body),
            "bad signature {}",
            delivery.signature
        );
        assert!(!verify(
            &payments_secret,
            &delivery.signature,
            &delivery.body
        ));
    }
    let filtered = eventually("one filtered delivery", || {
        let payments_only = payments_only.clone();
        async move { Ok(Some(payments_only.snapshot()).filter(|r| !r.is_empty())) }
    })
    .await?;
    assert_eq!(event_types(&filtered), ["payment_intent.succeeded"]);
    assert!(verify(
        &payments_secret,
        &filtered[0].signature,
        &filtered[0].body
    ));
    let event: Value = serde_json::from_str(&filtered[0].body)?;
    assert_eq!(event["pending_webhooks"], 2);
    Ok(())
}

#[tokio::test]
async fn failing_endpoints_are_retried_until_they_succeed_or_the_schedule_ends() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let flaky = Receiver::start(2).await?;
    endpoint(&api, &flaky.url, &["customer.created"]).await?;
    api.customer("").await?;
    let deliveries = eventually("a successful third attempt", || {
        let api = api.clone();
        async move {
            let reply = api.admin_get("/deliveries").await?;
            Ok(Some(reply.body["deliveries"].clone()).filter(|d| d[0]["status"] == "succeeded"))
        }
    })
    .await?;
    let statuses: Vec<Value> = deliveries[0]["attempts"]
        .as_array()
        .map(|a| a.iter().map(|x| x["status"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
    assert_eq!(flaky.snapshot().len(), 3);
    let dead = Receiver::start(usize::MAX).await?;
    endpoint(&api, &dead.url, &["customer.updated"]).await?;
    let customer = api.customer("").await?;
    api.post(&format!("/v1/customers/{customer}"), "name=x")
        .await?;
    eventually("the delivery to give up", || {
        let api = api.clone();
        async move {
            let reply = api.admin_get("/deliveries").await?;
            let failed = reply.body["deliveries"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|d| d["event_type"] == "customer.updated" && d["status"] == "failed");
            Ok(failed.map(|d| assert_eq!(d["attempts"].as_array().map(Vec::len), Some(4))))
        }
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn delivery_faults_duplicate_and_reorder() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let receiver = Receiver::start(0).await?;
    endpoint(&api, &receiver.url, &["customer.created"]).await?;
    expect_status(
        &api.admin_post("/webhooks/faults", json!({ "duplicate": 1, "reorder": 3 }))
            .await?,
        200,
    )?;
    let first = api.customer("email=1@example.com").await?;
    let second = api.customer("email=2@example.com").await?;
    let received = eventually("three deliveries", || {
        let receiver = receiver.clone();
        async move { Ok(Some(receiver.snapshot()).filter(|r| r.len() >= 3)) }
    })
    .await?;
    let customers: Vec<String> = received
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter_map(|e| e["data"]["object"]["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        customers,
        [second.clone(), first.clone(), first.clone()],
        "held deliveries are released newest first"
    );
    let delayed = json!({ "delay": 1, "delay_ms": 1000 });
    expect_status(&api.admin_post("/webhooks/faults", delayed).await?, 200)?;
    let third = api.customer("email=3@example.com").await?;
    let fourth = api.customer("email=4@example.com").await?;
    let later = eventually("two more deliveries", || {
        let receiver = receiver.clone();
        async move { Ok(Some(receiver.snapshot()).filter(|r| r.len() >= 5)) }
    })
    .await?;
    let tail: Vec<String> = later[3..]
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter_map(|e| e["data"]["object"]["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        tail,
        [fourth, third],
        "the delayed delivery arrives after the next one"
    );
    Ok(())
}
