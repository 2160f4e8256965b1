//! The generated PayPal SDK, sent by `payforge::Client<Paypal>` to a PayPal-shaped server on
//! 127.0.0.1 (`support`): OAuth2 client credentials fetched once and sent as a bearer token;
//! one journaled `PayPal-Request-Id` for every attempt of a POST or PATCH of Orders,
//! Payments and Subscriptions, through a 500, a dropped answer, PayPal's "previous request
//! in progress" and a process restart; kept as long as each API keeps it; and no request id,
//! nor a journal entry, for Webhooks Management, which takes none.
#![cfg(all(
    feature = "orders",
    feature = "payments",
    feature = "subscriptions",
    feature = "webhooks"
))]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use payforge::client::{Client, Environment};
use payforge::journal::{IdempotencyJournal, LogicalKey, MemoryJournal, SqliteJournal};
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use payforge::{AuthScheme, ConfigError, Endpoint, Error, Provider};
use payforge_paypal::{
    CaptureAuthorization, CaptureOrder, CheckoutPaymentIntent, CreateOrder, CreateSubscription,
    CreateWebhook, Paypal, PurchaseUnitRequest, RefundCapture, UpdateOrder,
};
use serde_json::json;
use support::{CREDENTIALS, Fault, PaypalServer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A credentials file holding `client_id:secret`, in a directory removed when the guard drops.
fn credentials_file() -> std::io::Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("paypal-credentials");
    std::fs::write(&path, format!("{CREDENTIALS}\n"))?;
    Ok((dir, path))
}

/// A client of the local server, with quick retries so the suite counts attempts.
async fn client(
    server: &PaypalServer,
    credentials: &Path,
    journal: impl IdempotencyJournal,
) -> Result<Client<Paypal>, ConfigError> {
    Client::<Paypal>::builder()
        .secrets(FileSecretProvider::new(credentials))
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(20),
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .journal(journal)
        .build()
        .await
}

fn order() -> Result<CreateOrder, serde_json::Error> {
    let unit: PurchaseUnitRequest =
        serde_json::from_value(json!({"amount": {"currency_code": "USD", "value": "10.00"}}))?;
    Ok(CreateOrder::new(CheckoutPaymentIntent::Capture, vec![unit]))
}

/// Every request the server saw carried one and the same request id; returns it.
fn one_request_id(server: &PaypalServer, attempts: usize) -> Result<String, String> {
    let ids: Vec<Option<String>> = server.seen().into_iter().map(|s| s.request_id).collect();
    assert_eq!(ids.len(), attempts, "attempts: {ids:?}");
    match ids.first().cloned().flatten() {
        Some(first) if ids.iter().all(|id| id.as_deref() == Some(first.as_str())) => Ok(first),
        _ => Err(format!("not one request id: {ids:?}")),
    }
}

#[test]
fn the_profile_makes_paypal_an_oauth2_provider_with_a_retention_per_api() {
    assert_eq!(
        Paypal::AUTH,
        AuthScheme::OAuth2ClientCredentials {
            token_url: "/v1/oauth2/token"
        }
    );
    assert_eq!(Paypal::IDEMPOTENCY_HEADER, "PayPal-Request-Id");
    assert_eq!(Paypal::IDEMPOTENCY_KEY_MAX_LEN, 108);
    assert_eq!(Paypal::TEST_BASE_URL, "https://api-m.sandbox.paypal.com");
    assert_eq!(Paypal::LIVE_BASE_URL, "https://api-m.paypal.com");
    // Orders 6 h, Payments 45 days, Subscriptions 72 h; Webhooks Management takes no key.
    let keyed = [
        CreateOrder::IDEMPOTENT,
        UpdateOrder::IDEMPOTENT,
        CreateWebhook::IDEMPOTENT,
    ];
    assert_eq!(keyed, [true, true, false]);
    assert_eq!(CaptureOrder::IDEMPOTENCY_RETENTION_SECS, Some(6 * 3600));
    assert_eq!(RefundCapture::IDEMPOTENCY_RETENTION_SECS, Some(45 * 86_400));
    assert_eq!(
        CaptureAuthorization::IDEMPOTENCY_RETENTION_SECS,
        Some(45 * 86_400)
    );
    assert_eq!(
        CreateSubscription::IDEMPOTENCY_RETENTION_SECS,
        Some(72 * 3600)
    );
    // The provider-wide figure, which recovery sorts by, is the shortest.
    assert_eq!(Paypal::IDEMPOTENCY_RETENTION_SECS, 6 * 3600);
}

