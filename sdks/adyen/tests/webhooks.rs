//! Adyen's classic notifications end to end, as an application receives them: a batch signed
//! item by item (HMAC-SHA256, hex key, base64 signature in `additionalData.hmacSignature`)
//! arrives over real HTTP on 127.0.0.1 at the provider-neutral receiver, which verifies every
//! item, stores one row per item in a real SQLite inbox and answers `[accepted]`; a worker
//! then hands the application's handler a `Verified<ItemEvent<EventObject>>` whose payload is
//! the generated SDK's typed notification item, chosen by the item's event code.
#![cfg(feature = "events")]

use std::sync::{Arc, Mutex};

use payforge::webhook::{
    AdyenHmac, HandlerError, ItemEvent, NotificationItem, Processed, SqliteInbox, Verified,
    WebhookReceiver, WebhookVerifier, Worker, WorkerConfig,
};
use payforge_adyen::{EventCode, EventObject};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Adyen's own test-suite HMAC key (public, from its libraries' tests).
const KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)

/// A notification item as Adyen sends it, signed with `key`.
fn signed_item(
    key: &str,
    psp_reference: &str,
    event_code: &str,
    success: bool,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let mut item = json!({
        "pspReference": psp_reference,
        "merchantAccountCode": "ShopEU",
        "merchantReference": format!("order-{psp_reference}"),
        "amount": { "currency": "EUR", "value": 2500 },
        "eventCode": event_code,
        "eventDate": "2026-11-30T10:15:00+01:00",
        "paymentMethod": "visa",
        "reason": if success { "014501:1111:03/2030" } else { "Not enough balance" },
        "success": success.to_string(),
        "additionalData": {},
    });
    let fields: NotificationItem = serde_json::from_value(item.clone())?;
    item["additionalData"]["hmacSignature"] = AdyenHmac::sign_item(key, &fields)?.into();
    Ok(item)
}

fn batch(items: &[Value]) -> String {
    let elements: Vec<Value> = items
        .iter()
        .map(|item| json!({ "NotificationRequestItem": item }))
        .collect();
    json!({ "live": "false", "notificationItems": elements }).to_string()
}

/// The receiver on 127.0.0.1 over a fresh SQLite inbox: its address and the inbox.
async fn serve() -> Result<
    (std::net::SocketAddr, Arc<SqliteInbox>, tempfile::TempDir),
    Box<dyn std::error::Error + Send + Sync>,
> {
    let directory = tempfile::tempdir()?;
    let inbox = Arc::new(
        SqliteInbox::open(
            directory.path().join("inbox.db"),
            SqliteInbox::DEFAULT_TABLE,
        )
        .await?,
    );
    let verifier = WebhookVerifier::new("adyen", AdyenHmac::notification_items([KEY])?);
    let receiver = WebhookReceiver::new(verifier, Arc::clone(&inbox));
    let app = axum::Router::new().route("/webhooks/adyen", receiver.into_method_router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((address, inbox, directory))
}

async fn post(
    address: std::net::SocketAddr,
    body: String,
) -> Result<(u16, String), reqwest::Error> {
    let response = reqwest::Client::new()
        .post(format!("http://{address}/webhooks/adyen"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

#[tokio::test]
async fn a_signed_batch_reaches_the_handler_as_typed_sdk_items() -> TestResult {
    let (address, inbox, _directory) = serve().await?;
    let body = batch(&[
        signed_item(KEY, "8816178952380553", "AUTHORISATION", false)?,
        signed_item(KEY, "8816178952380554", "CAPTURE", true)?,
    ]);
    assert_eq!(
        post(address, body.clone()).await?,
        (200, "[accepted]".to_owned())
    );
    // Adyen redelivers until it sees `[accepted]`; a redelivery changes nothing.
    assert_eq!(post(address, body).await?, (200, "[accepted]".to_owned()));

    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let handler = move |event: Verified<ItemEvent<EventObject>>| {
        let sink = Arc::clone(&sink);
        async move {
            let line = match &event.item {
                EventObject::Authorisation(item) => format!(
                    "authorisation {} success={} reason={}",
                    item.psp_reference,
                    item.success,
                    item.reason.as_deref().unwrap_or_default()
                ),
                EventObject::Capture(item) => format!(
                    "capture {} {} {}",
                    item.psp_reference, item.amount.value, item.amount.currency
                ),
                other => format!("unexpected {other:?}"),
            };
            let code: EventCode = event.event_type.parse().map_err(|_| {
                HandlerError::Permanent(format!("not an event code: {}", event.event_type))
            })?;
            sink.lock()
                .map_err(|_| HandlerError::Permanent("poisoned".to_owned()))?
                .push(format!("{} [{code:?}] {line}", event.id));
            Ok(())
        }
    };
    let worker = Worker::new(Arc::clone(&inbox), handler, WorkerConfig::default());
    for _ in 0..2 {
        assert!(matches!(
            worker.process_one().await?,
            Processed::Completed { .. }
        ));
    }
    assert!(
        matches!(worker.process_one().await?, Processed::Idle),
        "two items, two rows, whatever the redeliveries"
    );
    let mut seen = seen.lock().map_err(|_| "poisoned")?.clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            "8816178952380553:AUTHORISATION:false [Authorisation] authorisation 8816178952380553 success=false reason=Not enough balance",
            "8816178952380554:CAPTURE:true [Capture] capture 8816178952380554 2500 EUR",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_batch_with_one_item_signed_by_another_key_is_refused_and_nothing_is_stored() -> TestResult
{
    let (address, inbox, _directory) = serve().await?;
    let other_key = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00"; // audit:allow (Adyen's public test-suite key)
    let body = batch(&[
        signed_item(KEY, "8816178952380555", "AUTHORISATION", true)?,
        signed_item(other_key, "8816178952380556", "REFUND", true)?,
    ]);
    let (status, text) = post(address, body).await?;
    assert_eq!(status, 400);
    assert!(text.starts_with("item 1 of the batch"), "{text}");
    for id in [
        "8816178952380555:AUTHORISATION:true",
        "8816178952380556:REFUND:true",
    ] {
        assert!(
            payforge::webhook::WebhookInbox::entry(inbox.as_ref(), "adyen", id)
                .await?
                .is_none(),
            "{id} was stored from a forged batch"
        );
    }
    Ok(())
}
