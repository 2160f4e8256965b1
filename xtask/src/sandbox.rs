//! `cargo xtask sandbox [ARGS]`: runs the local Stripe sandbox (`payforge-sandbox`) through
//! `cargo run`, passing ARGS through (`--listen`, `--state`, `--admin-token`,
//! `--webhook-retry-ms`; `cargo run -p payforge-sandbox -- --help` lists them) and listening
//! on 127.0.0.1:12111 unless `--listen` is given.
//! `cargo xtask sandbox bench [ARGS]`: builds the sandbox in release mode and runs
//! `payforge-sandbox-bench` against it (`--payments`, `--concurrency`).
//!
//! The sandbox's own binaries parse and document these flags, so they are passed through
//! untouched rather than declared twice; the xtask does not link the sandbox.

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

/// The address `cargo xtask sandbox` listens on unless told otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:12111";

/// Arguments of `sandbox`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SandboxArgs {
    #[command(subcommand)]
    bench: Option<SandboxBench>,
    /// Arguments for payforge-sandbox: --listen ADDR (default 127.0.0.1:12111), --state FILE,
    /// --admin-token TOKEN, --webhook-retry-ms LIST (see sandbox/README.md).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

/// The benchmark of the sandbox.
#[derive(Debug, clap::Subcommand)]
enum SandboxBench {
    /// Build the sandbox in release mode and measure payment intents confirmed per second.
    Bench {
        /// Arguments for payforge-sandbox-bench: --payments N (default 20000), --concurrency N
        /// (default 16), --server PATH.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ARGS"
        )]
        args: Vec<String>,
    },
}

/// Runs the sandbox, or its benchmark, with the given arguments; exits as it does.
pub fn run(args: &SandboxArgs) -> anyhow::Result<ExitCode> {
    if let Some(SandboxBench::Bench { args }) = &args.bench {
        // The bench starts the server binary that sits next to it, so build both first,
        // showing cargo's progress: a release build takes minutes.
        let built = cargo(
            &["build", "--release", "-p", "payforge-sandbox", "--bins"],
            &[],
        )?;
        if !built.success() {
            bail!("`cargo build --release -p payforge-sandbox --bins` failed ({built})");
        }
        let status = cargo(
            &[
                "run",
                "--release",
                "--quiet",
                "-p",
                "payforge-sandbox",
                "--bin",
                "payforge-sandbox-bench",
                "--",
            ],
            args,
        )?;
        return Ok(crate::exit_code_of(status));
    }
    let status = cargo(
        // Not quiet: the first run compiles the sandbox for minutes, and cargo's progress
        // says so.
        &["run", "-p", "payforge-sandbox", "--"],
        &with_default_listen(&args.args),
    )?;
    Ok(crate::exit_code_of(status))
}

/// Puts `--listen 127.0.0.1:12111` in front of the arguments unless they name an address.
fn with_default_listen(args: &[String]) -> Vec<String> {
    let listen_given = args
        .iter()
        .any(|a| a == "--listen" || a.starts_with("--listen="));
    let default = (!listen_given).then(|| ["--listen".to_owned(), DEFAULT_LISTEN.to_owned()]);
    default
        .into_iter()
        .flatten()
        .chain(args.iter().cloned())
        .collect()
}

/// Runs `cargo COMMAND EXTRA…` and returns its exit status.
fn cargo(command: &[&str], extra: &[String]) -> anyhow::Result<std::process::ExitStatus> {
    Command::new(crate::cargo())
        .args(command)
        .args(extra)
        .status()
        .with_context(|| format!("cannot run `cargo {}`", command.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_address_is_added_only_when_none_is_given() {
        let strings = |values: &[&str]| -> Vec<String> {
            values.iter().map(|value| (*value).to_owned()).collect()
        };
        assert_eq!(
            with_default_listen(&strings(&["--state", "s.json"])),
            strings(&["--listen", DEFAULT_LISTEN, "--state", "s.json"])
        );
        assert_eq!(
            with_default_listen(&strings(&["--listen=127.0.0.1:0"])),
            strings(&["--listen=127.0.0.1:0"])
        );
    }
}