#[tokio::test]
async fn a_500_a_dropped_answer_and_a_request_in_progress_reuse_one_request_id() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let client = client(&server, &credentials, MemoryJournal::new()).await?;
    server.queue([
        Fault::Internal,
        Fault::DropAfterProcessing,
        Fault::InProgress,
    ]);

    let created = client.send(order()?).await?;

    let request_id = one_request_id(&server, 4)?;
    assert!(
        request_id.len() <= 108,
        "PayPal takes at most 108 characters"
    );
    assert_eq!(server.done(), vec!["created O-1"], "one order, made once");
    assert_eq!(created.id.as_deref(), Some("O-1"));
    assert_eq!(server.token_requests(), 1, "one token for every attempt");
    assert!(
        server
            .seen()
            .iter()
            .all(|s| s.authorization.as_deref() == Some("Bearer A21AA-token-1")),
        "every attempt carries the bearer token"
    );
    Ok(())
}

#[tokio::test]
async fn the_request_id_survives_a_restart_and_the_capture_happens_once() -> TestResult {
    let server = PaypalServer::start().await?;
    let (dir, credentials) = credentials_file()?;
    let path = dir.path().join("journal.sqlite");
    let logical = LogicalKey::new("order-9/capture")?;
    // The first process: the capture is made, but no answer ever arrives.
    server.queue([Fault::DropAfterProcessing; 4]);
    {
        let client = client(&server, &credentials, SqliteJournal::open(&path).await?).await?;
        let result = client
            .send_with_key(CaptureOrder::new("O-9"), logical.clone())
            .await;
        match result {
            Err(Error::OutcomeUnknown {
                idempotency_key, ..
            }) => assert!(
                idempotency_key.is_some(),
                "the request id to resolve it with"
            ),
            other => panic!("expected an unknown outcome, got {other:?}"),
        }
    }
    // The next process reopens the journal and re-sends the started call with its id.
    let client = client(&server, &credentials, SqliteJournal::open(&path).await?).await?;
    let captured = client
        .send_with_key(CaptureOrder::new("O-9"), logical)
        .await?;

    one_request_id(&server, 5)?;
    assert_eq!(
        server.done(),
        vec!["captured O-9"],
        "the restart did not capture twice"
    );
    assert_eq!(
        captured.status.map(|s| s.to_string()).as_deref(),
        Some("COMPLETED")
    );
    Ok(())
}

#[tokio::test]
async fn a_json_patch_is_sent_whole_with_a_request_id() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let client = client(&server, &credentials, MemoryJournal::new()).await?;
    let patch = serde_json::from_value(json!([
        {"op": "replace", "path": "/purchase_units/@reference_id=='default'/amount", "value": {"currency_code": "USD", "value": "12.00"}},
    ]))?;

    client.send(UpdateOrder::new("O-3", patch)).await?;

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PATCH", "/v2/checkout/orders/O-3")
    );
    assert_eq!(
        seen[0].body[0]["op"], "replace",
        "the body is the patch array itself"
    );
    assert!(seen[0].request_id.is_some());
    Ok(())
}

#[tokio::test]
async fn webhooks_management_carries_no_request_id_and_is_not_journaled() -> TestResult {
    let server = PaypalServer::start().await?;
    let (_dir, credentials) = credentials_file()?;
    let journal = std::sync::Arc::new(MemoryJournal::new());
    let client = client(&server, &credentials, std::sync::Arc::clone(&journal)).await?;
    let event_types = serde_json::from_value(json!([{"name": "CHECKOUT.ORDER.APPROVED"}]))?;

    let webhook = client
        .send(CreateWebhook::new(
            event_types,
            "https://shop.example/hooks/paypal",
        ))
        .await?;

    assert_eq!(webhook.id.as_deref(), Some("WH-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].request_id, None,
        "Webhooks Management takes no PayPal-Request-Id"
    );
    let unresolved = journal.unresolved("paypal".to_owned()).await?;
    assert!(unresolved.is_empty(), "nothing journaled: {unresolved:?}");
    Ok(())
}
