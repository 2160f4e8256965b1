//! The OAuth2 token cache's overhead per call: the same GET through a client whose
//! provider sends a static API key and through one whose provider uses OAuth2 client
//! credentials (a cached bearer token), against one local server, as p50 and p99. The
//! server counts token requests: the whole run must make exactly one.
//!
//! `cargo bench -p payforge --bench oauth_token_cache` (`PAYFORGE_BENCH_REQUESTS`, default
//! 2000 per case, measured in 4 interleaved rounds).

mod latency;

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::Router;
use axum::routing::{get, post};
use http::Method;
use payforge::client::{Client, Environment};
use payforge::secrets::{SecretError, SecretKey, SecretProvider};
use payforge::{
    ApiError, AuthScheme, BodyEncoding, EncodeError, Endpoint, ErrorClass, KeyModeRule, Provider,
    RequestBody,
};
use serde::{Deserialize, Serialize};

type BenchResult = Result<(), Box<dyn std::error::Error>>;

const SECRET: &str = "bench-client:bench-secret-0123456789"; // audit:allow: a fake pair
const ORDER: &str = r#"{"id":"O-1","status":"CREATED"}"#;
const TOKEN: &str = r#"{"access_token":"A21-bench","token_type":"Bearer","expires_in":32400}"#;
const ROUNDS: usize = 4;

#[tokio::main]
async fn main() -> BenchResult {
    let requests: usize = std::env::var("PAYFORGE_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let token_requests = Arc::new(AtomicUsize::new(0));
    let base_url = serve(Arc::clone(&token_requests)).await?;
    println!(
        "oauth_token_cache: {requests} sequential GETs per case in {ROUNDS} interleaved rounds, local axum server"
    );
    let keyed = client::<StaticKey>(&base_url).await?;
    let oauth = client::<OAuth>(&base_url).await?;
    let (mut keyed_samples, mut oauth_samples) = (Vec::new(), Vec::new());
    // Warm-up: connections, and the one token.
    for _ in 0..requests / 10 {
        keyed.send(Retrieve::<StaticKey>(PhantomData)).await?;
        oauth.send(Retrieve::<OAuth>(PhantomData)).await?;
    }
    for _ in 0..ROUNDS {
        for _ in 0..requests / ROUNDS {
            let started = Instant::now();
            keyed.send(Retrieve::<StaticKey>(PhantomData)).await?;
            keyed_samples.push(started.elapsed());
        }
        for _ in 0..requests / ROUNDS {
            let started = Instant::now();
            oauth.send(Retrieve::<OAuth>(PhantomData)).await?;
            oauth_samples.push(started.elapsed());
        }
    }
    keyed_samples.sort();
    oauth_samples.sort();
    latency::report("client GET, static API key", &keyed_samples, None);
    latency::report(
        "client GET, cached OAuth2 bearer token",
        &oauth_samples,
        Some(("the static key", &keyed_samples)),
    );
    let fetched = token_requests.load(Ordering::SeqCst);
    println!("token requests over the run: {fetched}");
    if fetched != 1 {
        return Err(format!("expected exactly one token request, saw {fetched}").into());
    }
    Ok(())
}

async fn serve(token_requests: Arc<AtomicUsize>) -> Result<String, std::io::Error> {
    let app = Router::new()
        .route(
            "/v1/oauth2/token",
            post(move || {
                token_requests.fetch_add(1, Ordering::SeqCst);
                async { ([("content-type", "application/json")], TOKEN) }
            }),
        )
        .route(
            "/v2/checkout/orders/{id}",
            get(|| async { ([("content-type", "application/json")], ORDER) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

async fn client<P: Provider>(base_url: &str) -> Result<Client<P>, payforge::ConfigError> {
    Client::<P>::builder()
        .environment(Environment::Sandbox {
            base_url: base_url.to_owned(),
        })
        .secrets(FixedSecret)
        .ephemeral_journal()
        .build()
        .await
}

/// The bench's secret source: a constant.
struct FixedSecret;

impl SecretProvider for FixedSecret {
    fn fetch(&self) -> futures::future::BoxFuture<'_, Result<SecretKey, SecretError>> {
        Box::pin(async { SecretKey::insecure_from_literal(SECRET) })
    }
    fn describe(&self) -> String {
        "a constant".to_owned()
    }
}

macro_rules! bench_provider {
    ($name:ident, $auth:expr) => {
        struct $name;

        impl Provider for $name {
            const NAME: &'static str = "bench";
            const API_VERSION: &'static str = "2";
            const API_VERSION_HEADER: Option<&'static str> = None;
            const IDEMPOTENCY_HEADER: &'static str = "Request-Id";
            const IDEMPOTENCY_RETENTION_SECS: u64 = 21_600;
            const REQUEST_ID_HEADER: &'static str = "Debug-Id";
            const SHOULD_RETRY_HEADER: Option<&'static str> = None;
            const LIVE_BASE_URL: &'static str = "https://api.bench.invalid";
            const SECRET_KEY_ENV: &'static str = "BENCH_SECRET";
            const TEST_KEY_PREFIXES: &'static [&'static str] = &[];
            const LIVE_KEY_PREFIXES: &'static [&'static str] = &[];
            const KEY_MODE: KeyModeRule = KeyModeRule::Environment;
            const AUTH: AuthScheme = $auth;
            type Error = BenchError;
        }
    };
}

bench_provider!(
    StaticKey,
    AuthScheme::ApiKeyHeader {
        header: "X-API-Key"
    }
);
bench_provider!(
    OAuth,
    AuthScheme::OAuth2ClientCredentials {
        token_url: "/v1/oauth2/token"
    }
);

#[derive(Debug, thiserror::Error)]
#[error("bench error")]
struct BenchError;

impl ApiError for BenchError {
    fn from_response(_: http::StatusCode, _: &[u8]) -> Option<Self> {
        Some(Self)
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Unknown
    }
}

#[derive(Deserialize)]
#[allow(dead_code)] // Decoded as a real response would be; the fields are not read.
struct Order {
    id: String,
    status: String,
}

#[derive(Serialize)]
struct Retrieve<P>(#[serde(skip)] PhantomData<P>);

impl<P: Provider> Endpoint for Retrieve<P> {
    type Provider = P;
    type Output = Order;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "/v2/checkout/orders/{id}";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v2/checkout/orders/O-1")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Query(String::new()))
    }
}
