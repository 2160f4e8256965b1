//! `cargo xtask sandbox [ARGS]`: runs the local Stripe sandbox (`payforge-sandbox`), passing
//! ARGS through (`--listen`, `--state`, `--admin-token`, `--webhook-retry-ms`).
//! `cargo xtask sandbox bench [ARGS]`: builds the sandbox in release mode and runs
//! `payforge-sandbox-bench` against it (`--payments`, `--concurrency`).

use std::process::Command;

use anyhow::{Context, bail};

/// Runs the sandbox, or its benchmark, with the given arguments.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    if args.first().map(String::as_str) == Some("bench") {
        // The bench starts the server binary that sits next to it, so build both first.
        cargo(
            &[
                "build",
                "--release",
                "--quiet",
                "-p",
                "payforge-sandbox",
                "--bins",
            ],
            &[],
        )?;
        return cargo(
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
            &args[1..],
        );
    }
    let listen_given = args
        .iter()
        .any(|a| a == "--listen" || a.starts_with("--listen="));
    let default_listen = ["--listen".to_owned(), "127.0.0.1:12111".to_owned()];
    let args: Vec<String> = if listen_given {
        args.to_vec()
    } else {
        default_listen
            .into_iter()
            .chain(args.iter().cloned())
            .collect()
    };
    cargo(
        &[
            "run",
            "--quiet",
            "-p",
            "payforge-sandbox",
            "--bin",
            "payforge-sandbox",
            "--",
        ],
        &args,
    )
}

fn cargo(command: &[&str], extra: &[String]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .args(command)
        .args(extra)
        .status()
        .with_context(|| format!("cannot run {cargo}"))?;
    if !status.success() {
        bail!("`cargo {}` failed with {status}", command.join(" "));
    }
    Ok(())
}
