//! `cargo xtask <task>`: payforge's maintenance tasks (`cargo xtask --help` lists them). This
//! file only parses the command line, moves to the workspace root and dispatches; each task
//! lives in its own module.
//!
//! The xtask depends on the generator and little else, so that the first `cargo xtask
//! generate` on a fresh clone compiles only what generating needs (BENCHMARKS.md, "Cold
//! `cargo xtask generate`"). Tasks that need the runtime or the sandbox run them through
//! `cargo run` (`webhook.rs`, `sandbox.rs`).
//!
//! An expected failure (an unknown provider, a missing file, a failed test run) prints one
//! line, `xtask: <what failed>: <why>`, and exits 1, never a backtrace; a malformed command
//! line is clap's usage error (exit 2).

mod audit;
mod doc_commands;
mod fuzz;
mod generate;
mod official_clients;
mod sandbox;
mod test;
mod webhook;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// payforge's maintenance tasks, run from the workspace root as `cargo xtask <TASK>`.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The tasks; each one's module documents it in full.
#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate every provider's SDK from its pinned spec into target/payforge/, with a
    /// coverage report, and print one line per provider.
    Generate(generate::GenerateArgs),
    /// Check that each SDK crate declares exactly the cargo features its spec needs.
    Check(generate::CheckArgs),
    /// Run a benchmark.
    Bench(generate::BenchArgs),
    /// Run the local Stripe sandbox (payforge-sandbox), or its benchmark.
    Sandbox(sandbox::SandboxArgs),
    /// Webhook tools for debugging an endpoint.
    Webhook(webhook::WebhookArgs),
    /// Every test: audit, the official clients' install, `cargo test --workspace
    /// --all-features`, the documented commands,
    /// then fuzzing (the command CI runs).
    Test(test::TestArgs),
    /// Run every `cargo run -p …` and `cargo xtask …` command the docs give, in its `--help`
    /// form, and fail with file:line for each one that fails.
    DocCommands(doc_commands::DocCommandsArgs),
    /// Build the libFuzzer targets of fuzz/ on stable and run each for a bounded time.
    Fuzz(fuzz::FuzzArgs),
    /// Fail when provider secret keys are committed under a path.
    Audit(audit::AuditArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.task) {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` puts the whole chain of causes on one line; a `Debug` print would add a
            // backtrace whenever RUST_BACKTRACE is set, as it is on many machines.
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(task: Task) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    std::env::set_current_dir(&root)
        .with_context(|| format!("cannot enter the workspace root {}", root.display()))?;
    match task {
        Task::Generate(args) => generate::run(&args),
        Task::Check(args) => generate::check(&args),
        Task::Bench(args) => generate::bench(&args),
        Task::Sandbox(args) => sandbox::run(&args),
        Task::Webhook(args) => webhook::run(&args),
        Task::Test(args) => test::run(&args),
        Task::DocCommands(args) => doc_commands::run(&args),
        Task::Fuzz(args) => fuzz::run(&args),
        Task::Audit(args) => audit::run(&args),
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo`, as the one that started this process (`$CARGO`) or from the `PATH`.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Turns a child's exit status into this process's: its code when it has one, else failure.
fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Task};

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The passed-through tasks hand on flags that the xtask does not know itself.
    #[test]
    fn pass_through_arguments_reach_the_task_untouched() -> Result<(), clap::Error> {
        let cases = [
            (
                &["sandbox", "--listen", "127.0.0.1:0", "--state", "s.json"][..],
                r#"Sandbox(SandboxArgs { bench: None, args: ["--listen", "127.0.0.1:0", "--state", "s.json"] })"#,
            ),
            (
                &["sandbox", "bench", "--payments", "10"],
                r#"Sandbox(SandboxArgs { bench: Some(Bench { args: ["--payments", "10"] }), args: [] })"#,
            ),
            (
                &["test", "flows", "--", "--nocapture"],
                r#"Test(TestArgs { cargo_test_args: ["flows", "--", "--nocapture"], test_binary_args: [] })"#,
            ),
            (
                &["test", "--", "--nocapture"],
                r#"Test(TestArgs { cargo_test_args: [], test_binary_args: ["--nocapture"] })"#,
            ),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(["cargo xtask"].iter().chain(args))?;
            assert!(matches!(cli.task, Task::Sandbox(_) | Task::Test(_)));
            assert_eq!(format!("{:?}", cli.task), expected, "{args:?}");
        }
        Ok(())
    }
}
