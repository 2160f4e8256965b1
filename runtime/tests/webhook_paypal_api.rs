//! PayPal's second verification strategy, `PaypalApiVerification`: deliveries posted to the
//! receiver are verified by a PayPal-shaped server on 127.0.0.1 that serves the OAuth2
//! token endpoint and `POST /v1/notifications/verify-webhook-signature`, and counts both.
//! The tests prove the event reaches PayPal byte for byte, one token serves many
//! deliveries, a 401 is answered by one new token and one retry, a redelivery of the same
//! transmission asks no second time, and that `FAILURE` (400, a forgery), a 5xx and a
//! timeout (503, redelivered by PayPal) are distinct errors of which none stores anything.
//!
//! The provider marker is declared here by hand, so the suite depends on the runtime alone.
#![cfg(all(feature = "axum", feature = "sqlite", feature = "client"))]

mod oauth_marker;
mod webhook_support;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use oauth_marker::Orders;
use payforge::client::{Client, Environment};
use payforge::secrets::FileSecretProvider;
use payforge::webhook::{
    PaypalApiVerification, SqliteInbox, VerificationError, WebhookInbox, WebhookReceiver,
    WebhookVerifier,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use webhook_support::{BoxError, TestResult};

const WEBHOOK_ID: &str = "1JE4291016473214C";
/// The transmission signature the test server calls valid.
const GOOD_SIG: &str = "Z29vZC1zaWduYXR1cmU=";

/// How the verification endpoint answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    /// A verdict: SUCCESS for [`GOOD_SIG`], FAILURE otherwise.
    #[default]
    Verdict,
    /// 503 with PayPal's error body.
    Unavailable,
    /// No answer within the client's timeout.
    Slow,
}

#[derive(Default)]
struct ServerState {
    token_requests: usize,
    live_tokens: Vec<String>,
    /// The request bodies of the verification endpoint, as received.
    verify_bodies: Vec<String>,
    /// The bearer tokens of those requests.
    verify_tokens: Vec<String>,
    mode: Mode,
}

