//! Adyen's classic notifications through the receiver: every item verified, a batch with one
//! forged item rejected whole with nothing stored, one inbox row per item deduplicated on
//! `pspReference:eventCode:success`, the `[accepted]` acknowledgement over real HTTP, and a
//! worker decoding a stored item with the type its envelope convention read.

mod webhook_support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use payforge::webhook::{
    AdyenHmac, HandlerError, InboxState, ItemEvent, Processed, RawObject, SqliteInbox,
    VerificationError, Verified, WebhookInbox, WebhookReceiver, Worker, WorkerConfig,
};
use webhook_support::{
    ADYEN_KEY, BoxError, TestResult, adyen_batch, adyen_item, adyen_verifier, verified_adyen_items,
};

type AdyenReceiver = WebhookReceiver<AdyenHmac, SqliteInbox>;

async fn answer(receiver: &AdyenReceiver, body: Bytes) -> Result<(u16, String), BoxError> {
    let request = Request::post("/webhooks/adyen")
        .header("content-type", "application/json")
        .body(Body::from(body))?;
    let response = receiver.receive(request).await;
    let status = response.status().as_u16();
    let text = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
    Ok((status, String::from_utf8(text.to_vec())?))
}

async fn stored_ids(inbox: &SqliteInbox, ids: &[&str]) -> Result<Vec<String>, BoxError> {
    let mut found = Vec::new();
    for id in ids {
        if inbox.entry("adyen", id).await?.is_some() {
            found.push((*id).to_owned());
        }
    }
    Ok(found)
}

#[tokio::test]
async fn a_batch_with_one_forged_item_is_rejected_whole_and_nothing_is_stored() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = WebhookReceiver::new(adyen_verifier()?, Arc::clone(&inbox));
    let mut forged = adyen_item(ADYEN_KEY, "P2", "AUTHORISATION", true)?;
    forged["amount"]["value"] = 1.into();
    let body = adyen_batch(&[
        adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", true)?,
        forged,
        adyen_item(ADYEN_KEY, "P3", "CAPTURE", true)?,
    ]);
    let (status, text) = answer(&receiver, body).await?;
    assert_eq!(
        (status, text.as_str()),
        (
            400,
            "item 1 of the batch: no signature matches any active secret"
        )
    );
    let ids = [
        "P1:AUTHORISATION:true",
        "P2:AUTHORISATION:true",
        "P3:CAPTURE:true",
    ];
    assert_eq!(stored_ids(&inbox, &ids).await?, Vec::<String>::new());
    let unsigned = adyen_batch(&[serde_json::json!({"pspReference": "P4", "eventCode": "X"})]);
    let error = adyen_verifier()?
        .verify_batch(&http::HeaderMap::new(), unsigned, 0)
        .err();
    assert_eq!(
        error,
        Some(VerificationError::BatchItem {
            index: 0,
            reason: Box::new(VerificationError::MissingSignature {
                location: "additionalData.hmacSignature"
            }),
        })
    );
    Ok(())
}

#[tokio::test]
async fn duplicate_items_and_redelivered_batches_store_nothing_new() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = WebhookReceiver::new(adyen_verifier()?, Arc::clone(&inbox));
    let authorised = adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", true)?;
    let refused = adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", false)?;
    let body = adyen_batch(&[authorised.clone(), refused, authorised]);
    for _ in 0..2 {
        assert_eq!(
            answer(&receiver, body.clone()).await?,
            (200, "[accepted]".to_owned())
        );
    }
    let ids = ["P1:AUTHORISATION:true", "P1:AUTHORISATION:false"];
    assert_eq!(stored_ids(&inbox, &ids).await?, ids);
    let mut rows = 0;
    while inbox
        .claim("w", i64::MAX / 2, std::time::Duration::from_secs(1))
        .await?
        .is_some()
    {
        rows += 1;
    }
    assert_eq!(
        rows, 2,
        "one row per distinct item, whatever the redeliveries"
    );
    Ok(())
}

#[tokio::test]
async fn the_receiver_answers_accepted_over_http() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = WebhookReceiver::new(adyen_verifier()?, Arc::clone(&inbox));
    let app = axum::Router::new().route("/webhooks/adyen", receiver.into_method_router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    let body = adyen_batch(&[
        adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", true)?,
        adyen_item(ADYEN_KEY, "P1", "CAPTURE", true)?,
    ]);
    let response = client
        .post(format!("http://{address}/webhooks/adyen"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await?, "[accepted]");
    let entry = inbox
        .entry("adyen", "P1:CAPTURE:true")
        .await?
        .ok_or("the second item is not stored")?;
    assert_eq!(entry.event_type.as_deref(), Some("CAPTURE"));
    assert_eq!(entry.state, InboxState::Pending);
    let item: serde_json::Value = serde_json::from_slice(&entry.body)?;
    assert_eq!(
        item["eventCode"], "CAPTURE",
        "the row holds the item's own bytes"
    );
    server.abort();
    Ok(())
}

#[tokio::test]
async fn a_worker_decodes_a_stored_item_with_its_stored_type() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let items = verified_adyen_items(adyen_batch(&[adyen_item(ADYEN_KEY, "P9", "REFUND", true)?]))?;
    let arrival = payforge::webhook::Arrival {
        received_at: 1,
        api_version_mismatch: false,
    };
    for item in &items {
        inbox.store(item, arrival).await?;
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let handler = move |event: Verified<ItemEvent<RawObject>>| {
        let sink = Arc::clone(&sink);
        async move {
            let psp = event.item.object["pspReference"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            sink.lock()
                .map_err(|_| HandlerError::Permanent("poisoned".to_owned()))?
                .push(format!("{} {} {psp}", event.id, event.event_type));
            Ok(())
        }
    };
    let worker = Worker::new(Arc::clone(&inbox), handler, WorkerConfig::default());
    assert!(matches!(
        worker.process_one().await?,
        Processed::Completed { .. }
    ));
    let seen = seen.lock().map_err(|_| "poisoned")?.clone();
    assert_eq!(seen, ["P9:REFUND:true REFUND P9"]);
    Ok(())
}
