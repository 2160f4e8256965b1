//! Stripe's official Python library (6.x, API version 2023-08-16) drives the sandbox
//! binary through payments, manual capture, declines, refunds, customers, search and
//! signed webhooks (`official_python/flows.py`), encoding every request exactly as the
//! library does: `confirm=True`, `expand[0]=customer`, `metadata[tier]=`.
//!
//! The interpreter is `$PAYFORGE_PYTHON`, else the virtualenv `cargo xtask test` installs
//! (`target/official-python`, from `official_python/requirements.txt`). Without it the
//! test fails when `CI=true`, and otherwise skips, saying how to install it.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{KEY, TestResult, spawn};

/// The Python interpreter with the `stripe` package, or why there is none.
fn interpreter() -> Result<PathBuf, String> {
    let python = std::env::var_os("PAYFORGE_PYTHON").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/official-python/bin/python"),
        PathBuf::from,
    );
    let probe = Command::new(&python)
        .args(["-c", "import stripe.version; print(stripe.version.VERSION)"])
        .output()
        .map_err(|error| format!("cannot run {}: {error}", python.display()))?;
    let version = String::from_utf8_lossy(&probe.stdout).trim().to_owned();
    if !probe.status.success() {
        return Err(format!(
            "{} cannot import stripe: {}",
            python.display(),
            String::from_utf8_lossy(&probe.stderr).trim()
        ));
    }
    if !version.starts_with("6.") {
        return Err(format!(
            "{} has stripe {version}; the flows pin 6.x (API version 2023-08-16)",
            python.display()
        ));
    }
    Ok(python)
}

#[test]
fn stripes_python_library_runs_every_flow_against_the_sandbox() -> TestResult {
    let python = match interpreter() {
        Ok(python) => python,
        Err(why) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            return Err(format!("CI=true and the official Python client is missing: {why}").into());
        }
        Err(why) => {
            eprintln!(
                "skipped: {why}. Install it with `python3 -m venv target/official-python && \
                 target/official-python/bin/pip install -r sandbox/tests/official_python/requirements.txt`, \
                 or set PAYFORGE_PYTHON."
            );
            return Ok(());
        }
    };
    let (_sandbox, url) = spawn(&[])?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/official_python/flows.py");
    let run = Command::new(&python)
        .arg(&script)
        .env("SANDBOX_URL", &url)
        .env("SANDBOX_KEY", KEY)
        // The sandbox is on 127.0.0.1: never through a proxy the environment names.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    let passed = stdout
        .lines()
        .filter(|line| line.starts_with("ok "))
        .count();
    assert!(run.status.success(), "some flows failed:\n{stdout}");
    assert!(passed >= 15, "only {passed} flows ran:\n{stdout}");
    Ok(())
}
