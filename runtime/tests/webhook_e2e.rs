//! End to end: a running receiver gets signed deliveries (duplicates, a forged one, a stale
//! one, an oversized one and a burst), workers process each valid event exactly once (counted
//! in an effects table), and a worker killed mid-event leads to reprocessing after its lease
//! expires, not to loss. Runs on SQLite and on PostgreSQL.

mod webhook_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use payforge::webhook::{
    Backoff, Event, HandlerError, InboxState, SourceFilter, Verified, WebhookInbox,
    WebhookReceiver, WorkerConfig, unix_millis,
};
use tokio::sync::oneshot;
use webhook_support::{
    BoxError, PINNED_API_VERSION, SECRET, TestObject, TestResult, charge, event_body,
    signed_headers, verifier,
};

const BURST: usize = 200;
const CRASH_EVENT: &str = "evt_crash";

/// Serves a receiver on 127.0.0.1:0 and returns its address.
async fn serve<I: WebhookInbox>(inbox: Arc<I>) -> Result<SocketAddr, BoxError> {
    let receiver = WebhookReceiver::new(verifier()?.with_max_body_bytes(64 * 1024), inbox)
        .with_pinned_api_version(PINNED_API_VERSION)
        .with_source_filter(SourceFilter::allow(["127.0.0.0/8".parse()?]));
    let app = axum::Router::new().route("/webhooks/stripe", receiver.into_method_router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(error) = axum::serve(listener, service).await {
            eprintln!("test server stopped: {error}");
        }
    });
    Ok(address)
}

/// Posts `body` signed with `secret` at `timestamp`; returns the status and response text.
async fn deliver(
    client: &reqwest::Client,
    address: SocketAddr,
    secret: &str,
    timestamp: i64,
    body: Bytes,
) -> Result<(u16, String), BoxError> {
    let headers = signed_headers(secret, timestamp, &body)?;
    let response = client
        .post(format!("http://{address}/webhooks/stripe"))
        .headers(headers)
        .body(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.text().await?))
}

fn now_seconds() -> i64 {
    unix_millis() / 1000
}

fn burst_event(index: usize) -> Bytes {
    event_body(
        &format!("evt_burst_{index:03}"),
        "charge.succeeded",
        charge(&format!("ch_{index}"), 100),
    )
}

/// Delivers the whole scenario except the crash event; returns nothing, asserting each answer.
async fn deliver_scenario(address: SocketAddr) -> TestResult {
    let client = reqwest::Client::new();
    let now = now_seconds();
    let forged = event_body(
        "evt_forged",
        "charge.succeeded",
        charge("ch_forged", 1_000_000),
    );
    assert_eq!(
        deliver(&client, address, "whsec_attacker", now, forged)
            .await?
            .0,
        400
    );
    let stale = event_body("evt_stale", "charge.succeeded", charge("ch_stale", 5));
    let (status, text) = deliver(&client, address, SECRET, now - 3_600, stale).await?;
    assert_eq!(status, 400);
    // Seconds pass between signing and checking on a loaded machine: an hour and a little.
    let age: Option<u64> = text
        .split(" s old")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|number| number.parse().ok());
    assert!(
        age.is_some_and(|age| (3_600..3_660).contains(&age)),
        "{text}"
    );
    let padding = "x".repeat(70 * 1024);
    let oversized = event_body(
        "evt_big",
        "charge.succeeded",
        serde_json::json!({ "pad": padding }),
    );
    // Its own connection: the server answers 413 without reading the whole body and may
    // close that connection, which a pooled client would otherwise reuse for the burst.
    assert_eq!(
        deliver(&reqwest::Client::new(), address, SECRET, now, oversized)
            .await?
            .0,
        413
    );

    // The burst, 16 in flight, every third event delivered twice (the provider retrying).
    let deliveries = (0..BURST).flat_map(|index| {
        let copies = if index % 3 == 0 { 2 } else { 1 };
        std::iter::repeat_n(index, copies)
    });
    let answers: Vec<Result<(u16, String), BoxError>> = futures::stream::iter(deliveries)
        .map(|index| {
            let client = client.clone();
            async move { deliver(&client, address, SECRET, now_seconds(), burst_event(index)).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut stored = 0;
    for answer in answers {
        let (status, text) = answer?;
        assert_eq!(status, 200, "{text}");
        stored += usize::from(text == "stored");
    }
    assert_eq!(
        stored, BURST,
        "each event stored once; redeliveries answered `duplicate`"
    );
    Ok(())
}

/// Lets the first attempt at the crash event signal that it started, then hang forever.
#[derive(Clone, Default)]
struct CrashOnce(Arc<Mutex<Option<oneshot::Sender<()>>>>);

impl CrashOnce {
    fn arm(&self) -> oneshot::Receiver<()> {
        let (entered, receiver) = oneshot::channel();
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(entered);
        }
        receiver
    }

    /// Hangs if this is the armed attempt at the crash event.
    async fn maybe_hang(&self, event_id: &str) {
        let armed = if event_id == CRASH_EVENT {
            self.0.lock().ok().and_then(|mut slot| slot.take())
        } else {
            None
        };
        if let Some(entered) = armed {
            let _ = entered.send(());
            futures::future::pending::<()>().await;
        }
    }
}

fn worker_config(name: &str) -> WorkerConfig {
    WorkerConfig {
        worker_id: name.into(),
        lease: Duration::from_secs(1),
        max_attempts: 5,
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(50),
        },
        idle_wait: Duration::from_millis(20),
    }
}

