//! `cargo xtask test`: every test of the workspace; the one command the README gives and
//! CI runs.
//!
//! It first audits the tree for committed provider keys (`cargo xtask audit`), then runs
//! `cargo test --workspace --all-features`, which builds the whole generated Stripe
//! SDK, runs the PostgreSQL suites (the database must be up; CI starts it), the macro UI
//! tests and the doc tests.

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
    Ok(())
}
