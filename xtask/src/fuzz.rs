//! `cargo xtask fuzz [--seconds N] [TARGET...]`: build the libFuzzer targets of `fuzz/` with
//! coverage instrumentation on stable Rust and run each for a bounded time.
//!
//! No cargo-fuzz and no nightly toolchain: the instrumentation cargo-fuzz adds is a set of
//! stable `-C` flags (`-Cpasses=sancov-module` and the `sanitizer-coverage` LLVM options), so
//! this task passes them itself and runs the target binaries directly. Without a sanitizer
//! (which would need nightly), a panic, an overflow (`-Coverflow-checks`) or a failed debug
//! assertion is the crash libFuzzer reports.
//!
//! Each target starts from a corpus under `<target dir>/fuzz/corpus/<target>` (kept between runs, so
//! local runs keep what earlier ones found), seeded every run from the webhook-signature
//! vectors in `$PAYFORGE_SPECS_DIR/../vectors` and from a few seeds of our own. A crash is
//! written to `<target dir>/fuzz/artifacts/<target>/` and fails the task with the command that
//! replays it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use serde_json::Value;

/// The targets of `fuzz/Cargo.toml`, in the order they run.
const TARGETS: [&str; 6] = [
    "stripe_signature_header",
    "standard_webhooks_headers",
    "event_decoder",
    "adyen_notification_batch",
    "adyen_hmac_header",
    "paypal_headers",
];

/// Seconds each target runs when `--seconds` is not given.
pub const DEFAULT_SECONDS: u64 = 20;

/// The instrumentation cargo-fuzz uses, minus the sanitizer (nightly-only).
const RUSTFLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    -Cllvm-args=-sanitizer-coverage-stack-depth \
    -Cdebug-assertions -Coverflow-checks --cfg fuzzing";

/// Arguments of `fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// Seconds each target runs.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SECONDS)]
    seconds: u64,
    /// The targets to run [default: all].
    #[arg(value_name = "TARGET", value_parser = TARGETS)]
    targets: Vec<String>,
}

/// Fuzzes the targets asked for, or all of them.
pub fn run(args: &FuzzArgs) -> anyhow::Result<ExitCode> {
    if args.targets.is_empty() {
        fuzz_all(args.seconds)?;
    } else {
        fuzz(&args.targets, args.seconds)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds every target and runs each for `seconds`.
pub fn fuzz_all(seconds: u64) -> anyhow::Result<()> {
    let targets: Vec<String> = TARGETS.iter().map(|name| (*name).to_owned()).collect();
    fuzz(&targets, seconds)
}

/// Builds the targets and runs each for `seconds`.
pub fn fuzz(targets: &[String], seconds: u64) -> anyhow::Result<()> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let root = target.join("fuzz");
    let bin_dir = build(&root)?;
    let vectors = vectors_dir();
    if vectors.is_none() {
        println!(
            "fuzz: no vectors directory beside $PAYFORGE_SPECS_DIR (../vectors); seeding with \
             payforge's own seeds only"
        );
    }
    for target in targets {
        let corpus = root.join("corpus").join(target);
        let artifacts = root.join("artifacts").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("cannot create {}", corpus.display()))?;
        std::fs::create_dir_all(&artifacts)
            .with_context(|| format!("cannot create {}", artifacts.display()))?;
        let seeded = seed(target, &corpus, vectors.as_deref())?;
        println!("fuzz {target}: {seeded} seeds, {seconds} s");
        let binary = bin_dir.join(target);
        let log = root.join(format!("{target}.log"));
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let status = Command::new(&binary)
            .arg(&corpus)
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg("-rss_limit_mb=2048")
            .arg("-max_len=131072")
            .arg("-print_final_stats=1")
            .stdout(log_file.try_clone().context("cannot share the fuzz log")?)
            .stderr(log_file)
            .status()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        // libFuzzer's progress lines are in the log; the summary is what a reader of CI needs.
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        for line in output.lines().filter(|line| {
            line.starts_with("stat::") || line.starts_with("Done ") || line.contains("ERROR")
        }) {
            println!("  {line}");
        }
        if !status.success() {
            let tail: Vec<&str> = output.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                eprintln!("  | {line}");
            }
            bail!(
                "fuzz target `{target}` found a crash ({status}); the input is in {}, the log \
                 in {}; replay it with `{} <that file>`",
                artifacts.display(),
                log.display(),
                binary.display()
            );
        }
    }
    Ok(())
}

