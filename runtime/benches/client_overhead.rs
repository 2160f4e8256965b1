//! The client's per-request overhead against a local server, next to plain reqwest doing
//! the same request, and the idempotency journal's added latency per request (memory,
//! SQLite, PostgreSQL), as p50 and p99.
//!
//! `cargo bench -p payforge --bench client_overhead [--features postgres]`
//! (`PAYFORGE_BENCH_REQUESTS`, default 2000; PostgreSQL at `PAYFORGE_TEST_DATABASE_URL`).

mod latency;

use std::borrow::Cow;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use http::Method;
use payforge::client::{Client, Environment};
use payforge::journal::{
    Completion, EntryState, Fingerprint, IdempotencyJournal, IdempotencyKey, LogicalKey,
    MemoryJournal, NewEntry, SqliteJournal, StoredResponse, UnixMillis,
};
use payforge::secrets::{SecretError, SecretKey, SecretProvider};
use payforge::{ApiError, BodyEncoding, EncodeError, Endpoint, ErrorClass, Provider, RequestBody};
use serde::{Deserialize, Serialize};

type BenchResult = Result<(), Box<dyn std::error::Error>>;

const KEY: &str = "sk_test_bench0123456789abcdef"; // audit:allow: a fake key
const CHARGE: &str = r#"{"id":"ch_1","amount":2000,"currency":"usd","status":"succeeded"}"#;

