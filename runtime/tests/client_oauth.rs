//! The client against a local OAuth2 token endpoint and API on 127.0.0.1: a provider whose
//! auth scheme is OAuth2 client credentials. The token server counts its requests, so the
//! tests prove the cache: one token for many calls, renewal before expiry (by a manual
//! clock, not by sleeping), one token request for 50 concurrent calls, a 401 answered by a
//! new token and one retry with the same request id, rotated credentials, typed token
//! errors, and no token or secret in Debug or logs.
//!
//! The provider marker is declared here by hand, so the suite depends on the runtime alone.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod log_capture;
mod oauth_marker;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use log_capture::Captured;
use oauth_marker::Orders;
use payforge::Error;
use payforge::client::{Client, Environment};
use payforge::journal::LogicalKey;
use payforge::oauth::{ManualClock, TokenError};
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use serde::Deserialize;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PAIR_1: (&str, &str) = ("client-one", "secret-one-4f1c"); // audit:allow: fake
const PAIR_2: (&str, &str) = ("client-two", "secret-two-9a7e"); // audit:allow: fake
const LIFETIME_SECS: u64 = 3600;

/// An order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    id: String,
    status: String,
}

/// Creates an order (`POST /v2/checkout/orders`).
#[payforge::endpoint(
    provider = Orders,
    method = POST,
    path = "/v2/checkout/orders",
    encoding = json,
    output = Order,
    idempotent
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct CreateOrder {
    /// The intent.
    pub intent: String,
}

fn order() -> CreateOrder {
    CreateOrder {
        intent: "CAPTURE".to_owned(),
    }
}

/// One API request as the server saw it.
#[derive(Clone, Debug)]
struct ApiSeen {
    authorization: Option<String>,
    request_id: Option<String>,
}

#[derive(Default)]
struct ServerState {
    /// The `client_id:secret` pairs the token endpoint accepts.
    accepted: Vec<String>,
    /// The Basic credentials of every token request, decoded.
    token_requests: Vec<String>,
    /// Tokens the API accepts.
    live_tokens: Vec<String>,
    /// Answer the next token requests with a body that is no token answer.
    malformed: bool,
    /// Refuse every token at the API.
    refuse_all: bool,
    api: Vec<ApiSeen>,
}

/// The token endpoint and the API on 127.0.0.1.
struct AuthServer {
    base_url: String,
    state: Arc<Mutex<ServerState>>,
    task: tokio::task::JoinHandle<()>,
}

