//! The chaos test: 1 000 logical payments through the client while the real sandbox binary
//! injects random faults (answers slower than the client's timeout, connections dropped
//! before and after the commit, 500s, 429s), and the client is torn down mid-run every 250
//! payments with requests in flight, then rebuilt from its SQLite journal, whose recovery
//! report names the calls to re-drive. At the end the ledger must hold exactly one charge of
//! the right amount per logical payment: none missing, none doubled.
//!
//! The randomness is seeded: the seed is printed, and `PAYFORGE_CHAOS_SEED=<seed>` replays
//! the same fault draws and crash points. (The interleaving of 16 concurrent payments is up
//! to the scheduler, so a rerun reproduces the fault mix, not the exact schedule.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use payforge::Currency;
use payforge::client::Client;
use payforge::journal::{LogicalKey, MemoryJournal, SqliteJournal};
use payforge::retry::RetryPolicy;
use payforge_stripe::{CreatePaymentIntent, PaymentIntentStatus, Stripe};
use payforge_tests::flows::{SandboxAdmin, SandboxProcess, TestResult, sandbox_client};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing_subscriber::layer::SubscriberExt;

const PAYMENTS: usize = 1_000;
const RESTART_EVERY: usize = 250;
const CONCURRENCY: usize = 16;
const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);
/// Payments of the fault-free run that measures the sandbox's throughput.
const THROUGHPUT_PAYMENTS: usize = 500;

/// Each order's amount is distinct, so the ledger shows which order a charge belongs to.
fn amount_of(order: usize) -> i64 {
    1_000 + i64::try_from(order).unwrap_or(i64::MAX - 1_000)
}

fn payment(order: usize) -> CreatePaymentIntent {
    CreatePaymentIntent::new(amount_of(order), Currency::Usd)
        .payment_method_types(vec!["card".to_owned()])
        .payment_method("pm_card_visa")
        .confirm(true)
}

fn logical_key(order: usize) -> TestResult<LogicalKey> {
    Ok(LogicalKey::new(format!("order-{order}/charge"))?)
}

fn order_of(key: &LogicalKey) -> TestResult<usize> {
    let order = key
        .as_str()
        .strip_prefix("order-")
        .and_then(|rest| rest.strip_suffix("/charge"))
        .ok_or_else(|| format!("not an order key: {key}"))?;
    Ok(order.parse()?)
}

/// What the run counted.
#[derive(Debug, Default)]
struct Counts {
    /// Attempts the client retried by itself (its "retrying" log events).
    client_retries: Arc<AtomicU64>,
    /// Calls the application sent again under the same logical key after an error that is
    /// safe to retry (an unknown outcome, a 409 that outlasted the client's retries, …).
    redrives: AtomicU64,
    /// Clients torn down with payments in flight.
    restarts: u64,
    /// Calls a rebuilt client's recovery report listed to re-drive.
    recovered: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_payments_through_faults_and_restarts_charge_each_order_exactly_once()
-> TestResult {
    let seed = match std::env::var("PAYFORGE_CHAOS_SEED") {
        Ok(seed) => seed.parse()?,
        Err(_) => rand::random::<u64>(),
    };
    println!("chaos seed: {seed} (rerun with PAYFORGE_CHAOS_SEED={seed})");
    let mut counts = Counts::default();
    let retries = RetryCounter(Arc::clone(&counts.client_retries));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(retries))?;

    let sandbox = SandboxProcess::spawn(&[])?;
    let admin = SandboxAdmin::new(sandbox.url());
    let rss_at_start = sandbox.rss_kib();
    let throughput = confirmed_per_second(sandbox.url()).await?;
    admin.reset().await?;

    install_faults(&admin, seed).await?;
    let directory = tempfile::tempdir()?;
    let journal = directory.path().join("journal.sqlite");
    let started = Instant::now();
    let intents = pay_everything(sandbox.url(), &journal, seed, &mut counts).await?;
    let elapsed = started.elapsed();
    let fired = fired_by_kind(&admin).await?;
    admin.clear_faults().await?;

