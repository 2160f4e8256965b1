//! `payforge-sandbox-bench`: payment intents confirmed per second against a running
//! sandbox binary on 127.0.0.1, and the server's resident memory afterwards.
//!
//! It starts the `payforge-sandbox` binary that sits next to it (or `--server PATH`), then
//! `--concurrency` workers create-and-confirm `--payments` payment intents in total, each
//! with its own `Idempotency-Key` as the payforge runtime sends them, and checks through
//! the ledger that every payment was charged exactly once.
//!
//! ```text
//! cargo build --release -p payforge-sandbox
//! target/release/payforge-sandbox-bench --payments 20000 --concurrency 16
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::Parser;

/// Payment intents confirmed per second against a payforge-sandbox binary on 127.0.0.1, and
/// the server's resident memory afterwards.
#[derive(Debug, Parser)]
#[command(name = "payforge-sandbox-bench")]
struct Args {
    /// Payment intents to create and confirm.
    #[arg(long, default_value_t = 20_000)]
    payments: u64,
    /// Concurrent client workers.
    #[arg(long, default_value_t = 16)]
    concurrency: u64,
    /// The sandbox binary (default: `payforge-sandbox` next to this executable).
    #[arg(long)]
    server: Option<PathBuf>,
}

/// Kills the server when the benchmark ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

type BenchError = Box<dyn std::error::Error + Send + Sync>;

fn start_server(path: PathBuf) -> Result<(Server, String), BenchError> {
    let mut child = Command::new(&path)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
    let stdout = child.stdout.take().ok_or("the server has no stdout")?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok((server, url))
}

/// The server's resident set size in KiB, from `/proc/<pid>/status` (Linux).
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn run(args: Args) -> Result<(), BenchError> {
    let server_path = match args.server {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("payforge-sandbox"),
    };
    let (server, url) = start_server(server_path)?;
    let pid = server.0.id();
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let (client, url, next, failures) =
            (client.clone(), url.clone(), next.clone(), failures.clone());
        let total = args.payments;
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let response = client
                    .post(format!("{url}/v1/payment_intents"))
                    .bearer_auth("sk_test_bench")
                    .header("Idempotency-Key", format!("bench-{n}"))
                    .body(format!(
                        "amount={}&currency=usd&payment_method=pm_card_visa&confirm=true",
                        100 + n % 900
                    ))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send()
                    .await;
                let ok = matches!(response, Ok(r) if r.status().is_success());
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let reporter = tokio::spawn(report_progress(next.clone(), args.payments));
    for worker in workers {
        worker.await?;
    }
    reporter.abort();
    let elapsed = started.elapsed();
    let ledger: serde_json::Value = client
        .get(format!("{url}/_sandbox/ledger"))
        .send()
        .await?
        .json()
        .await?;
    let rate = args.payments as f64 / elapsed.as_secs_f64();
    println!(
        "payments: {} confirmed in {:.2} s with {} workers",
        args.payments,
        elapsed.as_secs_f64(),
        args.concurrency
    );
    println!("throughput: {rate:.0} payment intents confirmed per second");
    println!("failures: {}", failures.load(Ordering::Relaxed));
    println!(
        "ledger: {} charges, {} succeeded, {} captured",
        ledger["totals"]["charges"],
        ledger["totals"]["succeeded_charges"],
        ledger["totals"]["captured"]
    );
    match resident_kib(pid) {
        Some(kib) => println!("server RSS after the run: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("server RSS after the run: unavailable (no /proc)"),
    }
    drop(server);
    Ok(())
}

/// Prints the throughput of each tenth of the run, to show whether it degrades as the
/// sandbox's state grows.
async fn report_progress(next: Arc<AtomicU64>, total: u64) {
    let step = (total / 10).max(1);
    let mut mark = step;
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if next.load(Ordering::Relaxed) >= mark {
            let rate = step as f64 / since.elapsed().as_secs_f64();
            println!("  up to {mark:>7}: {rate:>6.0}/s");
            mark += step;
            since = Instant::now();
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("payforge-sandbox-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
