//! `cargo xtask <task>`: payforge's maintenance tasks. This file only parses the task name,
//! moves to the workspace root and dispatches; each task lives in its own module.
//!
//! - `generate [--provider NAME] [--out DIR]`: regenerate every provider's SDK (see
//!   `generate.rs`).
//! - `check`: verify that each SDK crate declares the features its spec needs.
//! - `bench generate [RUNS]`: time whole-SDK generation.
//! - `webhook verify --provider P --secret-env VAR --header H --payload FILE`: explain why a
//!   delivery verifies or not (see `webhook.rs`).
//! - `test [ARGS]`: every test of the workspace, the command README and CI give (see
//!   `test.rs`).
//! - `fuzz [--seconds N] [TARGET...]`: build the libFuzzer targets of `fuzz/` on stable and
//!   run each for a bounded time (see `fuzz.rs`); `test` runs it after the tests.
//! - `audit [PATH]`: fail when provider secret keys are committed under PATH (see `audit.rs`).

mod audit;
mod fuzz;
mod generate;
mod sandbox;
mod test;
mod webhook;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root)
        .with_context(|| format!("cannot enter the workspace root {}", root.display()))?;
    match task.as_str() {
        "audit" => audit::run(&rest),
        "generate" => generate::run(&rest),
        "check" => generate::check(&rest),
        "bench" => generate::bench(&rest),
        "sandbox" => sandbox::run(&rest),
        "webhook" => webhook::run(&rest),
        "test" => test::run(&rest),
        "fuzz" => fuzz::run(&rest),
        other => {
            eprintln!(
                "unknown task `{other}`; tasks: generate [--provider NAME] [--out DIR], check, test, bench generate [RUNS], sandbox, audit [PATH], webhook verify, fuzz [--seconds N] [TARGET...]"
            );
            std::process::exit(2)
        }
    }
}
