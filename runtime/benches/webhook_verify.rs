//! Verification plus typed decoding throughput, next to bare HMAC-SHA256 on the same bytes.
//!
//! `cargo bench -p payforge --bench webhook_verify` prints, for a 3 KB and a 100 KB event:
//! bare HMAC-SHA256, signature verification alone, and verification plus the typed decode a
//! worker performs, in events/s and MB/s. Then an Adyen classic notification batch of 10
//! items (each item HMAC-signed on its own): the whole batch verified and split into its
//! items, in batches/s and items/s.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use payforge::webhook::{AdyenHmac, Event, NotificationItem, StripeSignature, WebhookVerifier};
use serde::Deserialize;
use sha2::Sha256;

const SECRET: &str = "whsec_benchmark_endpoint_secret";
const NOW: i64 = 1_700_000_000;

/// A typed charge with the fields a handler reads, plus its metadata map.
#[derive(Deserialize)]
#[allow(dead_code)] // Decoded to measure decoding; the benchmark reads no field.
struct Charge {
    id: String,
    amount: i64,
    currency: String,
    customer: Option<String>,
    metadata: BTreeMap<String, String>,
}

/// The event payload, declared as the generator declares `EventObject`.
#[derive(payforge::WebhookEvent)]
#[allow(dead_code)] // Decoded to measure decoding; the benchmark reads no field.
enum BenchObject {
    #[event("charge.succeeded")]
    ChargeSucceeded(Charge),
    #[event(unknown)]
    Unknown {
        event_type: String,
        object: serde_json::Value,
    },
}

/// A pretty-printed Stripe-shaped event of about `size` bytes (metadata pads it).
fn event_of_size(size: usize) -> Bytes {
    let mut metadata = serde_json::Map::new();
    let mut index = 0;
    loop {
        let body = serde_json::to_vec_pretty(&serde_json::json!({
            "id": "evt_3OqBenchmark", "object": "event", "api_version": "2023-08-16",
            "created": NOW, "livemode": false, "pending_webhooks": 1, "type": "charge.succeeded",
            "request": { "id": "req_bench", "idempotency_key": "7d1c0b1e" },
            "data": { "object": {
                "id": "ch_3OqBenchmark", "object": "charge", "amount": 2000, "currency": "usd",
                "customer": "cus_bench", "metadata": metadata,
            } },
        }))
        .unwrap_or_default();
        if body.len() >= size || body.is_empty() {
            return Bytes::from(body);
        }
        metadata.insert(
            format!("key_{index:05}"),
            serde_json::Value::from("v".repeat(40)),
        );
        index += 1;
    }
}

/// Runs `step` repeatedly for about `budget` and returns operations per second.
fn rate(budget: Duration, mut step: impl FnMut()) -> f64 {
    for _ in 0..10 {
        step();
    }
    let start = Instant::now();
    let mut operations = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            step();
        }
        operations += 16;
    }
    operations as f64 / start.elapsed().as_secs_f64()
}

fn report(label: &str, size: usize, per_second: f64) {
    let megabytes = per_second * size as f64 / 1_000_000.0;
    println!(
        "{label:<34} {:>7} B  {per_second:>12.0} events/s  {megabytes:>9.1} MB/s",
        size
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let budget = Duration::from_secs(2);
    let verifier = WebhookVerifier::new("stripe", StripeSignature::new([SECRET])?);
    for size in [3 * 1024, 100 * 1024] {
        let body = event_of_size(size);
        let mut headers = HeaderMap::new();
        let signature = StripeSignature::sign(SECRET, NOW, &body);
        headers.insert("stripe-signature", HeaderValue::from_str(&signature)?);
        let key = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes())?;
        let bare = rate(budget, || {
            let mut mac = key.clone();
            mac.update(black_box(&body));
            black_box(mac.finalize());
        });
        report("bare HMAC-SHA256", body.len(), bare);
        let verify_only = rate(budget, || {
            let verified = verifier.verify(&headers, body.clone(), NOW);
            assert!(verified.is_ok());
            black_box(verified.ok());
        });
        report("verify (signature + envelope)", body.len(), verify_only);
        let verify_and_decode = rate(budget, || {
            let decoded = verifier
                .verify(&headers, body.clone(), NOW)
                .ok()
                .and_then(|verified| verified.decode::<Event<BenchObject>>().ok());
            assert!(decoded.is_some());
            black_box(decoded);
        });
        report("verify + typed decode", body.len(), verify_and_decode);
    }
    adyen_batch(budget)
}

/// An Adyen key (made up for the benchmark; 32 bytes of hex).
const ADYEN_KEY: &str = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

/// A classic notification batch of `items` signed items, about 600 B each.
fn adyen_batch_body(items: usize) -> Result<Bytes, Box<dyn std::error::Error>> {
    let mut elements = Vec::new();
    for index in 0..items {
        let mut item = serde_json::json!({
            "pspReference": format!("88317040{index:08}"), "merchantAccountCode": "BenchMerchant",
            "merchantReference": format!("order-{index}"), "eventCode": "AUTHORISATION",
            "amount": { "currency": "EUR", "value": 1000 + index }, "success": "true",
            "eventDate": "2024-01-10T13:37:30+01:00", "paymentMethod": "visa",
            "operations": ["CANCEL", "CAPTURE", "REFUND"],
            "additionalData": { "authCode": "087330", "cardSummary": "1111",
                "expiryDate": "03/2030", "acquirerReference": "HHCCC326PH6" },
        });
        let fields: NotificationItem = serde_json::from_value(item.clone())?;
        item["additionalData"]["hmacSignature"] = AdyenHmac::sign_item(ADYEN_KEY, &fields)?.into();
        elements.push(serde_json::json!({ "NotificationRequestItem": item }));
    }
    let body = serde_json::json!({ "live": "false", "notificationItems": elements });
    Ok(Bytes::from(serde_json::to_vec(&body)?))
}

fn adyen_batch(budget: Duration) -> Result<(), Box<dyn std::error::Error>> {
    const ITEMS: usize = 10;
    let body = adyen_batch_body(ITEMS)?;
    let verifier = WebhookVerifier::new("adyen", AdyenHmac::notification_items([ADYEN_KEY])?);
    let headers = HeaderMap::new();
    let batches = rate(budget, || {
        let verified = verifier.verify_batch(&headers, body.clone(), NOW);
        assert_eq!(verified.as_ref().map(|batch| batch.len()).ok(), Some(ITEMS));
        black_box(verified.ok());
    });
    let megabytes = batches * body.len() as f64 / 1_000_000.0;
    println!(
        "{:<34} {:>7} B  {batches:>12.0} batches/s  {:>9.0} items/s  {megabytes:>6.1} MB/s",
        "adyen batch of 10: verify + split",
        body.len(),
        batches * ITEMS as f64,
    );
    Ok(())
}
