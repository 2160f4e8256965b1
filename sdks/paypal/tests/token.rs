//! PayPal's OAuth2 client credentials through the generated SDK (`Paypal::AUTH`), against the
//! PayPal-shaped server's token endpoint (`support`): one token for 50 concurrent calls,
//! renewed shortly before `expires_in` runs out (a manual clock, not sleeping), renewed once
//! on a 401 with the call retried under the same `PayPal-Request-Id`, and rotated
//! credentials taking effect without a restart. Never a token per request.
#![cfg(feature = "orders")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use payforge::journal::MemoryJournal;
use payforge::oauth::ManualClock;
use payforge_paypal::{CheckoutPaymentIntent, CreateOrder, PurchaseUnitRequest};
use serde_json::json;
use support::{
    CREDENTIALS, Fault, PaypalServer, ROTATED_CREDENTIALS, builder, client, credentials_file,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn order() -> Result<CreateOrder, serde_json::Error> {
    let unit: PurchaseUnitRequest =
        serde_json::from_value(json!({"amount": {"currency_code": "USD", "value": "10.00"}}))?;
    Ok(CreateOrder::new(CheckoutPaymentIntent::Capture, vec![unit]))
}

/// The bearer token each API request carried.
fn bearers(server: &PaypalServer) -> Vec<String> {
    server
        .seen()
        .into_iter()
        .map(|seen| seen.authorization.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn fifty_concurrent_calls_share_one_token_request() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let client = client(&server, &credentials, MemoryJournal::new()).await?;

    let order = order()?;
    let calls = (0..50).map(|_| {
        let (client, order) = (client.clone(), order.clone());
        async move { client.send(order).await.map_err(|e| e.to_string()) }
    });
    let results = futures::future::join_all(calls).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        server.token_requests(),
        1,
        "one token for 50 concurrent calls"
    );
    assert!(bearers(&server).iter().all(|b| b == "Bearer A21AA-token-1"));
    assert_eq!(server.seen().len(), 50);
    Ok(())
}

#[tokio::test]
async fn the_token_is_renewed_shortly_before_it_expires() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server, &credentials)
        .token_clock(clock.clone())
        .token_refresh_margin(Duration::from_secs(60))
        .ephemeral_journal()
        .build()
        .await?;

    client.send(order()?).await?;
    // The server's tokens live 32,400 s: still good 61 s before that, renewed within 60 s.
    clock.advance(Duration::from_secs(32_400 - 61));
    client.send(order()?).await?;
    clock.advance(Duration::from_secs(2));
    client.send(order()?).await?;

    assert_eq!(server.token_requests(), 2);
    assert_eq!(
        bearers(&server),
        vec![
            "Bearer A21AA-token-1",
            "Bearer A21AA-token-1",
            "Bearer A21AA-token-2"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_401_gets_one_new_token_and_one_retry_with_the_same_request_id() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let client = client(&server, &credentials, MemoryJournal::new()).await?;
    server.queue([Fault::Unauthorized]);

    client.send(order()?).await?;

    assert_eq!(
        server.token_requests(),
        2,
        "the revoked token is replaced once"
    );
    assert_eq!(
        bearers(&server),
        vec!["Bearer A21AA-token-1", "Bearer A21AA-token-2"]
    );
    let ids: Vec<Option<String>> = server.seen().into_iter().map(|s| s.request_id).collect();
    assert!(
        ids[0].is_some() && ids[0] == ids[1],
        "one request id: {ids:?}"
    );
    assert_eq!(server.done().len(), 1, "one order");
    Ok(())
}

#[tokio::test]
async fn rotated_credentials_take_effect_without_a_restart() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let client = client(&server, &credentials, MemoryJournal::new()).await?;
    client.send(order()?).await?;

    std::fs::write(&credentials, format!("{ROTATED_CREDENTIALS}\n"))?;
    client.rotate_key().await?;
    client.send(order()?).await?;

    assert_eq!(
        server.token_credentials(),
        vec![CREDENTIALS.to_owned(), ROTATED_CREDENTIALS.to_owned()],
        "the new pair asks for a new token at the next call"
    );
    assert_eq!(
        bearers(&server),
        vec!["Bearer A21AA-token-1", "Bearer A21AA-token-2"]
    );
    Ok(())
}