/// Builds every target, instrumented, into `root`; returns the directory of the binaries.
fn build(root: &Path) -> anyhow::Result<PathBuf> {
    let target_dir = std::path::absolute(root.join("build"))
        .context("cannot resolve the fuzz build directory")?;
    // An explicit `--target` keeps the flags off build scripts and proc macros, which must not
    // be instrumented (they link without libFuzzer).
    let host = host_triple()?;
    let status = Command::new(crate::cargo())
        .args([
            "build",
            "--release",
            "--bins",
            "--manifest-path",
            "fuzz/Cargo.toml",
        ])
        .args(["--target", &host])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", RUSTFLAGS)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .context("cannot start `cargo build` for the fuzz targets")?;
    if !status.success() {
        bail!("building the fuzz targets failed ({status})");
    }
    Ok(target_dir.join(host).join("release"))
}

/// The host's target triple, as `rustc -vV` reports it.
fn host_triple() -> anyhow::Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run `rustc -vV`")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("`rustc -vV` names no host triple")
}

/// The shared vectors directory: beside the specs directory.
fn vectors_dir() -> Option<PathBuf> {
    let specs = std::env::var_os("PAYFORGE_SPECS_DIR")?;
    let dir = Path::new(&specs).join("..").join("vectors");
    dir.is_dir().then_some(dir)
}

/// Writes the seeds of `target` into `corpus`; returns how many.
fn seed(target: &str, corpus: &Path, vectors: Option<&Path>) -> anyhow::Result<usize> {
    let mut seeds: Vec<Vec<u8>> = match target {
        "stripe_signature_header" => vec![
            b"t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"
                .to_vec(),
            b"t=1700000000,v1=00,v0=11,v1=22".to_vec(),
        ],
        "standard_webhooks_headers" => {
            vec![b"msg_1\x001614265330\x00v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_vec()]
        }
        "adyen_notification_batch" => vec![
            br#"{"live":"false","notificationItems":[{"NotificationRequestItem":{"pspReference":"p","eventCode":"AUTHORISATION","success":"true","amount":{"value":1000,"currency":"EUR"},"additionalData":{"hmacSignature":"AAAA"}}}]}"#.to_vec(),
        ],
        "adyen_hmac_header" => vec![b"fX74xUdztFmaXAn3IusMFFUBUSkLmDQUK0tm8xL6ZTU=\x00{}".to_vec()],
        "paypal_headers" => vec![
            b"tx-1\x002024-01-15T10:00:01Z\x00AAEC\x00https://api.paypal.com/v1/notifications/certs/C\x00SHA256withRSA".to_vec(),
        ],
        _ => vec![
            br#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","api_version":"2023-08-16","created":1700000000,"livemode":false,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":2000,"currency":"usd"}}}"#.to_vec(),
        ],
    };
    if let Some(dir) = vectors {
        seeds.extend(vector_seeds(target, dir)?);
    }
    for (index, seed) in seeds.iter().enumerate() {
        let path = corpus.join(format!("seed-{index:03}"));
        std::fs::write(&path, seed).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(seeds.len())
}

/// Seeds taken from the providers' own signature vectors.
fn vector_seeds(target: &str, dir: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let file = match target {
        "standard_webhooks_headers" => "standard-webhooks.json",
        "adyen_notification_batch" | "adyen_hmac_header" => "adyen-hmac.json",
        "paypal_headers" => "paypal-rsa.json",
        _ => "stripe-signature.json",
    };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let document: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let vectors = document["vectors"].as_array().cloned().unwrap_or_default();
    let text_of = |value: &Value| value.as_str().map(|text| text.as_bytes().to_vec());
    Ok(vectors
        .iter()
        .filter_map(|vector| match target {
            "stripe_signature_header" => text_of(&vector["header"]),
            "standard_webhooks_headers" => {
                let headers = &vector["headers"];
                let parts: Vec<&str> = ["webhook-id", "webhook-timestamp", "webhook-signature"]
                    .iter()
                    .map(|name| headers[*name].as_str().unwrap_or_default())
                    .collect();
                Some(parts.join("\0").into_bytes())
            }
            "adyen_notification_batch" => {
                let item = vector.get("notification_request_item")?;
                let batch = serde_json::json!({
                    "live": "false",
                    "notificationItems": [{ "NotificationRequestItem": item }],
                });
                Some(batch.to_string().into_bytes())
            }
            "adyen_hmac_header" => {
                let signature = vector["headers"]["HmacSignature"].as_str()?;
                let payload = vector["payload"].as_str()?;
                Some(format!("{signature}\0{payload}").into_bytes())
            }
            "paypal_headers" => {
                let headers = &vector["headers"];
                let parts: Vec<&str> = [
                    "paypal-transmission-id",
                    "paypal-transmission-time",
                    "paypal-transmission-sig",
                    "paypal-cert-url",
                    "paypal-auth-algo",
                ]
                .iter()
                .map(|name| headers[*name].as_str().unwrap_or_default())
                .collect();
                Some(parts.join("\0").into_bytes())
            }
            _ => text_of(&vector["payload"]),
        })
        .collect())
}
