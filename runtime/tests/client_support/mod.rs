//! A small stand-in for a payment provider, served by axum on 127.0.0.1:0, and the test
//! provider, error and operations the client suites send to it.
//!
//! The server behaves as Stripe does where the client depends on it: bearer keys, an
//! idempotency store that replays the first response for a key, `Request-Id` headers and
//! Stripe's error object. Tests queue [`Fault`]s to make the next requests fail in a chosen
//! way, and read back what the server saw.

#![allow(dead_code, unreachable_pub)] // Each suite uses a different part of the support.

mod ops;
mod server;

use std::sync::Arc;
use std::time::Duration;

pub use ops::*;
pub use server::*;

use payforge::client::{Client, Environment};
use payforge::journal::IdempotencyJournal;
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The first test key the server accepts.
pub const KEY_A: &str = "sk_test_alpha0123456789abcdef"; // audit:allow: a fake key
/// The key rotated to.
pub const KEY_B: &str = "sk_test_bravo0123456789abcdef"; // audit:allow: a fake key

/// Quick retries, so suites count attempts without waiting.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        max_elapsed: Duration::from_secs(20),
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

/// A key file holding `key`, in a directory removed when the guard drops.
pub fn key_file(key: &str) -> std::io::Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("stripe-key");
    std::fs::write(&path, format!("{key}\n"))?;
    Ok((dir, path))
}

/// A sandbox client of `server`, its key read from `key_path`.
pub async fn client(
    server: &FakeProvider,
    key_path: &std::path::Path,
    journal: Arc<dyn IdempotencyJournal>,
) -> Result<Client<TestProvider>, payforge::ConfigError> {
    Client::<TestProvider>::builder()
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .secrets(FileSecretProvider::new(key_path))
        .retry_policy(quick_retries())
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_millis(500))
        .journal(journal)
        .build()
        .await
}
