//! `cargo xtask test`: every test of the workspace; the one command the README gives and
//! CI runs.
//!
//! It first audits the tree for committed provider keys (`cargo xtask audit`), then runs
//! `cargo test --workspace --all-features`, which builds the whole generated Stripe
//! SDK, runs the PostgreSQL suites (the database must be up; CI starts it), the macro UI
//! tests and the doc tests. Last, it fuzzes each webhook parser for a bounded time
//! (`cargo xtask fuzz`, [`crate::fuzz::DEFAULT_SECONDS`] per target; set
//! `PAYFORGE_FUZZ_SECONDS` to change it, `0` to leave fuzzing out of a local run).

use std::process::Command;

use anyhow::{Context, bail};

/// Runs the whole test suite, passing any extra arguments to `cargo test` (for example a
/// test name filter).
pub fn run(extra: &[String]) -> anyhow::Result<()> {
    crate::audit::run(&[])?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["test", "--workspace", "--all-features"])
        .args(extra)
        .status()
        .context("cannot start `cargo test`")?;
    if !status.success() {
        bail!("`cargo test --workspace --all-features` failed ({status})");
    }
    let seconds = match std::env::var("PAYFORGE_FUZZ_SECONDS") {
        Ok(value) => value
            .parse()
            .with_context(|| format!("PAYFORGE_FUZZ_SECONDS={value} is not a whole number"))?,
        Err(_) => crate::fuzz::DEFAULT_SECONDS,
    };
    if seconds > 0 {
        crate::fuzz::fuzz_all(seconds)?;
    }
    Ok(())
}
