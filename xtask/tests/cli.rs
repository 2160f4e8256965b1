//! The xtask's command line as a developer meets it: help that exits 0, usage errors that
//! name the offending argument, and expected failures that print one line and no backtrace,
//! even with RUST_BACKTRACE=1 set (as it is on many machines).

use std::process::{Command, Output};

/// Runs the built xtask with `args`, RUST_BACKTRACE=1 set.
fn xtask(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output();
    match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run the xtask: {error}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_exits_0_and_lists_every_task() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["generate", "--help"],
        &["webhook", "verify", "--help"],
        &["sandbox", "bench", "--help"],
    ] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    }
    let help = text(&xtask(&["--help"]).stdout);
    for task in [
        "generate",
        "check",
        "bench",
        "sandbox",
        "webhook",
        "test",
        "doc-commands",
        "fuzz",
        "audit",
    ] {
        assert!(
            help.contains(&format!("  {task} ")),
            "{task} missing from:\n{help}"
        );
    }
    let verify = text(&xtask(&["webhook", "verify", "--help"]).stdout);
    for flag in [
        "--provider",
        "--secret-env",
        "--header",
        "--payload",
        "--now",
        "--tolerance",
        "--webhook-id",
        "--headers-file",
        "--trust-cert",
    ] {
        assert!(verify.contains(flag), "{flag} missing from:\n{verify}");
    }
}

#[test]
fn an_unknown_task_or_flag_is_a_usage_error_naming_it() {
    for (args, named) in [
        (&["generate", "--bogus"][..], "--bogus"),
        (&["nonsense"], "nonsense"),
        (&["fuzz", "no_such_target"], "no_such_target"),
        (
            &["webhook", "verify", "--provider", "stripe", "--payload"],
            "--payload",
        ),
    ] {
        let output = xtask(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}

/// Asserts that the command failed with exactly one line on stderr, holding `expected`.
fn assert_one_line_failure(args: &[&str], expected: &str) {
    let output = xtask(args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("backtrace"), "{args:?}: {stderr}");
}

#[test]
fn expected_failures_print_one_line_and_no_backtrace() {
    let verify = |provider: &str, payload: &str| {
        [
            "webhook",
            "verify",
            "--provider",
            provider,
            "--secret-env",
            "XTASK_TEST_SECRET",
            "--header",
            "t=1,v1=00",
            "--payload",
            payload,
        ]
        .map(str::to_owned)
    };
    let missing = verify("stripe", "no/such/body.json");
    let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
    assert_one_line_failure(
        &missing,
        "xtask: the payload file no/such/body.json does not exist",
    );
    let unknown = verify("square", "Cargo.toml");
    let unknown: Vec<&str> = unknown.iter().map(String::as_str).collect();
    assert_one_line_failure(
        &unknown,
        "xtask: unknown provider `square` (known: stripe, standard-webhooks, adyen, paypal)",
    );
    assert_one_line_failure(
        &["generate", "--provider", "no-such-provider"],
        "xtask: no provider `no-such-provider` under specs/",
    );
}

#[test]
fn webhook_verify_runs_the_verifier_and_exits_as_it_does() -> std::io::Result<()> {
    // This builds and runs `xtask/webhook/` (the runtime without default features) through
    // `cargo run`, as `cargo xtask webhook verify` does.
    let directory = std::env::temp_dir().join(format!("xtask-cli-{}", std::process::id()));
    std::fs::create_dir_all(&directory)?;
    let payload = directory.join("body.json");
    std::fs::write(&payload, r#"{"id":"evt_1","type":"charge.succeeded"}"#)?;
    let payload = payload.display().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["webhook", "verify", "--provider", "stripe"])
        .args(["--secret-env", "XTASK_TEST_SECRET", "--payload", &payload])
        .args(["--header", "t=1700000000,v1=00", "--now", "1700000000"])
        .env("XTASK_TEST_SECRET", "whsec_test")
        .env("RUST_BACKTRACE", "1")
        .output()?;
    std::fs::remove_dir_all(&directory)?;
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("invalid (no_matching_signature): "),
        "{stdout}{stderr}"
    );
    assert!(!stderr.contains("backtrace"), "{stderr}");
    Ok(())
}
