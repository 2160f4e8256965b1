//! Fixtures shared by the webhook integration tests: signed deliveries and inboxes on both
//! databases.
#![allow(dead_code)] // Each test binary uses a different subset of these fixtures.

#[cfg(feature = "postgres")]
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use payforge::webhook::{StripeSignature, Verified, VerifiedPayload, WebhookVerifier};

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub const SECRET: &str = "whsec_payforge_test_endpoint";
pub const PINNED_API_VERSION: &str = "2023-08-16";

/// A Stripe-shaped event body: `{id, object, type, created, api_version, livemode, data}`.
pub fn event_body(event_id: &str, event_type: &str, object: serde_json::Value) -> Bytes {
    serde_json::json!({
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": 1_700_000_000,
        "api_version": PINNED_API_VERSION,
        "livemode": false,
        "request": { "id": null, "idempotency_key": null },
        "data": { "object": object },
    })
    .to_string()
    .into()
}

/// A charge object body for `event_body`.
pub fn charge(id: &str, amount: i64) -> serde_json::Value {
    serde_json::json!({ "id": id, "object": "charge", "amount": amount, "currency": "usd" })
}

/// Headers signing `body` with `secret` at `timestamp`.
pub fn signed_headers(secret: &str, timestamp: i64, body: &[u8]) -> Result<HeaderMap, BoxError> {
    let mut headers = HeaderMap::new();
    let value = StripeSignature::sign(secret, timestamp, body);
    headers.insert("stripe-signature", HeaderValue::from_str(&value)?);
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    Ok(headers)
}

/// The test endpoint's verifier.
pub fn verifier() -> Result<WebhookVerifier<StripeSignature>, BoxError> {
    Ok(WebhookVerifier::new(
        "stripe",
        StripeSignature::new([SECRET])?,
    ))
}

/// A verified payload, through the real verifier.
pub fn verified(body: Bytes) -> Result<Verified<VerifiedPayload>, BoxError> {
    let now = payforge::webhook::unix_millis() / 1000;
    let headers = signed_headers(SECRET, now, &body)?;
    Ok(verifier()?.verify(&headers, body, now)?)
}

/// A verified `charge.succeeded` event with id `event_id`.
pub fn verified_charge(event_id: &str) -> Result<Verified<VerifiedPayload>, BoxError> {
    verified(event_body(
        event_id,
        "charge.succeeded",
        charge("ch_1", 100),
    ))
}

/// A fresh SQLite inbox in a temporary directory (kept alive by the returned guard).
#[cfg(feature = "sqlite")]
pub async fn sqlite_inbox() -> Result<(payforge::webhook::SqliteInbox, tempfile::TempDir), BoxError>
{
    let directory = tempfile::tempdir()?;
    let inbox = payforge::webhook::SqliteInbox::open(
        directory.path().join("inbox.db"),
        payforge::webhook::SqliteInbox::DEFAULT_TABLE,
    )
    .await?;
    Ok((inbox, directory))
}

/// The PostgreSQL test database: `$PAYFORGE_TEST_DATABASE_URL`, else the local server.
pub fn database_url() -> String {
    std::env::var("PAYFORGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A unique table name, so concurrent tests never share rows.
pub fn unique_table(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// A fresh PostgreSQL inbox in its own table. When the server is unreachable this fails
/// under CI (`CI` set) and returns `None` elsewhere, so a laptop without PostgreSQL can still
/// run the SQLite half of the suite.
#[cfg(feature = "postgres")]
pub async fn pg_inbox() -> Result<Option<Arc<payforge::webhook::PgInbox>>, BoxError> {
    let table = unique_table("inbox");
    match payforge::webhook::PgInbox::connect(&database_url(), &table).await {
        Ok(inbox) => Ok(Some(Arc::new(inbox))),
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("PostgreSQL unreachable ({error}); skipping outside CI");
            Ok(None)
        }
        Err(error) => Err(format!("PostgreSQL is required under CI: {error}").into()),
    }
}

/// A charge, as far as the tests care.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub currency: String,
}

/// A small event payload declared the way the generator declares `EventObject`.
#[derive(Clone, Debug, PartialEq, payforge::WebhookEvent)]
pub enum TestObject {
    #[event("charge.succeeded")]
    ChargeSucceeded(Charge),
    #[event("charge.refunded")]
    ChargeRefunded(Charge),
    #[event(unknown)]
    Unknown {
        event_type: String,
        object: serde_json::Value,
    },
}

/// Drops a test table.
#[cfg(feature = "postgres")]
pub async fn drop_pg_table(pool: &sqlx::PgPool, table: &str) -> TestResult {
    sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
        .execute(pool)
        .await?;
    Ok(())
}

/// The HMAC key of the Adyen fixtures (Adyen's public test-suite key).
pub const ADYEN_KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)

/// A notification item signed with `key`, as Adyen sends it.
pub fn adyen_item(
    key: &str,
    psp_reference: &str,
    event_code: &str,
    success: bool,
) -> Result<serde_json::Value, BoxError> {
    let mut item = serde_json::json!({
        "pspReference": psp_reference,
        "merchantAccountCode": "TestMerchant",
        "merchantReference": format!("order-{psp_reference}"),
        "amount": { "currency": "EUR", "value": 1130 },
        "eventCode": event_code,
        "eventDate": "2024-01-10T13:37:30+01:00",
        "success": success.to_string(),
        "additionalData": {},
    });
    let fields: payforge::webhook::NotificationItem = serde_json::from_value(item.clone())?;
    let signature = payforge::webhook::AdyenHmac::sign_item(key, &fields)?;
    item["additionalData"]["hmacSignature"] = signature.into();
    Ok(item)
}

/// A classic notification body holding `items`.
pub fn adyen_batch(items: &[serde_json::Value]) -> Bytes {
    let elements: Vec<serde_json::Value> = items
        .iter()
        .map(|item| serde_json::json!({ "NotificationRequestItem": item }))
        .collect();
    serde_json::json!({ "live": "false", "notificationItems": elements })
        .to_string()
        .into()
}

/// The Adyen test endpoint's verifier (classic notifications).
pub fn adyen_verifier() -> Result<WebhookVerifier<payforge::webhook::AdyenHmac>, BoxError> {
    Ok(WebhookVerifier::new(
        "adyen",
        payforge::webhook::AdyenHmac::notification_items([ADYEN_KEY])?,
    ))
}

/// The items of a batch, through the real verifier.
pub fn verified_adyen_items(body: Bytes) -> Result<Vec<Verified<VerifiedPayload>>, BoxError> {
    Ok(adyen_verifier()?
        .verify_batch(&HeaderMap::new(), body, 0)?
        .into_items())
}