    let charges = verify_ledger(&admin, &intents).await?;
    let rss = |kib: Option<u64>| kib.map_or("n/a".to_owned(), |kib| format!("{kib} KiB"));
    let (rss_at_start, rss_at_end) = (rss(rss_at_start), rss(sandbox.rss_kib()));
    println!(
        "chaos run ({:.1} s): {PAYMENTS} payments, faults fired {fired:?}, client retries {}, \
         application re-drives {}, restarts {}, recovered calls {}, charges in the ledger {charges}",
        elapsed.as_secs_f64(),
        counts.client_retries.load(Ordering::Relaxed),
        counts.redrives.load(Ordering::Relaxed),
        counts.restarts,
        counts.recovered,
    );
    println!(
        "sandbox: {throughput:.0} payment intents confirmed/s without faults \
         ({THROUGHPUT_PAYMENTS} payments, concurrency {CONCURRENCY}); \
         RSS {rss_at_start} at start, {rss_at_end} after the run"
    );
    assert!(counts.restarts >= 3, "the client was torn down mid-run");
    assert!(
        counts.recovered > 0,
        "some calls were in flight at a teardown and re-driven"
    );
    Ok(())
}

/// Faults on the payment route, each drawn with its own seed from the run's seed.
async fn install_faults(admin: &SandboxAdmin, seed: u64) -> TestResult {
    let mut seeds = StdRng::seed_from_u64(seed);
    let rules = [
        json!({"kind": "latency", "latency_ms": 400, "probability": 0.04}),
        json!({"kind": "drop_before", "probability": 0.04}),
        json!({"kind": "drop_after", "probability": 0.04}),
        json!({"kind": "error", "probability": 0.04}),
        json!({"kind": "rate_limit", "retry_after": 0, "probability": 0.04}),
    ];
    for mut rule in rules {
        rule["method"] = json!("POST");
        rule["path"] = json!("/v1/payment_intents");
        rule["seed"] = json!(seeds.r#gen::<u64>());
        admin.add_fault(rule).await?;
    }
    Ok(())
}

async fn fired_by_kind(admin: &SandboxAdmin) -> TestResult<BTreeMap<String, u64>> {
    let mut fired = BTreeMap::new();
    for rule in admin.faults().await? {
        let kind = rule["kind"].as_str().unwrap_or("unknown").to_owned();
        *fired.entry(kind).or_default() += rule["fired"].as_u64().unwrap_or(0);
    }
    Ok(fired)
}

/// A client as a freshly started process builds it: the journal file opened anew.
async fn start_client(url: &str, journal: &Path) -> TestResult<Client<Stripe>> {
    let retries = RetryPolicy {
        max_attempts: 5,
        max_elapsed: Duration::from_secs(5),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    };
    Ok(sandbox_client(url)
        .journal(SqliteJournal::open(journal).await?)
        .timeout(CLIENT_TIMEOUT)
        .retry_policy(retries)
        .build()
        .await?)
}

/// Pays every order, tearing the client down every [`RESTART_EVERY`] payments; returns each
/// order's payment intent id.
async fn pay_everything(
    url: &str,
    journal: &Path,
    seed: u64,
    counts: &mut Counts,
) -> TestResult<Vec<String>> {
    let mut crash_points = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut intents: Vec<Option<String>> = vec![None; PAYMENTS];
    let mut next_new = 0;
    loop {
        let client = start_client(url, journal).await?;
        let report = client.recover().await?;
        assert!(
            report.reconcile.is_empty(),
            "nothing is older than the key retention"
        );
        counts.recovered += u64::try_from(report.redrive.len())?;
        // The recovery report first, then new orders: what the application's own records
        // say is unpaid (orders cut off before reaching the journal are still unpaid there).
        let mut batch = BTreeSet::new();
        for entry in &report.redrive {
            batch.insert(order_of(&entry.logical_key)?);
        }
        batch.extend((0..next_new).filter(|&order| intents[order].is_none()));
        let fresh = (PAYMENTS - next_new).min(RESTART_EVERY);
        batch.extend(next_new..next_new + fresh);
        next_new += fresh;
        let last = next_new == PAYMENTS;
        // Crash once 75–95 % of the batch is paid, with payments in flight.
        let crash_after = (!last).then(|| batch.len() * crash_points.gen_range(75..95) / 100);
        let paid = run_batch(&client, batch, crash_after, counts).await?;
        for (order, intent) in paid {
            intents[order] = Some(intent);
        }
        drop(client);
        if last {
            break;
        }
        counts.restarts += 1;
    }
    // The last client resolved everything: nothing is left for a recovery pass.
    let client = start_client(url, journal).await?;
    assert!(
        client.recover().await?.redrive.is_empty(),
        "every call resolved"
    );
    intents
        .into_iter()
        .enumerate()
        .map(|(order, intent)| intent.ok_or_else(|| format!("order {order} was never paid").into()))
        .collect()
}

/// Pays the batch with [`CONCURRENCY`] payments in flight; with `crash_after`, aborts every
/// unfinished payment once that many are paid, as a crashing process would.
async fn run_batch(
    client: &Client<Stripe>,
    batch: BTreeSet<usize>,
    crash_after: Option<usize>,
    counts: &Counts,
) -> TestResult<Vec<(usize, String)>> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let redrives = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for order in batch {
        let (client, permits, redrives) =
            (client.clone(), Arc::clone(&permits), Arc::clone(&redrives));
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
            pay(&client, order, &redrives)
                .await
                .map(|intent| (order, intent))
        });
    }
    let mut paid = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        paid.push(joined?.map_err(|e| format!("a payment failed for good: {e}"))?);
        if crash_after.is_some_and(|limit| paid.len() >= limit) {
            tasks.abort_all();
            while let Some(joined) = tasks.join_next().await {
                // A payment that finished while the others were being aborted counts.
                if let Ok(Ok(done)) = joined {
                    paid.push(done);
                }
            }
        }
    }
    counts
        .redrives
        .fetch_add(redrives.load(Ordering::Relaxed), Ordering::Relaxed);
    Ok(paid)
}