#[tokio::main]
async fn main() -> BenchResult {
    let requests: usize = std::env::var("PAYFORGE_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let base_url = serve().await?;
    println!(
        "client_overhead: {requests} sequential requests per case, local axum server, p50 / p99"
    );

    let plain = reqwest::Client::new();
    let get_url = format!("{base_url}/v1/charges/ch_1");
    let post_url = format!("{base_url}/v1/charges");
    let plain_get = measure(requests, || async {
        let response = plain
            .get(&get_url)
            .bearer_auth(KEY)
            .header("Stripe-Version", "2023-08-16")
            .send()
            .await?;
        let _: Charge = serde_json::from_slice(&response.bytes().await?)?;
        Ok(())
    })
    .await?;
    latency::report("reqwest GET (plain)", &plain_get, None);
    let plain_post = measure(requests, || async {
        let response = plain
            .post(&post_url)
            .bearer_auth(KEY)
            .header("Stripe-Version", "2023-08-16")
            .header("Idempotency-Key", IdempotencyKey::generate().as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("amount=2000&currency=usd")
            .send()
            .await?;
        let _: Charge = serde_json::from_slice(&response.bytes().await?)?;
        Ok(())
    })
    .await?;
    latency::report("reqwest POST (plain)", &plain_post, None);

    let memory = client(&base_url, MemoryJournal::new()).await?;
    let client_get = measure(requests, || async {
        Ok(memory.send(Retrieve).await.map(drop)?)
    })
    .await?;
    latency::report("client GET", &client_get, Some(("reqwest GET", &plain_get)));
    let memory_post = measure(requests, || async {
        Ok(memory.send(Create).await.map(drop)?)
    })
    .await?;
    latency::report(
        "client POST, memory journal",
        &memory_post,
        Some(("reqwest POST", &plain_post)),
    );

    let dir = tempfile::tempdir()?;
    let sqlite = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
    let sqlite_client = client(&base_url, sqlite.clone()).await?;
    let sqlite_post = measure(requests, || async {
        Ok(sqlite_client.send(Create).await.map(drop)?)
    })
    .await?;
    latency::report(
        "client POST, SQLite journal",
        &sqlite_post,
        Some(("the memory journal", &memory_post)),
    );
    let sqlite_ops = measure(requests, || journal_round_trip(&sqlite)).await?;
    latency::report("SQLite journal alone (begin + finish)", &sqlite_ops, None);

    #[cfg(feature = "postgres")]
    postgres_cases(requests, &base_url, &memory_post).await?;
    Ok(())
}

#[cfg(feature = "postgres")]
async fn postgres_cases(requests: usize, base_url: &str, memory_post: &[Duration]) -> BenchResult {
    let url = std::env::var("PAYFORGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("pf_bench_{}", uuid::Uuid::new_v4().simple());
    let journal = payforge::journal::PostgresJournal::connect_in_schema(&url, &schema).await?;
    let pg_client = client(base_url, journal.clone()).await?;
    let pg_post = measure(requests, || async {
        Ok(pg_client.send(Create).await.map(drop)?)
    })
    .await?;
    latency::report(
        "client POST, PostgreSQL journal",
        &pg_post,
        Some(("the memory journal", memory_post)),
    );
    let pg_ops = measure(requests, || journal_round_trip(&journal)).await?;
    latency::report("PostgreSQL journal alone (begin + finish)", &pg_ops, None);
    let pool = sqlx::PgPool::connect(&url).await?;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&pool)
        .await?;
    Ok(())
}

/// What the journal does for one idempotent call: write the key, then the outcome.
async fn journal_round_trip(journal: &dyn IdempotencyJournal) -> BenchResult {
    let entry = NewEntry {
        provider: "bench".to_owned(),
        logical_key: LogicalKey::generate(),
        idempotency_key: IdempotencyKey::generate(),
        fingerprint: Fingerprint::of(
            &Method::POST,
            "/v1/charges",
            &RequestBody::Form("amount=2000".to_owned()),
        ),
        method: "POST".to_owned(),
        path: "/v1/charges".to_owned(),
        now: UnixMillis::now(),
    };
    let completion = Completion {
        provider: entry.provider.clone(),
        logical_key: entry.logical_key.clone(),
        idempotency_key: entry.idempotency_key.clone(),
        state: EntryState::Succeeded,
        response: Some(StoredResponse {
            status: 200,
            body: CHARGE.as_bytes().to_vec(),
        }),
        now: UnixMillis::now(),
    };
    journal.begin(entry).await?;
    journal.finish(completion).await?;
    Ok(())
}

/// Runs `once` 10% of `requests` times to warm up, then `requests` times, timing each.
async fn measure<F, Fut>(
    requests: usize,
    mut once: F,
) -> Result<Vec<Duration>, Box<dyn std::error::Error>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = BenchResult>,
{
    for _ in 0..requests / 10 {
        once().await?;
    }
    let mut samples = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        once().await?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples)
}

async fn serve() -> Result<String, std::io::Error> {
    let app = Router::new()
        .route(
            "/v1/charges",
            post(|| async { ([("content-type", "application/json")], CHARGE) }),
        )
        .route(
            "/v1/charges/{id}",
            get(|| async { ([("content-type", "application/json")], CHARGE) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

async fn client(
    base_url: &str,
    journal: impl IdempotencyJournal,
) -> Result<Client<Bench>, payforge::ConfigError> {
    Client::<Bench>::builder()
        .environment(Environment::Sandbox {
            base_url: base_url.to_owned(),
        })
        .secrets(FixedKey)
        .journal(journal)
        .build()
        .await
}

/// The bench's key source: a constant.
struct FixedKey;

impl SecretProvider for FixedKey {
    fn fetch(&self) -> futures::future::BoxFuture<'_, Result<SecretKey, SecretError>> {
        Box::pin(async { SecretKey::insecure_from_literal(KEY) })
    }
    fn describe(&self) -> String {
        "a constant".to_owned()
    }
}

struct Bench;

impl Provider for Bench {
    const NAME: &'static str = "bench";
    const API_VERSION: &'static str = "2023-08-16";
    const API_VERSION_HEADER: Option<&'static str> = Some("Stripe-Version");
    const IDEMPOTENCY_HEADER: &'static str = "Idempotency-Key";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 86_400;
    const REQUEST_ID_HEADER: &'static str = "Request-Id";
    const SHOULD_RETRY_HEADER: Option<&'static str> = Some("Stripe-Should-Retry");
    const LIVE_BASE_URL: &'static str = "https://api.bench.invalid";
    const SECRET_KEY_ENV: &'static str = "BENCH_SECRET_KEY";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &["sk_test_"];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &["sk_live_"];
    type Error = BenchError;
}

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
struct Charge {
    id: String,
    amount: i64,
}

#[derive(Serialize)]
struct Retrieve;

impl Endpoint for Retrieve {
    type Provider = Bench;
    type Output = Charge;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/charges/{charge}";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges/ch_1")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Query(String::new()))
    }
}

#[derive(Serialize)]
struct Create;

impl Endpoint for Create {
    type Provider = Bench;
    type Output = Charge;
    const METHOD: Method = Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1/charges";
    const IDEMPOTENT: bool = true;
    const ENCODING: BodyEncoding = BodyEncoding::Form;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Form("amount=2000&currency=usd".to_owned()))
    }
}
