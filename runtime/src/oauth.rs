//! OAuth2 client credentials ([`AuthScheme::OAuth2ClientCredentials`](crate::AuthScheme)):
//! the pieces that do not need the HTTP client.
//!
//! The credential pair is one secret, `client_id:client_secret`, read like every key: from
//! the environment variable the profile's `[auth] secret_env` names
//! ([`Provider::SECRET_KEY_ENV`](crate::Provider::SECRET_KEY_ENV)) or from a
//! [`SecretProvider`](crate::secrets::SecretProvider). It is split at its first `:` (a
//! client id has none). The client exchanges it at the token endpoint for an access token,
//! keeps the token until shortly before it expires, and sends `Authorization: Bearer
//! <token>`. [`TokenError`] says why a token could not be obtained; [`Clock`] lets tests move
//! time instead of sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::StatusCode;

use crate::secrets::{Secret, SecretKey};

/// Why the client could not obtain an access token. Nothing was sent to the API; the
/// messages never hold the credentials or a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The secret is not a `client_id:client_secret` pair.
    #[error("the OAuth2 credential must be `client_id:client_secret`")]
    CredentialPair,
    /// The token endpoint refused the client's credentials (401 or another 4xx).
    #[error("the token endpoint refused the client credentials (HTTP {status}){}",
        error.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Rejected {
        /// The token endpoint's status.
        status: StatusCode,
        /// The OAuth2 `error` code of the answer (`invalid_client`), when it gave one.
        error: Option<String>,
    },
    /// The token endpoint failed (5xx or another unexpected status).
    #[error("the token endpoint failed (HTTP {status})")]
    Status {
        /// The token endpoint's status.
        status: StatusCode,
    },
    /// The answer is not an OAuth2 bearer token answer.
    #[error("the token endpoint's answer is malformed: {reason}")]
    Malformed {
        /// What is wrong (never the token itself).
        reason: String,
    },
    /// The token endpoint could not be reached, or did not answer in time.
    #[error("cannot reach the token endpoint: {message}")]
    Network {
        /// The transport error.
        message: String,
    },
}

/// The client id and secret, split out of one secret.
pub struct ClientCredentials {
    /// The client id.
    pub client_id: Secret<String>,
    /// The client secret.
    pub client_secret: Secret<String>,
}

impl ClientCredentials {
    /// Splits `client_id:client_secret` at its first `:`; both halves must be non-empty.
    pub fn parse(key: &SecretKey) -> Result<Self, TokenError> {
        match key.expose_secret().split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(Self {
                client_id: Secret::new(id.to_owned()),
                client_secret: Secret::new(secret.to_owned()),
            }),
            _ => Err(TokenError::CredentialPair),
        }
    }
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCredentials([redacted])")
    }
}

/// The monotonic time a token's expiry is measured against.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Instant;
}

/// [`Instant::now`]: the clock of every client unless a test gives another.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests of expiry.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Instant>,
}

impl ManualClock {
    /// A clock standing at the current instant.
    pub fn new() -> Self {
        Self {
            now: Mutex::new(Instant::now()),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// When a token issued at `issued_at` for `lifetime` is renewed: `margin` before it
/// expires, or halfway through a lifetime shorter than twice the margin, so a short-lived
/// token is still reused instead of fetched per request.
pub fn refresh_at(issued_at: Instant, lifetime: Duration, margin: Duration) -> Instant {
    issued_at + lifetime - margin.min(lifetime / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_splits_at_the_first_colon() -> Result<(), Box<dyn std::error::Error>> {
        let key = SecretKey::insecure_from_literal("AZ1:s3cr:et")?;
        let pair = ClientCredentials::parse(&key)?;
        assert_eq!(pair.client_id.expose_secret(), "AZ1");
        assert_eq!(pair.client_secret.expose_secret(), "s3cr:et");
        assert_eq!(format!("{pair:?}"), "ClientCredentials([redacted])");
        for bad in ["AZ1", "AZ1:", ":secret"] {
            let key = SecretKey::insecure_from_literal(bad)?;
            assert!(matches!(
                ClientCredentials::parse(&key),
                Err(TokenError::CredentialPair)
            ));
        }
        Ok(())
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        let t0 = Instant::now();
        let margin = Duration::from_secs(60);
        // (lifetime, renewed after)
        let cases = [(32_400, 32_340), (100, 50), (0, 0)];
        for (lifetime, after) in cases {
            assert_eq!(
                refresh_at(t0, Duration::from_secs(lifetime), margin),
                t0 + Duration::from_secs(after),
                "{lifetime}"
            );
        }
    }

    #[test]
    fn the_manual_clock_moves_when_told() {
        let clock = ManualClock::new();
        let start = clock.now();
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now() - start, Duration::from_secs(5));
    }
}
