//! `cargo xtask test`: every test of the workspace; the one command the README gives and
//! CI runs.
//!
//! It first audits the tree for committed provider keys (`cargo xtask audit`), installs the
//! official client libraries the sandbox suite drives (`official_clients.rs`), then runs
//! `cargo test --workspace --all-features`, which builds the whole generated Stripe
//! SDK, runs the PostgreSQL suites (the database must be up; CI starts it), the macro UI
//! tests and the doc tests. Then it runs every command the docs give in its `--help` form
//! (`cargo xtask doc-commands`, see `doc_commands.rs`). Last, it fuzzes each webhook parser for a bounded time
//! (`cargo xtask fuzz`, [`crate::fuzz::DEFAULT_SECONDS`] per target; set
//! `PAYFORGE_FUZZ_SECONDS` to change it, `0` to leave fuzzing out of a local run).

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

/// Arguments of `test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Arguments for `cargo test --workspace --all-features`, for example a test name filter
    /// (`flows -- --nocapture` is passed on as written).
    #[arg(allow_hyphen_values = true, value_name = "ARGS")]
    cargo_test_args: Vec<String>,
    /// Arguments for the test binaries, after a leading `--` (`cargo xtask test --
    /// --nocapture`).
    #[arg(last = true, value_name = "TEST_ARGS")]
    test_binary_args: Vec<String>,
}

/// Runs the whole test suite.
pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    crate::audit::run(&crate::audit::AuditArgs::default())?;
    let python = crate::official_clients::python()?;
    let status = Command::new(crate::cargo())
        .env("PAYFORGE_PYTHON", python)
        .args(["test", "--workspace", "--all-features"])
        .args(&args.cargo_test_args)
        .args(
            (!args.test_binary_args.is_empty())
                .then_some("--")
                .into_iter()
                .chain(args.test_binary_args.iter().map(String::as_str)),
        )
        .status()
        .context("cannot start `cargo test`")?;
    if !status.success() {
        bail!("`cargo test --workspace --all-features` failed ({status})");
    }
    crate::doc_commands::run(&crate::doc_commands::DocCommandsArgs::default())?;
    let seconds = match std::env::var("PAYFORGE_FUZZ_SECONDS") {
        Ok(value) => value
            .parse()
            .with_context(|| format!("PAYFORGE_FUZZ_SECONDS={value} is not a whole number"))?,
        Err(_) => crate::fuzz::DEFAULT_SECONDS,
    };
    if seconds > 0 {
        crate::fuzz::fuzz_all(seconds)?;
    }
    Ok(ExitCode::SUCCESS)
}