/// Pays one order, sending it again under its logical key after any error that is safe to
/// retry, as an application resolving an unknown outcome does.
async fn pay(
    client: &Client<Stripe>,
    order: usize,
    redrives: &AtomicU64,
) -> Result<String, String> {
    let key = logical_key(order).map_err(|e| e.to_string())?;
    for _ in 0..50 {
        match client.send_with_key(payment(order), key.clone()).await {
            Ok(intent) if intent.status == PaymentIntentStatus::Succeeded => {
                return Ok(intent.id.into_string());
            }
            Ok(intent) => return Err(format!("order {order}: {:?}", intent.status)),
            Err(error) if error.is_retry_safe() => {
                redrives.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => return Err(format!("order {order}: {error}")),
        }
    }
    Err(format!("order {order}: still unresolved after 50 sends"))
}

/// Checks the ledger: one succeeded charge per order, of its amount, on its intent, and
/// nothing else. Returns the number of charges.
async fn verify_ledger(admin: &SandboxAdmin, intents: &[String]) -> TestResult<usize> {
    let ledger = admin.ledger().await?;
    let distinct: BTreeSet<&String> = intents.iter().collect();
    assert_eq!(
        distinct.len(),
        PAYMENTS,
        "each order has its own payment intent"
    );
    assert_eq!(
        ledger.charges.len(),
        PAYMENTS,
        "one charge per order, none doubled or missing"
    );
    assert_eq!(
        ledger.payment_intents.len(),
        PAYMENTS,
        "no stray payment intent was charged"
    );
    for (order, intent) in intents.iter().enumerate() {
        let charges = ledger.charges_of(intent);
        assert_eq!(charges.len(), 1, "order {order} ({intent}): {charges:?}");
        let charge = charges[0];
        assert_eq!(charge.status, "succeeded", "order {order}");
        assert_eq!(
            (charge.amount, charge.captured, charge.refunded),
            (amount_of(order), amount_of(order), 0)
        );
    }
    Ok(ledger.charges.len())
}

/// Payment intents confirmed per second through the client with no faults: the sandbox's
/// throughput as an application sees it (the journal in memory, so SQLite is not measured).
async fn confirmed_per_second(url: &str) -> TestResult<f64> {
    let client = sandbox_client(url)
        .journal(MemoryJournal::new())
        .build()
        .await?;
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for order in 0..THROUGHPUT_PAYMENTS {
        let (client, permits) = (client.clone(), Arc::clone(&permits));
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
            let intent = client
                .send(payment(order))
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(intent.status == PaymentIntentStatus::Succeeded)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        assert!(joined??, "a fault-free payment succeeds");
    }
    Ok(THROUGHPUT_PAYMENTS as f64 / started.elapsed().as_secs_f64())
}

/// Counts the client's "retrying" events: one per retried attempt.
struct RetryCounter(Arc<AtomicU64>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RetryCounter {
    // Only the client's own events are of interest; everything else (hyper's and reqwest's
    // trace events) stays disabled, so counting costs the run nothing.
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if metadata.is_event() && metadata.target().starts_with("payforge") {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if !event.metadata().target().starts_with("payforge") {
            return;
        }
        let mut message = MessageIs {
            expected: "retrying",
            matched: false,
        };
        event.record(&mut message);
        if message.matched {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

struct MessageIs {
    expected: &'static str,
    matched: bool,
}

impl tracing::field::Visit for MessageIs {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && format!("{value:?}") == self.expected {
            self.matched = true;
        }
    }
}
