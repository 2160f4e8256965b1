//! `cargo xtask webhook verify`: checks one delivery the way the receiver would, and says
//! why it fails and what probably caused it (docs/webhooks.md, "Debugging a failing
//! endpoint").
//!
//! ```text
//! cargo xtask webhook verify --provider stripe --secret-env STRIPE_WEBHOOK_SECRET \
//!     --header 't=1700000000,v1=…' --payload body.json [--now UNIX] [--tolerance SECONDS]
//! ```
//!
//! Verification needs the runtime, which the xtask does not link (it would triple the
//! first `cargo xtask generate`). So this module parses and checks the command line, then
//! runs the verifier of `xtask/webhook/` (`cargo run -p xtask-webhook`, the runtime without
//! its default features) and exits as it does.

#[path = "../webhook/src/verify_args.rs"]
mod verify_args;

use std::process::{Command, ExitCode};

use anyhow::Context;
use verify_args::VerifyArgs;

/// Arguments of `webhook`.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum WebhookCommand {
    Verify(VerifyArgs),
}

/// Runs `webhook verify`: checks the arguments, then hands them to the verifier.
pub fn run(args: &WebhookArgs) -> anyhow::Result<ExitCode> {
    let WebhookCommand::Verify(verify) = &args.command;
    verify.check().map_err(anyhow::Error::msg)?;
    // Not quiet: the first run compiles the verifier (the runtime without its default
    // features), and cargo's progress on stderr says so; the verdict is on stdout.
    let status = Command::new(crate::cargo())
        .args(["run", "-p", "xtask-webhook", "--", "verify"])
        .args(verify.to_args())
        .status()
        .context("cannot run `cargo run -p xtask-webhook`")?;
    Ok(crate::exit_code_of(status))
}