impl AuthServer {
    async fn start(accepted: &[(&str, &str)]) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(ServerState {
            accepted: accepted.iter().map(|(i, s)| format!("{i}:{s}")).collect(),
            ..ServerState::default()
        }));
        let app = axum::Router::new()
            .route("/v1/oauth2/token", axum::routing::post(token))
            .route("/v2/checkout/orders", axum::routing::post(create_order))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            state,
            task,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn token_requests(&self) -> Vec<String> {
        self.lock().token_requests.clone()
    }

    fn api(&self) -> Vec<ApiSeen> {
        self.lock().api.clone()
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn token(
    State(state): State<Arc<Mutex<ServerState>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default();
    // Widen the window in which concurrent callers find no token.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.token_requests.push(basic.clone());
    if body != "grant_type=client_credentials" || !state.accepted.contains(&basic) {
        let body = serde_json::json!({
            "error": "invalid_client",
            "error_description": "Client Authentication failed",
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    if state.malformed {
        return (StatusCode::OK, "<html>maintenance</html>").into_response();
    }
    let token = format!("A21-token-{}", state.token_requests.len());
    state.live_tokens.push(token.clone());
    let body = serde_json::json!({
        "scope": "https://uri.example/payments",
        "access_token": token,
        "token_type": "Bearer",
        "app_id": "APP-80W284485P519543T",
        "expires_in": LIFETIME_SECS,
        "nonce": "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg",
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

async fn create_order(
    State(state): State<Arc<Mutex<ServerState>>>,
    headers: HeaderMap,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = ApiSeen {
        authorization: text("authorization"),
        request_id: text("request-id"),
    };
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.api.push(seen.clone());
    let token = seen
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "));
    if state.refuse_all || !token.is_some_and(|t| state.live_tokens.iter().any(|l| l == t)) {
        let body = serde_json::json!({
            "name": "AUTHENTICATION_FAILURE",
            "message": "Authentication failed due to invalid authentication credentials.",
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    let body = serde_json::json!({ "id": format!("O-{}", state.api.len()), "status": "CREATED" });
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// A credential file holding `client_id:secret`, removed when the guard drops.
fn credential_file(pair: (&str, &str)) -> std::io::Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("client-credentials");
    std::fs::write(&path, format!("{}:{}\n", pair.0, pair.1))?;
    Ok((dir, path))
}

async fn client(
    server: &AuthServer,
    credentials: &std::path::Path,
    clock: Arc<ManualClock>,
) -> Result<Client<Orders>, payforge::ConfigError> {
    Client::<Orders>::builder()
        .secrets(FileSecretProvider::new(credentials))
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            max_elapsed: Duration::from_secs(10),
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .token_clock(clock)
        .token_refresh_margin(Duration::from_secs(60))
        .ephemeral_journal()
        .build()
        .await
}

fn bearer(n: usize) -> Option<String> {
    Some(format!("Bearer A21-token-{n}"))
}

fn basic(pair: (&str, &str)) -> String {
    format!("{}:{}", pair.0, pair.1)
}

#[tokio::test]
async fn the_token_is_reused_and_renewed_shortly_before_it_expires() -> TestResult {
    let server = AuthServer::start(&[PAIR_1]).await?;
    let (_dir, path) = credential_file(PAIR_1)?;
    let clock = Arc::new(ManualClock::new());
    let client = client(&server, &path, Arc::clone(&clock)).await?;
    assert!(server.token_requests().is_empty(), "no token before a call");

    for _ in 0..3 {
        assert_eq!(client.send(order()).await?.status, "CREATED");
    }
    // Just inside the margin's edge: 3600 s - 60 s.
    clock.advance(Duration::from_secs(LIFETIME_SECS - 61));
    client.send(order()).await?;
    assert_eq!(server.token_requests(), vec![basic(PAIR_1)]);

    clock.advance(Duration::from_secs(2));
    client.send(order()).await?;
    client.send(order()).await?;

    assert_eq!(server.token_requests(), vec![basic(PAIR_1), basic(PAIR_1)]);
    let sent: Vec<_> = server.api().into_iter().map(|s| s.authorization).collect();
    let expected: Vec<_> = [1, 1, 1, 1, 2, 2].into_iter().map(bearer).collect();
    assert_eq!(sent, expected);
    Ok(())
}

async fn fifty_at_once(client: &Client<Orders>) -> TestResult {
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(order()).await })
        })
        .collect();
    for call in calls {
        call.await??;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_share_one_token_request() -> TestResult {
    let server = AuthServer::start(&[PAIR_1]).await?;
    let (_dir, path) = credential_file(PAIR_1)?;
    let clock = Arc::new(ManualClock::new());
    let client = client(&server, &path, Arc::clone(&clock)).await?;

    fifty_at_once(&client).await?;
    assert_eq!(server.token_requests().len(), 1);

    // The token expired for all of them: still one request.
    clock.advance(Duration::from_secs(LIFETIME_SECS));
    fifty_at_once(&client).await?;
    assert_eq!(server.token_requests().len(), 2);
    assert_eq!(server.api().len(), 100);

    // The provider revokes the token: every call that meets a 401 is retried once, and
    // however many met one, there is one token request.
    server.lock().live_tokens.clear();
    fifty_at_once(&client).await?;
    assert_eq!(server.token_requests().len(), 3);
    let third: Vec<_> = server.api().split_off(100);
    let refused = third
        .iter()
        .filter(|s| s.authorization == bearer(2))
        .count();
    assert!(refused >= 1);
    assert_eq!(third.len(), 50 + refused);
    assert!(
        third
            .iter()
            .all(|s| s.authorization == bearer(2) || s.authorization == bearer(3))
    );
    Ok(())
}

#[tokio::test]
async fn a_401_gets_a_new_token_and_one_retry_with_the_same_request_id() -> TestResult {
    let server = AuthServer::start(&[PAIR_1]).await?;
    let (_dir, path) = credential_file(PAIR_1)?;
    let client = client(&server, &path, Arc::new(ManualClock::new())).await?;
    client.send(order()).await?;
    // The provider revokes the token before it expires.
    server.lock().live_tokens.clear();

    let created = client
        .send_with_key(order(), LogicalKey::new("order-7/create")?)
        .await?;

    assert_eq!(created.id, "O-3");
    let api = server.api();
    let retried = &api[1..];
    assert_eq!(
        retried
            .iter()
            .map(|s| s.authorization.clone())
            .collect::<Vec<_>>(),
        vec![bearer(1), bearer(2)]
    );
    assert!(retried[0].request_id.is_some());
    assert_eq!(retried[0].request_id, retried[1].request_id);
    assert_eq!(server.token_requests().len(), 2);

    // An API that refuses every token: one new token, one retry, then the 401 stands.
    server.lock().refuse_all = true;
    let refused = client.send(order()).await;
    assert!(
        matches!(&refused, Err(Error::Api { status, .. }) if *status == StatusCode::UNAUTHORIZED),
        "{refused:?}"
    );
    assert_eq!(server.api().len(), 5);
    assert_eq!(server.token_requests().len(), 3);
    Ok(())
}

#[tokio::test]
async fn rotated_credentials_get_a_new_token_without_a_restart() -> TestResult {
    let server = AuthServer::start(&[PAIR_1, PAIR_2]).await?;
    let (_dir, path) = credential_file(PAIR_1)?;
    let client = client(&server, &path, Arc::new(ManualClock::new())).await?;
    client.send(order()).await?;

    // Rotated at the source and picked up explicitly: the cached token is not reused.
    std::fs::write(&path, basic(PAIR_2))?;
    client.rotate_key().await?;
    client.send(order()).await?;
    assert_eq!(server.token_requests(), vec![basic(PAIR_1), basic(PAIR_2)]);

    // Rotated again and the old pair revoked, with no call to `rotate_key`: the 401 makes
    // the client read the source, and the retry goes out with a token of the new pair.
    std::fs::write(&path, basic(PAIR_1))?;
    {
        let mut state = server.lock();
        state.accepted.retain(|p| *p != basic(PAIR_2));
        state.live_tokens.clear();
    }
    client.send(order()).await?;
    assert_eq!(
        server.token_requests(),
        vec![basic(PAIR_1), basic(PAIR_2), basic(PAIR_1)]
    );
    let last = server.api().pop().and_then(|s| s.authorization);
    assert_eq!(last, bearer(3));
    Ok(())
}

#[tokio::test]
async fn a_failed_token_request_is_a_typed_token_error() -> TestResult {
    let server = AuthServer::start(&[PAIR_1]).await?;
    let clock = Arc::new(ManualClock::new());

    let (_bad, path) = credential_file((PAIR_1.0, "wrong-secret"))?;
    let refused = client(&server, &path, Arc::clone(&clock))
        .await?
        .send(order())
        .await;
    assert!(
        matches!(&refused, Err(Error::Token(TokenError::Rejected { status, error }))
            if *status == StatusCode::UNAUTHORIZED && error.as_deref() == Some("invalid_client")),
        "{refused:?}"
    );
    assert!(refused.is_err_and(|e| !e.is_retry_safe()));

    let (_not_a_pair, path) = credential_file(("no-colon-here", ""))?;
    std::fs::write(&path, "no-colon-here")?;
    let unpaired = client(&server, &path, Arc::clone(&clock))
        .await?
        .send(order())
        .await;
    assert!(matches!(
        unpaired,
        Err(Error::Token(TokenError::CredentialPair))
    ));

    let (_good, path) = credential_file(PAIR_1)?;
    server.lock().malformed = true;
    let malformed = client(&server, &path, Arc::clone(&clock))
        .await?
        .send(order())
        .await;
    assert!(
        matches!(&malformed, Err(Error::Token(TokenError::Malformed { reason })) if reason == "not a token answer: not JSON"),
        "{malformed:?}"
    );
    // None of them reached the API.
    assert!(server.api().is_empty());

    // A token endpoint nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", closed.local_addr()?);
    drop(closed);
    let unreachable = Client::<Orders>::builder()
        .secrets(FileSecretProvider::new(&path))
        .environment(Environment::Sandbox { base_url })
        .ephemeral_journal()
        .build()
        .await?
        .send(order())
        .await;
    assert!(
        matches!(&unreachable, Err(Error::Token(TokenError::Network { .. }))),
        "{unreachable:?}"
    );
    assert!(unreachable.is_err_and(|e| e.is_retry_safe()));
    Ok(())
}

#[tokio::test]
async fn no_token_or_secret_reaches_debug_or_the_logs() -> TestResult {
    // Global, so that the other tests of this binary, running meanwhile, are checked too.
    let captured = Captured::install()?;
    let server = AuthServer::start(&[PAIR_1]).await?;
    let (_dir, path) = credential_file(PAIR_1)?;
    let client = client(&server, &path, Arc::new(ManualClock::new())).await?;
    client.send(order()).await?;
    server.lock().live_tokens.clear();
    client.send(order()).await?;
    let (_bad, bad_path) = credential_file((PAIR_1.0, "wrong-secret"))?;
    let refused = client_for(&server, &bad_path).await?.send(order()).await;

    let mut printed = vec![format!("{client:?}"), format!("{refused:?}")];
    if let Err(error) = &refused {
        printed.push(error.to_string());
    }
    printed.push(captured.text());
    assert!(printed[2].contains("invalid_client"), "{}", printed[2]);
    assert!(
        printed[3].contains("obtained an OAuth2 access token"),
        "logging is captured"
    );
    for text in &printed {
        for secret in [PAIR_1.1, "wrong-secret", "A21-token-1", "A21-token-2"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(basic(PAIR_1));
        assert!(!text.contains(&encoded), "Basic credentials in {text}");
    }
    Ok(())
}

async fn client_for(
    server: &AuthServer,
    path: &std::path::Path,
) -> Result<Client<Orders>, payforge::ConfigError> {
    client(server, path, Arc::new(ManualClock::new())).await
}
