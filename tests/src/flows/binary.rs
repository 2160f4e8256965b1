//! The real `payforge-sandbox` binary as a child process.
//!
//! A binary of another package is not built by `cargo test -p payforge-tests`, and
//! `CARGO_BIN_EXE_*` names only the tested package's own binaries, so the path is found
//! in this order: `PAYFORGE_SANDBOX_BIN` if set; the binary next to the test's own
//! `deps/` directory if it is newer than every source file of the sandbox (as after
//! `cargo test --workspace`, which builds it); otherwise `cargo build -p payforge-sandbox
//! --bin payforge-sandbox` is run (cargo has released the build lock by the time tests run)
//! and the executable is read from cargo's JSON messages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::SystemTime;

use super::TestResult;

/// The sandbox binary, running on 127.0.0.1 with a port picked by the OS; killed on drop.
#[derive(Debug)]
pub struct SandboxProcess {
    child: Child,
    url: String,
}

impl SandboxProcess {
    /// Builds (if needed) and starts the binary with `--listen 127.0.0.1:0` and these extra
    /// arguments, and reads its address from the first line it prints.
    pub fn spawn(extra_args: &[&str]) -> TestResult<Self> {
        let binary = sandbox_binary()?;
        let mut child = Command::new(&binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("the child has no stdout")?;
        let mut first_line = String::new();
        BufReader::new(stdout).read_line(&mut first_line)?;
        let url = first_line
            .trim()
            .strip_prefix("payforge-sandbox listening on ")
            .ok_or_else(|| format!("unexpected first line from the sandbox: {first_line:?}"))?
            .to_owned();
        Ok(Self { child, url })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The resident set size in KiB, from `/proc/<pid>/status` (`VmRSS`); `None` where
    /// `/proc` is not available.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        // Only this child, started by this process, is killed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a fresh `payforge-sandbox` binary.
fn sandbox_binary() -> TestResult<PathBuf> {
    if let Some(path) = std::env::var_os("PAYFORGE_SANDBOX_BIN") {
        return Ok(PathBuf::from(path));
    }
    if let Some(sibling) = fresh_sibling_binary() {
        return Ok(sibling);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "--manifest-path",
            manifest,
        ])
        .args(["-p", "payforge-sandbox", "--bin", "payforge-sandbox"])
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("building payforge-sandbox failed: {}", output.status).into());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "payforge-sandbox")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built payforge-sandbox but named no executable".into())
}

/// `target/<profile>/payforge-sandbox` beside this test's `deps/`, if it was built after the
/// last change to the sandbox's sources.
fn fresh_sibling_binary() -> Option<PathBuf> {
    let test_binary = std::env::current_exe().ok()?;
    let profile_dir = test_binary.parent()?.parent()?;
    let binary = profile_dir.join(format!("payforge-sandbox{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok()?;
    let sandbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox");
    let newest_source = newest_modification(&sandbox.join("src"))?.max(
        std::fs::metadata(sandbox.join("Cargo.toml"))
            .and_then(|m| m.modified())
            .ok()?,
    );
    (built > newest_source).then_some(binary)
}

/// The latest modification time of any file under `dir`.
fn newest_modification(dir: &Path) -> Option<SystemTime> {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let metadata = entry.metadata().ok()?;
        let modified = if metadata.is_dir() {
            newest_modification(&entry.path())?
        } else {
            metadata.modified().ok()?
        };
        newest = newest.max(modified);
    }
    Some(newest)
}
