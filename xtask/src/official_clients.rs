//! The providers' official client libraries that the suites drive against the sandbox
//! (`sandbox/tests/official_python.rs`): `cargo xtask test` installs them before the tests,
//! so the README's one test command needs no other set-up step.
//!
//! Stripe's official Python library goes into a virtualenv at `target/official-python`,
//! from the pinned `sandbox/tests/official_python/requirements.txt`, by package name. The
//! install is skipped when the virtualenv already holds exactly that requirements file. An
//! interpreter named by `PAYFORGE_PYTHON` is used as it is.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The pinned requirements of the official Python clients.
const REQUIREMENTS: &str = "sandbox/tests/official_python/requirements.txt";
/// Where the virtualenv lives, under the workspace root.
const VENV: &str = "target/official-python";
/// A copy of the requirements the virtualenv was last installed from.
const STAMP: &str = "target/official-python/installed-requirements.txt";

/// Makes sure the official Python client is installed and returns its interpreter, which
/// the caller passes to the tests as `PAYFORGE_PYTHON`.
pub fn python() -> anyhow::Result<PathBuf> {
    if let Some(python) = std::env::var_os("PAYFORGE_PYTHON") {
        return Ok(PathBuf::from(python));
    }
    let requirements = std::fs::read_to_string(REQUIREMENTS)
        .with_context(|| format!("cannot read {REQUIREMENTS}"))?;
    let python = Path::new(VENV).join("bin").join("python");
    let installed = std::fs::read_to_string(STAMP).unwrap_or_default();
    if python.is_file() && installed == requirements {
        return absolute(&python);
    }
    println!("official clients: installing {REQUIREMENTS} into {VENV}");
    run(Command::new("python3").args(["-m", "venv", VENV]))
        .context("cannot create the virtualenv (is python3 with its venv module installed?)")?;
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        REQUIREMENTS,
    ]))
    .with_context(|| format!("cannot install {REQUIREMENTS}"))?;
    std::fs::write(STAMP, requirements).with_context(|| format!("cannot write {STAMP}"))?;
    absolute(&python)
}

/// Runs a command to completion, failing unless it succeeds.
fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {:?}", command.get_program()))?;
    if !status.success() {
        bail!("{:?} failed ({status})", command.get_program());
    }
    Ok(())
}

/// The interpreter's absolute path. Not canonicalised: a virtualenv's `python` is a
/// symbolic link, and only the link's own path makes the interpreter use the virtualenv.
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(std::env::current_dir()?.join(path))
}
