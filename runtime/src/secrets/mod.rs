//! Secrets: a redacted [`Secret`] wrapper, the provider's [`SecretKey`], and the
//! [`SecretProvider`] trait the client asks for its key (at start, on rotation, and when
//! the provider answers 401).
//!
//! A key is never built from a string literal by accident: the only constructors are
//! [`SecretKey::from_secret_store`] (for [`SecretProvider`] implementations, which read it
//! from a store) and [`SecretKey::insecure_from_literal`] (for tests and examples, loud by
//! name so a reviewer sees it).

mod providers;

use std::fmt;
use std::path::PathBuf;

use futures::future::BoxFuture;
use subtle::ConstantTimeEq;

use crate::Provider;

pub use providers::{EnvSecretProvider, FileSecretProvider};

/// A value that must never be printed: `Debug` and `Display` show `[redacted]`.
///
/// Unlike [`crate::Sensitive`] it does not implement `Serialize`, so it cannot reach a
/// request body, a log field or a JSON dump by accident either.
#[derive(Clone)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. The name is loud so every read stands out in review.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A provider's secret API key (`sk_test_…`, `sk_live_…`, `rk_…`).
///
/// Its `Debug` and `Display` are redacted and it has no `Serialize`; equality is
/// constant-time. The client keeps the current key behind an `Arc`, so a request holds the
/// key it started with even while another task rotates it.
#[derive(Clone)]
pub struct SecretKey(Secret<String>);

impl SecretKey {
    /// A key read from a secret store (environment, file, vault). Meant for
    /// [`SecretProvider`] implementations; surrounding whitespace (a trailing newline in a
    /// mounted file) is removed.
    pub fn from_secret_store(value: String) -> Result<Self, SecretError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(SecretError::Empty);
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SecretError::Malformed);
        }
        Ok(Self(Secret::new(trimmed.to_owned())))
    }

    /// A key written in source code. Only tests, examples and the local sandbox should call
    /// this; `cargo xtask audit` finds real keys committed this way.
    pub fn insecure_from_literal(value: &str) -> Result<Self, SecretError> {
        Self::from_secret_store(value.to_owned())
    }

    /// The key itself, for the `Authorization` header.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// Which mode the key belongs to for provider `P`, judged by its prefix.
    pub fn mode<P: Provider>(&self) -> KeyMode {
        let key = self.expose_secret();
        if P::LIVE_KEY_PREFIXES
            .iter()
            .any(|prefix| key.starts_with(prefix))
        {
            KeyMode::Live
        } else if P::TEST_KEY_PREFIXES
            .iter()
            .any(|prefix| key.starts_with(prefix))
        {
            KeyMode::Test
        } else {
            KeyMode::Unrecognised
        }
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (
            self.expose_secret().as_bytes(),
            other.expose_secret().as_bytes(),
        );
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }
}

impl Eq for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The mode of a key, from its prefix; what an error may say about a key instead of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    /// A test-mode key (`sk_test_`, `rk_test_`).
    Test,
    /// A live key (`sk_live_`, `rk_live_`).
    Live,
    /// A key whose prefix the provider profile does not list.
    Unrecognised,
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Test => "a test-mode key",
            Self::Live => "a live key",
            Self::Unrecognised => "a key with an unrecognised prefix",
        })
    }
}

/// How a provider's keys tell test mode from live, a convention the provider profile
/// picks (`[keys] mode`) and the marker declares as
/// [`Provider::KEY_MODE`](crate::Provider::KEY_MODE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyModeRule {
    /// By prefix ([`Provider::TEST_KEY_PREFIXES`](crate::Provider::TEST_KEY_PREFIXES),
    /// [`Provider::LIVE_KEY_PREFIXES`](crate::Provider::LIVE_KEY_PREFIXES)): the client
    /// refuses a live key outside production and a test key in production.
    Prefix,
    /// The keys carry no mode: the environment decides it, so any well-formed key is
    /// taken, and the environment's base URL is where it is sent (a test key only works
    /// against the test URL, a live key only against the live one).
    Environment,
}

/// A secret could not be obtained. Never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set (or not valid UTF-8).
    #[error("the environment variable `{variable}` holding the secret key is not set")]
    MissingEnv {
        /// The variable's name.
        variable: String,
    },
    /// The secret file could not be read.
    #[error("cannot read the secret key file `{}`: {source}", path.display())]
    File {
        /// The file's path.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The secret is empty.
    #[error("the secret key is empty")]
    Empty,
    /// The secret contains whitespace or control characters inside it.
    #[error("the secret key contains whitespace or control characters")]
    Malformed,
    /// A store plugged in by the application failed.
    #[error("the secret store `{store}` failed: {reason}")]
    Store {
        /// The store's name.
        store: String,
        /// Why it failed (must not contain the secret).
        reason: String,
    },
}

/// Where the client gets its secret key: asked at build time, on [`rotate_key`], on a
/// refresh interval and when the provider answers 401.
///
/// Ship your own for a vault: implement `fetch` with the store's client and build the key
/// with [`SecretKey::from_secret_store`].
///
/// [`rotate_key`]: crate::client::Client::rotate_key
pub trait SecretProvider: Send + Sync + 'static {
    /// Fetches the current key.
    fn fetch(&self) -> BoxFuture<'_, Result<SecretKey, SecretError>>;
    /// A human description of the source for error messages (`environment variable X`).
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests;
