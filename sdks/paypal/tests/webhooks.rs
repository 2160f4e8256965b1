//! PayPal webhooks end to end, as an application receives them: a delivery signed with
//! SHA256withRSA (the vectors' throwaway key and certificate, trusted as the root) arrives at
//! the provider-neutral receiver, which verifies it over the raw bytes and stores it in a
//! real SQLite inbox, deduplicated by the event's `id`; a worker then hands the application's
//! handler a `Verified<ResourceEvent<EventObject>>`: the event type parses into the SDK's
//! `WebhookEventType` (not `EventType`: Webhooks Management has an `event_type` schema), and
//! the resource is the SDK's typed `Order`, chosen by `resource_type`.
#![cfg(all(feature = "events", feature = "orders"))]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use http::{HeaderMap, HeaderValue};
use payforge::webhook::paypal::{CertUrlPolicy, TrustAnchors, body_crc32};
use payforge::webhook::{
    HandlerError, PaypalCertificates, PaypalSignature, Processed, ResourceEvent, SqliteInbox,
    Verified, WebhookInbox, WebhookReceiver, WebhookVerifier, Worker, WorkerConfig,
};
use payforge_paypal::{EventObject, WebhookEventType as EventType};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), BoxError>;

const WEBHOOK_ID: &str = "1JE4291016473214C";
/// PayPal's sandbox certificate host, which the default URL policy allows; the certificate
/// is given to the store, never fetched.
const CERT_URL: &str = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-TEST-ONLY";

/// The vectors' throwaway certificate and private key (`paypal-rsa.json`).
fn test_pki() -> Result<(String, String), BoxError> {
    let dir = match std::env::var_os("PAYFORGE_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("PAYFORGE_SPECS_DIR") {
            Some(specs) => PathBuf::from(specs).join("../vectors"),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
        },
    };
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("paypal-rsa.json"))?)?;
    let field = |name: &str| -> Result<String, BoxError> {
        Ok(file[name].as_str().ok_or(format!("no {name}"))?.to_owned())
    };
    Ok((
        field("test_certificate_pem")?,
        field("test_private_key_pem")?,
    ))
}

/// PayPal's five signature headers for `body`, signed now as transmission `transmission`.
fn signed_headers(key_pem: &str, transmission: &str, body: &[u8]) -> Result<HeaderMap, BoxError> {
    use base64::Engine as _;
    let time = OffsetDateTime::now_utc()
        .replace_nanosecond(0)?
        .format(&Rfc3339)?;
    let message = format!("{transmission}|{time}|{WEBHOOK_ID}|{}", body_crc32(body));
    let key = SigningKey::<Sha256>::new(rsa::RsaPrivateKey::from_pkcs8_pem(key_pem)?);
    let signature =
        base64::engine::general_purpose::STANDARD.encode(key.sign(message.as_bytes()).to_vec());
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("paypal-transmission-id", transmission),
        ("paypal-transmission-time", time.as_str()),
        ("paypal-transmission-sig", signature.as_str()),
        ("paypal-cert-url", CERT_URL),
        ("paypal-auth-algo", "SHA256withRSA"),
        ("content-type", "application/json"),
    ] {
        headers.insert(name, HeaderValue::from_str(value)?);
    }
    Ok(headers)
}

/// A `CHECKOUT.ORDER.APPROVED` event as PayPal sends it (shortened from its example).
fn order_approved(event_id: &str, order_id: &str) -> String {
    serde_json::json!({
        "id": event_id,
        "event_version": "1.0",
        "create_time": "2026-12-01T10:15:02.114Z",
        "resource_type": "checkout-order",
        "resource_version": "2.0",
        "event_type": "CHECKOUT.ORDER.APPROVED",
        "summary": "An order has been approved by buyer",
        "resource": {
            "id": order_id,
            "intent": "CAPTURE",
            "status": "APPROVED",
            "create_time": "2026-12-01T10:14:31Z",
            "purchase_units": [{
                "reference_id": "default",
                "amount": { "currency_code": "EUR", "value": "25.00" }
            }],
            "links": [{
                "href": format!("https://api.sandbox.paypal.com/v2/checkout/orders/{order_id}"),
                "rel": "self",
                "method": "GET"
            }]
        },
        "links": []
    })
    .to_string()
}