type Shared = Arc<Mutex<ServerState>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, ServerState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn token(State(state): State<Shared>) -> Response {
    let mut state = lock(&state);
    state.token_requests += 1;
    let token = format!("A21-token-{}", state.token_requests);
    state.live_tokens.push(token.clone());
    let body = serde_json::json!({
        "access_token": token, "token_type": "Bearer", "expires_in": 32_400,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

async fn verify(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let mode = {
        let mut state = lock(&state);
        state.verify_bodies.push(body.clone());
        state.verify_tokens.push(bearer.clone());
        if !state.live_tokens.contains(&bearer) {
            let body = serde_json::json!({
                "name": "AUTHENTICATION_FAILURE", "message": "Authentication failed.",
            });
            return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        }
        state.mode
    };
    match mode {
        Mode::Unavailable => {
            let body = serde_json::json!({
                "name": "SERVICE_UNAVAILABLE", "message": "Service Unavailable.",
            });
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
        }
        Mode::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Mode::Verdict => {
            let request: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let valid = request["transmission_sig"] == GOOD_SIG
                && request["webhook_id"] == WEBHOOK_ID
                && request["auth_algo"] == "SHA256withRSA";
            let status = if valid { "SUCCESS" } else { "FAILURE" };
            (
                StatusCode::OK,
                axum::Json(serde_json::json!({ "verification_status": status })),
            )
                .into_response()
        }
    }
}

/// The PayPal-shaped server, a receiver over a SQLite inbox verifying through it, and the
/// guards that keep both alive.
struct Fixture {
    state: Shared,
    base_url: String,
    credentials: std::path::PathBuf,
    receiver: WebhookReceiver<PaypalApiVerification<Orders>, SqliteInbox>,
    inbox: Arc<SqliteInbox>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Fixture {
    async fn start() -> Result<Self, BoxError> {
        let state = Shared::default();
        let app = axum::Router::new()
            .route("/v1/oauth2/token", axum::routing::post(token))
            .route(
                "/v1/notifications/verify-webhook-signature",
                axum::routing::post(verify),
            )
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        let credentials = tempfile::tempdir()?;
        let path = credentials.path().join("client-credentials");
        std::fs::write(&path, "client-one:secret-one-4f1c\n")?; // audit:allow: fake
        let client = client(&base_url, &path).await?;
        let (inbox, inbox_dir) = webhook_support::sqlite_inbox().await?;
        let inbox = Arc::new(inbox);
        let verifier =
            WebhookVerifier::new("paypal", PaypalApiVerification::new(client, WEBHOOK_ID));
        Ok(Self {
            state,
            base_url,
            credentials: path,
            receiver: WebhookReceiver::new(verifier, Arc::clone(&inbox)),
            inbox,
            _dirs: (credentials, inbox_dir),
        })
    }

    /// Posts `body` with PayPal's headers signed `sig` now; the status and the answer.
    async fn deliver(
        &self,
        transmission: &str,
        sig: &str,
        body: &str,
    ) -> Result<(u16, String), BoxError> {
        let headers = headers(transmission, sig, OffsetDateTime::now_utc())?;
        let mut request = Request::post("/webhooks/paypal").body(Body::from(body.to_owned()))?;
        *request.headers_mut() = headers;
        let response = self.receiver.receive(request).await;
        let status = response.status().as_u16();
        let text = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
        Ok((status, String::from_utf8(text.to_vec())?))
    }

    /// Another client with the fixture's credentials, to `base_url`.
    async fn client(&self, base_url: &str) -> Result<Client<Orders>, BoxError> {
        client(base_url, &self.credentials).await
    }

    fn counts(&self) -> (usize, usize) {
        let state = lock(&self.state);
        (state.token_requests, state.verify_bodies.len())
    }

    async fn stored(&self, event_id: &str) -> Result<bool, BoxError> {
        Ok(self.inbox.entry("paypal", event_id).await?.is_some())
    }
}

/// A client of the PayPal-like provider at `base_url`, with a 500 ms timeout.
async fn client(base_url: &str, credentials: &std::path::Path) -> Result<Client<Orders>, BoxError> {
    Ok(Client::<Orders>::builder()
        .environment(Environment::Sandbox {
            base_url: base_url.to_owned(),
        })
        .secrets(FileSecretProvider::new(credentials))
        .timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(300))
        .ephemeral_journal()
        .build()
        .await?)
}

fn headers(transmission: &str, sig: &str, at: OffsetDateTime) -> Result<HeaderMap, BoxError> {
    let time = at.replace_nanosecond(0)?.format(&Rfc3339)?;
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("paypal-transmission-id", transmission),
        ("paypal-transmission-time", time.as_str()),
        ("paypal-transmission-sig", sig),
        (
            "paypal-cert-url",
            "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270",
        ),
        ("paypal-auth-algo", "SHA256withRSA"),
        ("content-type", "application/json"),
    ] {
        headers.insert(name, HeaderValue::from_str(value)?);
    }
    Ok(headers)
}

/// An event written the way no serialiser would rewrite it: spacing, key order, a number's
/// form and an escape that a parse-and-serialise round trip would all change.
fn event(id: &str) -> String {
    format!(
        r#"{{ "id":"{id}", "event_version":"1.0", "resource_type":"capture", "event_type":"PAYMENT.CAPTURE.COMPLETED", "summary":"Payment completed for \u20ac 10.50", "resource":{{"id":"42311647XV020574X","amount":{{"value":"10.50","currency_code":"EUR"}},"seller_receivable_breakdown":{{"paypal_fee":1.0e0}}}} }}"#
    )
}

#[tokio::test]
async fn verified_deliveries_share_one_token_and_reach_paypal_byte_for_byte() -> TestResult {
    let fixture = Fixture::start().await?;
    for index in 0..3 {
        let body = event(&format!("WH-{index}"));
        let answer = fixture
            .deliver(&format!("tx-{index}"), GOOD_SIG, &body)
            .await?;
        assert_eq!(answer, (200, "stored".to_owned()));
        assert!(fixture.stored(&format!("WH-{index}")).await?);
    }
    assert_eq!(fixture.counts(), (1, 3), "one token for three deliveries");
    let state = lock(&fixture.state);
    for (index, sent) in state.verify_bodies.iter().enumerate() {
        let expected = format!(r#""webhook_event":{}}}"#, event(&format!("WH-{index}")));
        assert!(sent.ends_with(&expected), "{sent}");
        let request: serde_json::Value = serde_json::from_str(sent)?;
        assert_eq!(request["transmission_id"], format!("tx-{index}"));
        assert_eq!(
            request["cert_url"],
            "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270"
        );
    }
    assert!(state.verify_tokens.iter().all(|t| t == "A21-token-1"));
    Ok(())
}

#[tokio::test]
async fn a_redelivered_transmission_is_not_asked_twice_and_is_stored_once() -> TestResult {
    let fixture = Fixture::start().await?;
    let body = event("WH-DUP");
    let headers = headers("tx-dup", GOOD_SIG, OffsetDateTime::now_utc())?;
    let mut answers = Vec::new();
    for _ in 0..2 {
        let mut request = Request::post("/webhooks/paypal").body(Body::from(body.clone()))?;
        *request.headers_mut() = headers.clone();
        let response = fixture.receiver.receive(request).await;
        answers.push(response.status().as_u16());
    }
    assert_eq!(answers, [200, 200]);
    assert_eq!(
        fixture.counts(),
        (1, 1),
        "the verdict for the same bytes is remembered"
    );
    // A new transmission of the same event is asked about, and deduplicated by event id.
    assert_eq!(
        fixture.deliver("tx-dup-2", GOOD_SIG, &body).await?,
        (200, "duplicate".to_owned())
    );
    assert_eq!(fixture.counts(), (1, 2));
    Ok(())
}

#[tokio::test]
async fn a_failure_verdict_is_a_forgery_refused_with_400_and_never_stored() -> TestResult {
    let fixture = Fixture::start().await?;
    let (status, text) = fixture
        .deliver("tx-forged", "Zm9yZ2Vk", &event("WH-FORGED"))
        .await?;
    assert_eq!(status, 400);
    assert_eq!(
        text,
        VerificationError::RejectedByProvider {
            status: "FAILURE".to_owned()
        }
        .to_string()
    );
    assert!(!fixture.stored("WH-FORGED").await?);
    Ok(())
}

#[tokio::test]
async fn a_5xx_or_a_timeout_is_refused_with_503_so_paypal_redelivers() -> TestResult {
    let fixture = Fixture::start().await?;
    lock(&fixture.state).mode = Mode::Unavailable;
    let (status, text) = fixture
        .deliver("tx-5xx", GOOD_SIG, &event("WH-LATER"))
        .await?;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("verification API failed (HTTP 503"), "{text}");
    lock(&fixture.state).mode = Mode::Slow;
    let (status, text) = fixture
        .deliver("tx-slow", GOOD_SIG, &event("WH-LATER"))
        .await?;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("verification API is unavailable"), "{text}");
    assert!(!fixture.stored("WH-LATER").await?);
    // PayPal's redelivery, once the API is back, is stored.
    lock(&fixture.state).mode = Mode::Verdict;
    assert_eq!(
        fixture
            .deliver("tx-again", GOOD_SIG, &event("WH-LATER"))
            .await?,
        (200, "stored".to_owned())
    );
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once_through_the_client_cache() -> TestResult {
    let fixture = Fixture::start().await?;
    assert_eq!(
        fixture.deliver("tx-1", GOOD_SIG, &event("WH-1")).await?.0,
        200
    );
    // PayPal revokes the token: the next verification gets a 401, the client drops the
    // token, obtains one new token and asks again.
    lock(&fixture.state).live_tokens.clear();
    assert_eq!(
        fixture.deliver("tx-2", GOOD_SIG, &event("WH-2")).await?.0,
        200
    );
    assert_eq!(
        fixture.deliver("tx-3", GOOD_SIG, &event("WH-3")).await?.0,
        200
    );
    assert_eq!(fixture.counts(), (2, 4), "2 tokens; 3 deliveries + 1 retry");
    let tokens = lock(&fixture.state).verify_tokens.clone();
    assert_eq!(
        tokens,
        ["A21-token-1", "A21-token-1", "A21-token-2", "A21-token-2"]
    );
    Ok(())
}

#[tokio::test]
async fn verify_needs_prepare_and_checks_the_transmission_time_locally() -> TestResult {
    let fixture = Fixture::start().await?;
    let verifier = WebhookVerifier::new(
        "paypal",
        PaypalApiVerification::new(fixture.client(&fixture.base_url).await?, WEBHOOK_ID),
    );
    let body = event("WH-1");
    let at = OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let now = at.unix_timestamp();
    let headers = headers("tx-1", GOOD_SIG, at)?;
    let error = verifier.verify(&headers, body.clone().into(), now).err();
    assert!(
        matches!(&error, Some(VerificationError::VerificationApiUnavailable { reason }) if reason.contains("prepare")),
        "{error:?}"
    );
    verifier.prepare(&headers, body.as_bytes()).await?;
    assert!(
        verifier
            .verify(&headers, body.clone().into(), now + 300)
            .is_ok()
    );
    // PayPal's SUCCESS does not excuse a stale transmission (a replay).
    assert_eq!(
        verifier
            .verify(&headers, body.clone().into(), now + 301)
            .err(),
        Some(VerificationError::TimestampTooOld {
            age: 301,
            tolerance: 300
        })
    );
    // Another body under the same headers was never vouched for.
    let other = event("WH-2");
    assert!(verifier.verify(&headers, other.into(), now).is_err());
    // No server at all: no token, no verdict, and a retryable error.
    let unreachable = WebhookVerifier::new(
        "paypal",
        PaypalApiVerification::new(fixture.client("http://127.0.0.1:9").await?, WEBHOOK_ID),
    );
    let error = unreachable.prepare(&headers, body.as_bytes()).await.err();
    assert!(
        matches!(&error, Some(error @ VerificationError::VerificationApiUnavailable { .. }) if error.is_retryable()),
        "{error:?}"
    );
    Ok(())
}
