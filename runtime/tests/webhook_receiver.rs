//! The receiver's answers, one rule each: source filter, size limit, verification, inbox
//! failure, duplicates, and the API version flag.

mod webhook_support;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use payforge::webhook::{
    SourceFilter, SqliteInbox, WebhookInbox, WebhookReceiver, stripe_webhook_ips, unix_millis,
};
use webhook_support::{
    BoxError, PINNED_API_VERSION, SECRET, TestResult, charge, event_body, signed_headers, verifier,
};

const STRIPE_ADDRESS: &str = "3.18.12.63:443";
const PROXY_ADDRESS: &str = "10.1.2.3:50000";

fn receiver(
    inbox: Arc<SqliteInbox>,
) -> Result<WebhookReceiver<payforge::webhook::StripeSignature, SqliteInbox>, BoxError> {
    let filter =
        SourceFilter::allow(stripe_webhook_ips()).with_trusted_proxies(["10.0.0.0/8".parse()?]);
    Ok(
        WebhookReceiver::new(verifier()?.with_max_body_bytes(4_096), inbox)
            .with_source_filter(filter)
            .with_pinned_api_version("2024-06-20"),
    )
}

/// A signed delivery of `event_id` from `peer`, with an optional `X-Forwarded-For`.
fn delivery(
    event_id: &str,
    peer: &str,
    forwarded_for: Option<&str>,
) -> Result<Request<Body>, BoxError> {
    let body = event_body(event_id, "charge.succeeded", charge("ch_1", 100));
    let mut request = Request::post("/webhooks").body(Body::from(body.clone()))?;
    *request.headers_mut() = signed_headers(SECRET, unix_millis() / 1000, &body)?;
    if let Some(forwarded_for) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded_for.parse()?);
    }
    request
        .extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>()?));
    Ok(request)
}

async fn answer(
    receiver: &WebhookReceiver<payforge::webhook::StripeSignature, SqliteInbox>,
    request: Request<Body>,
) -> Result<(u16, String), BoxError> {
    let response = receiver.receive(request).await;
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
    Ok((status, String::from_utf8(body.to_vec())?))
}

#[tokio::test]
async fn each_request_gets_the_answer_its_rule_gives() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = receiver(Arc::clone(&inbox))?;
    let cases: Vec<(&str, Request<Body>, u16, &str)> = vec![
        (
            "from Stripe",
            delivery("evt_a", STRIPE_ADDRESS, None)?,
            200,
            "stored",
        ),
        (
            "redelivered",
            delivery("evt_a", STRIPE_ADDRESS, None)?,
            200,
            "duplicate",
        ),
        (
            "from elsewhere",
            delivery("evt_b", "6.6.6.6:1234", None)?,
            403,
            "source address not allowed",
        ),
        (
            "spoofed X-Forwarded-For",
            delivery("evt_c", "6.6.6.6:1234", Some("3.18.12.63"))?,
            403,
            "source address not allowed",
        ),
        (
            "through our proxy",
            delivery("evt_d", PROXY_ADDRESS, Some("3.18.12.63"))?,
            200,
            "stored",
        ),
        (
            "proxy hiding an outsider",
            delivery("evt_e", PROXY_ADDRESS, Some("6.6.6.6"))?,
            403,
            "source address not allowed",
        ),
    ];
    for (name, request, status, text) in cases {
        assert_eq!(
            answer(&receiver, request).await?,
            (status, text.to_owned()),
            "{name}"
        );
    }
    for (event_id, stored) in [
        ("evt_a", true),
        ("evt_b", false),
        ("evt_c", false),
        ("evt_d", true),
        ("evt_e", false),
    ] {
        assert_eq!(
            inbox.entry("stripe", event_id).await?.is_some(),
            stored,
            "{event_id}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn oversized_and_unsigned_bodies_are_refused_before_storage() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = receiver(Arc::clone(&inbox))?;

    let mut declared = delivery("evt_big", STRIPE_ADDRESS, None)?;
    declared
        .headers_mut()
        .insert("content-length", "1000000".parse()?);
    let (status, text) = answer(&receiver, declared).await?;
    assert_eq!(status, 413, "{text}");

    let big = event_body(
        "evt_big",
        "charge.succeeded",
        serde_json::json!({ "pad": "x".repeat(5_000) }),
    );
    let mut streamed = delivery("evt_big", STRIPE_ADDRESS, None)?;
    *streamed.body_mut() = Body::from(big);
    streamed.headers_mut().remove("content-length");
    assert_eq!(answer(&receiver, streamed).await?.0, 413);

    let mut unsigned = delivery("evt_unsigned", STRIPE_ADDRESS, None)?;
    unsigned.headers_mut().remove("stripe-signature");
    assert_eq!(
        answer(&receiver, unsigned).await?,
        (
            400,
            "the `Stripe-Signature` header is missing or empty".to_owned()
        )
    );
    assert!(inbox.dead_letters(10).await?.is_empty());
    assert!(inbox.entry("stripe", "evt_big").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn another_api_version_is_stored_and_flagged() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = receiver(Arc::clone(&inbox))?;
    assert_eq!(
        answer(&receiver, delivery("evt_v", STRIPE_ADDRESS, None)?)
            .await?
            .0,
        200
    );
    let entry = inbox.entry("stripe", "evt_v").await?.ok_or("not stored")?;
    assert!(
        entry.api_version_mismatch,
        "{PINNED_API_VERSION} differs from the pinned 2024-06-20"
    );
    Ok(())
}

#[tokio::test]
async fn an_inbox_that_cannot_write_gets_503_so_the_provider_retries() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = receiver(Arc::clone(&inbox))?;
    sqlx::query(&format!("DROP TABLE {}", SqliteInbox::DEFAULT_TABLE))
        .execute(inbox.pool())
        .await?;
    let (status, text) = answer(&receiver, delivery("evt_lost", STRIPE_ADDRESS, None)?).await?;
    assert_eq!((status, text.as_str()), (503, "inbox unavailable"));
    Ok(())
}