#[tokio::test]
async fn a_signed_order_event_reaches_the_handler_typed_and_once() -> TestResult {
    let (certificate, key) = test_pki()?;
    let certificates = PaypalCertificates::new(
        CertUrlPolicy::default(),
        TrustAnchors::from_pem(certificate.as_bytes())?,
    );
    certificates.insert_pem(CERT_URL, certificate.as_bytes())?;
    let verifier = WebhookVerifier::new(
        "paypal",
        PaypalSignature::new(WEBHOOK_ID, Arc::new(certificates)),
    );
    let directory = tempfile::tempdir()?;
    let inbox = Arc::new(
        SqliteInbox::open(
            directory.path().join("inbox.db"),
            SqliteInbox::DEFAULT_TABLE,
        )
        .await?,
    );
    let receiver = WebhookReceiver::new(verifier, Arc::clone(&inbox));

    // PayPal redelivers until it sees a 2xx: the second transmission of the same event
    // (a new transmission id and signature) changes nothing.
    let body = order_approved(
        "WH-7Y7254563A4550640-11V2185806837105M",
        "5O190127TN364715T",
    );
    let mut answers = Vec::new();
    for transmission in [
        "b2384410-f8d2-11ec-8b7f-8d7d3a2ab58e",
        "c7a1a7f0-f8d2-11ec-9c1a-5f5b0c9e1a44",
    ] {
        let mut request = Request::post("/webhooks/paypal").body(Body::from(body.clone()))?;
        *request.headers_mut() = signed_headers(&key, transmission, body.as_bytes())?;
        let response = receiver.receive(request).await;
        let status = response.status().as_u16();
        let text = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
        answers.push((status, String::from_utf8(text.to_vec())?));
    }
    assert_eq!(
        answers,
        [(200, "stored".to_owned()), (200, "duplicate".to_owned())]
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let handler = move |event: Verified<ResourceEvent<EventObject>>| {
        let sink = Arc::clone(&sink);
        async move {
            let event_type: EventType = event.event_type.parse().map_err(|_| {
                HandlerError::Permanent(format!("not an event type: {}", event.event_type))
            })?;
            let line = match (&event_type, &event.resource) {
                (EventType::CheckoutOrderApproved, EventObject::CheckoutOrder(order)) => format!(
                    "{} approved order {} ({:?})",
                    event.id,
                    order.id.as_deref().unwrap_or_default(),
                    order.status
                ),
                other => format!("unexpected {other:?}"),
            };
            sink.lock()
                .map_err(|_| HandlerError::Permanent("poisoned".to_owned()))?
                .push(line);
            Ok(())
        }
    };
    let worker = Worker::new(Arc::clone(&inbox), handler, WorkerConfig::default());
    assert!(matches!(
        worker.process_one().await?,
        Processed::Completed { .. }
    ));
    assert!(
        matches!(worker.process_one().await?, Processed::Idle),
        "one event, one row, whatever the redeliveries"
    );
    let seen = seen.lock().map_err(|_| "poisoned")?.clone();
    assert_eq!(
        seen,
        [
            "WH-7Y7254563A4550640-11V2185806837105M approved order 5O190127TN364715T (Some(Approved))"
        ]
    );
    assert!(
        inbox
            .entry("paypal", "WH-7Y7254563A4550640-11V2185806837105M")
            .await?
            .is_some()
    );
    Ok(())
}

#[test]
fn an_unlisted_type_and_an_unknown_resource_type_decode_as_unknown() -> TestResult {
    assert_eq!(
        "CUSTOMER.DISPUTE.CREATED".parse::<EventType>().ok(),
        Some(EventType::Unknown("CUSTOMER.DISPUTE.CREATED".to_owned()))
    );
    let body = serde_json::json!({
        "id": "WH-1",
        "event_type": "PAYMENT.SALE.COMPLETED",
        "resource_type": "sale",
        "resource": { "id": "80021663DE681814L", "state": "completed" }
    })
    .to_string();
    let event =
        <ResourceEvent<EventObject> as payforge::webhook::EventEnvelope>::decode(body.as_bytes())?;
    assert!(
        matches!(&event.resource, EventObject::Unknown { event_type, object }
            if event_type == "sale" && object["state"] == "completed"),
        "{:?}",
        event.resource
    );
    assert_eq!(
        event.event_type.parse::<EventType>().ok(),
        Some(EventType::PaymentSaleCompleted)
    );
    Ok(())
}
