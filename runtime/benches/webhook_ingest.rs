//! Receiver ingest rate and acknowledgement latency with the SQLite and PostgreSQL inboxes.
//!
//! `cargo bench -p payforge --all-features --bench webhook_ingest` serves a receiver on
//! 127.0.0.1, posts signed 3 KB events over HTTP/1.1 keep-alive, and reports, per inbox:
//! one client in sequence (pure acknowledgement latency) and 16 concurrent clients (ingest
//! rate). Latency is measured from sending the request to receiving the 200, which the
//! receiver sends only after the inbox write is durable. PostgreSQL is read from
//! `$PAYFORGE_TEST_DATABASE_URL` (default: the local server, database `test`) and skipped
//! with a note if unreachable.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt as _;
use payforge::webhook::{
    StripeSignature, WebhookInbox, WebhookReceiver, WebhookVerifier, unix_millis,
};

type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SECRET: &str = "whsec_benchmark_endpoint_secret";
const SEQUENTIAL: usize = 500;
const CONCURRENT: usize = 3_000;
const IN_FLIGHT: usize = 16;

async fn serve<I: WebhookInbox>(inbox: Arc<I>) -> BenchResult<SocketAddr> {
    let verifier = WebhookVerifier::new("stripe", StripeSignature::new([SECRET])?);
    let route = WebhookReceiver::new(verifier, inbox).into_method_router();
    let app = axum::Router::new().route("/webhooks", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// A 3 KB pretty-printed event with a unique id.
fn event(run: &str, index: usize) -> Bytes {
    let padding: serde_json::Map<String, serde_json::Value> = (0..50)
        .map(|key| (format!("key_{key:02}"), "v".repeat(40).into()))
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({
        "id": format!("evt_{run}_{index:06}"), "object": "event", "type": "charge.succeeded",
        "created": 1_700_000_000, "livemode": false, "api_version": "2023-08-16",
        "data": { "object": { "id": "ch_1", "object": "charge", "amount": 2000, "metadata": padding } },
    }))
    .map(Bytes::from)
    .unwrap_or_default()
}

/// Posts one signed event and returns the time to its acknowledgement.
async fn post(client: &reqwest::Client, address: SocketAddr, body: Bytes) -> BenchResult<Duration> {
    let signature = StripeSignature::sign(SECRET, unix_millis() / 1000, &body);
    let start = Instant::now();
    let response = client
        .post(format!("http://{address}/webhooks"))
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    response.bytes().await?;
    if status != 200 {
        return Err(format!("unexpected status {status}").into());
    }
    Ok(start.elapsed())
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted
        .get(index)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1_000.0)
}

fn report(label: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{label:<28} {:>6} events  {rate:>8.0} events/s  ack p50 {:>7.2} ms  p99 {:>7.2} ms",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}

async fn measure<I: WebhookInbox>(name: &str, inbox: Arc<I>) -> BenchResult {
    let address = serve(inbox).await?;
    let client = reqwest::Client::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    for index in 0..50 {
        post(&client, address, event(&format!("warm{run}"), index)).await?;
    }
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(SEQUENTIAL);
    for index in 0..SEQUENTIAL {
        latencies.push(post(&client, address, event(&format!("seq{run}"), index)).await?);
    }
    report(&format!("{name}, 1 client"), latencies, start.elapsed());

    let start = Instant::now();
    let results: Vec<BenchResult<Duration>> = futures::stream::iter(0..CONCURRENT)
        .map(|index| {
            let client = client.clone();
            let body = event(&format!("par{run}"), index);
            async move { post(&client, address, body).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let elapsed = start.elapsed();
    let latencies = results.into_iter().collect::<BenchResult<Vec<_>>>()?;
    report(&format!("{name}, {IN_FLIGHT} clients"), latencies, elapsed);
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    let directory = tempfile::tempdir()?;
    let sqlite =
        payforge::webhook::SqliteInbox::open(directory.path().join("inbox.db"), "bench_inbox")
            .await?;
    measure("SQLite (WAL, sync=FULL)", Arc::new(sqlite)).await?;

    #[cfg(feature = "postgres")]
    {
        let url = std::env::var("PAYFORGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let table = format!("bench_inbox_{}", uuid::Uuid::new_v4().simple());
        match payforge::webhook::PgInbox::connect(&url, &table).await {
            Ok(inbox) => {
                measure("PostgreSQL", Arc::new(inbox)).await?;
                let pool = sqlx::PgPool::connect(&url).await?;
                sqlx::query(&format!("DROP TABLE {table}"))
                    .execute(&pool)
                    .await?;
            }
            Err(error) => println!("PostgreSQL skipped: {error}"),
        }
    }
    #[cfg(not(feature = "postgres"))]
    println!("PostgreSQL skipped: build with --features postgres");
    Ok(())
}