/// Waits (bounded) until `count` reaches `expected`.
async fn wait_for<F, Fut>(expected: i64, count: F) -> Result<i64, BoxError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<i64, BoxError>>,
{
    let mut seen = 0;
    for _ in 0..3_000 {
        seen = count().await?;
        if seen >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(seen)
}

/// The checks after the scenario, on any inbox.
async fn assert_processed_once<I: WebhookInbox>(
    inbox: &I,
    per_event: Vec<(String, i64)>,
) -> TestResult {
    assert_eq!(
        per_event.len(),
        BURST + 1,
        "every valid event has an effect"
    );
    for (event_id, count) in &per_event {
        assert_eq!(*count, 1, "{event_id} was applied {count} times");
        let entry = inbox
            .entry("stripe", event_id)
            .await?
            .ok_or("missing entry")?;
        assert!(
            matches!(entry.state, InboxState::Done { .. }),
            "{event_id}: {:?}",
            entry.state
        );
    }
    for rejected in ["evt_forged", "evt_stale", "evt_big"] {
        assert!(
            inbox.entry("stripe", rejected).await?.is_none(),
            "{rejected} must not be stored"
        );
    }
    let crashed = inbox
        .entry("stripe", CRASH_EVENT)
        .await?
        .ok_or("crash event lost")?;
    assert_eq!(
        crashed.attempts, 2,
        "the crashed attempt and the one after the lease"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_end_to_end() -> TestResult {
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let pool = inbox.pool().clone();
    sqlx::query("CREATE TABLE effects (event_id TEXT NOT NULL)")
        .execute(&pool)
        .await?;
    let address = serve(Arc::clone(&inbox)).await?;
    let crash = CrashOnce::default();
    let handler = {
        let (pool, crash) = (pool.clone(), crash.clone());
        move |event: Verified<Event<TestObject>>| {
            let (pool, crash) = (pool.clone(), crash.clone());
            async move {
                crash.maybe_hang(&event.id).await;
                sqlx::query("INSERT INTO effects (event_id) VALUES (?1)")
                    .bind(&event.id)
                    .execute(&pool)
                    .await
                    .map_err(|error| HandlerError::Retry(error.to_string()))?;
                Ok(())
            }
        }
    };
    let entered = crash.arm();
    let body = event_body(CRASH_EVENT, "charge.succeeded", charge("ch_crash", 7));
    assert_eq!(
        deliver(
            &reqwest::Client::new(),
            address,
            SECRET,
            now_seconds(),
            body
        )
        .await?
        .0,
        200
    );
    let doomed = Arc::new(payforge::webhook::Worker::new(
        Arc::clone(&inbox),
        handler.clone(),
        worker_config("doomed"),
    ));
    let doomed_task = tokio::spawn(async move { doomed.run(futures::future::pending()).await });
    entered.await?;
    doomed_task.abort();

    deliver_scenario(address).await?;
    let survivor = Arc::new(payforge::webhook::Worker::new(
        Arc::clone(&inbox),
        handler,
        worker_config("survivor"),
    ));
    let survivor_task = tokio::spawn(async move { survivor.run(futures::future::pending()).await });
    let count_distinct = || async {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT event_id) FROM effects")
            .fetch_one(&pool)
            .await?;
        Ok::<_, BoxError>(count)
    };
    wait_for((BURST + 1) as i64, count_distinct).await?;
    // Give a duplicate application, if there were one, the chance to land before counting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    survivor_task.abort();
    let per_event: Vec<(String, i64)> =
        sqlx::query_as("SELECT event_id, COUNT(*) FROM effects GROUP BY event_id")
            .fetch_all(&pool)
            .await?;
    assert_processed_once(&*inbox, per_event).await
}

#[cfg(feature = "postgres")]
mod postgres {
    use futures::future::BoxFuture;
    use payforge::webhook::{PgInbox, TransactionalHandler, TransactionalWorker};
    use sqlx::{Postgres, Transaction};

    use super::*;

    /// Writes one effect row in the inbox's own transaction.
    struct LedgerHandler {
        effects: String,
        crash: CrashOnce,
    }

    impl TransactionalHandler<Event<TestObject>> for LedgerHandler {
        fn handle<'a>(
            &'a self,
            transaction: &'a mut Transaction<'static, Postgres>,
            event: Verified<Event<TestObject>>,
        ) -> BoxFuture<'a, Result<(), HandlerError>> {
            Box::pin(async move {
                self.crash.maybe_hang(&event.id).await;
                sqlx::query(&format!(
                    "INSERT INTO {} (event_id) VALUES ($1)",
                    self.effects
                ))
                .bind(&event.id)
                .execute(&mut **transaction)
                .await
                .map_err(|error| HandlerError::Retry(error.to_string()))?;
                Ok(())
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_end_to_end() -> TestResult {
        let Some(inbox) = webhook_support::pg_inbox().await? else {
            return Ok(());
        };
        let pool = sqlx::PgPool::connect(&webhook_support::database_url()).await?;
        let effects = webhook_support::unique_table("effects");
        sqlx::query(&format!("CREATE TABLE {effects} (event_id TEXT NOT NULL)"))
            .execute(&pool)
            .await?;
        let address = serve(Arc::clone(&inbox)).await?;
        let crash = CrashOnce::default();
        let entered = crash.arm();
        let body = event_body(CRASH_EVENT, "charge.succeeded", charge("ch_crash", 7));
        assert_eq!(
            deliver(
                &reqwest::Client::new(),
                address,
                SECRET,
                now_seconds(),
                body
            )
            .await?
            .0,
            200
        );
        let handler = || LedgerHandler {
            effects: effects.clone(),
            crash: crash.clone(),
        };
        // The doomed worker has connections of its own, as another process would: closing
        // them after the abort is what the database sees when that process dies (its
        // transaction rolls back and the row lock goes), where an aborted task alone would
        // leave the transaction's connection idle in a shared pool, still holding the lock.
        let doomed_inbox =
            Arc::new(PgInbox::connect(&webhook_support::database_url(), inbox.table()).await?);
        let doomed = Arc::new(TransactionalWorker::new(
            Arc::clone(&doomed_inbox),
            handler(),
            worker_config("doomed"),
        ));
        let doomed_task = tokio::spawn(async move { doomed.run(futures::future::pending()).await });
        entered.await?;
        doomed_task.abort();
        let _ = doomed_task.await;
        doomed_inbox.pool().close().await;

        deliver_scenario(address).await?;
        let mut survivors = Vec::new();
        for name in ["survivor-1", "survivor-2"] {
            let worker = Arc::new(TransactionalWorker::new(
                Arc::clone(&inbox),
                handler(),
                worker_config(name),
            ));
            survivors.push(tokio::spawn(async move {
                worker.run(futures::future::pending()).await
            }));
        }
        let count_sql = format!("SELECT COUNT(DISTINCT event_id) FROM {effects}");
        let count_distinct = || async {
            let count: i64 = sqlx::query_scalar(&count_sql).fetch_one(&pool).await?;
            Ok::<_, BoxError>(count)
        };
        wait_for((BURST + 1) as i64, count_distinct).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        survivors.iter().for_each(|task| task.abort());
        let per_event: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT event_id, COUNT(*) FROM {effects} GROUP BY event_id"
        ))
        .fetch_all(&pool)
        .await?;
        assert_processed_once(&*inbox, per_event).await?;
        webhook_support::drop_pg_table(&pool, &effects).await?;
        webhook_support::drop_pg_table(inbox.pool(), inbox.table()).await
    }
}
