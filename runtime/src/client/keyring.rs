//! The client's current secret key: fetched from the [`SecretProvider`], checked against
//! the environment, swapped on rotation while requests in flight keep the key they hold.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::Provider;
use crate::error::{ConfigError, EnvironmentKind};
use crate::secrets::{KeyMode, KeyModeRule, SecretKey, SecretProvider};

pub(crate) struct Keyring<P> {
    source: Box<dyn SecretProvider>,
    environment: EnvironmentKind,
    current: RwLock<Arc<SecretKey>>,
    fetched_at: Mutex<Instant>,
    refresh_every: Option<Duration>,
    // Serialises fetches so that a burst of 401s asks the store once.
    fetching: tokio::sync::Mutex<()>,
    provider: PhantomData<fn() -> P>,
}

impl<P: Provider> Keyring<P> {
    /// Fetches and checks the first key.
    pub(crate) async fn load(
        source: Box<dyn SecretProvider>,
        environment: EnvironmentKind,
        refresh_every: Option<Duration>,
    ) -> Result<Self, ConfigError> {
        let key = fetch_checked::<P>(source.as_ref(), environment).await?;
        Ok(Self {
            source,
            environment,
            current: RwLock::new(Arc::new(key)),
            fetched_at: Mutex::new(Instant::now()),
            refresh_every,
            fetching: tokio::sync::Mutex::new(()),
            provider: PhantomData,
        })
    }

    /// The key a new request starts with, refreshed first if the refresh interval passed.
    /// A failed refresh keeps the current key (the store may be briefly unreachable) and is
    /// tried again after another interval.
    pub(crate) async fn current(&self) -> Arc<SecretKey> {
        let due = self.refresh_every.is_some_and(|every| {
            self.fetched_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed()
                >= every
        });
        if due && let Err(error) = self.rotate().await {
            tracing::warn!(%error, provider = P::NAME, "cannot refresh the secret key; keeping the current one");
            *self
                .fetched_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        }
        self.snapshot()
    }

    /// Asks the source again and switches to its key.
    pub(crate) async fn rotate(&self) -> Result<(), ConfigError> {
        let _fetching = self.fetching.lock().await;
        let key = fetch_checked::<P>(self.source.as_ref(), self.environment).await?;
        self.install(key);
        Ok(())
    }

    /// After the provider rejected `rejected` (401): the key to try next, or `None` when
    /// the source still holds the rejected key.
    pub(crate) async fn replacement_for(
        &self,
        rejected: &Arc<SecretKey>,
    ) -> Result<Option<Arc<SecretKey>>, ConfigError> {
        let _fetching = self.fetching.lock().await;
        let current = self.snapshot();
        if current.as_ref() != rejected.as_ref() {
            // Another request rotated while this one was in flight.
            return Ok(Some(current));
        }
        let fetched = fetch_checked::<P>(self.source.as_ref(), self.environment).await?;
        if &fetched == rejected.as_ref() {
            return Ok(None);
        }
        tracing::info!(
            provider = P::NAME,
            "the secret key changed at its source; switching to it"
        );
        Ok(Some(self.install(fetched)))
    }

    fn snapshot(&self) -> Arc<SecretKey> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn install(&self, key: SecretKey) -> Arc<SecretKey> {
        let key = Arc::new(key);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&key);
        *self
            .fetched_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        key
    }
}

async fn fetch_checked<P: Provider>(
    source: &dyn SecretProvider,
    environment: EnvironmentKind,
) -> Result<SecretKey, ConfigError> {
    let key = source
        .fetch()
        .await
        .map_err(|source_error| ConfigError::Secret {
            source_name: source.describe(),
            source: source_error,
        })?;
    check_key_mode::<P>(key.mode::<P>(), environment)?;
    Ok(key)
}

/// Where keys carry their mode ([`KeyModeRule::Prefix`]): refuses a live key outside
/// production, a test key in production, and a key of unknown mode wherever the provider
/// names its prefixes. Where they carry none ([`KeyModeRule::Environment`]), the
/// environment decides and every key is taken.
pub(crate) fn check_key_mode<P: Provider>(
    key_mode: KeyMode,
    environment: EnvironmentKind,
) -> Result<(), ConfigError> {
    if P::KEY_MODE == KeyModeRule::Environment {
        return Ok(());
    }
    let prefixes_known = !P::LIVE_KEY_PREFIXES.is_empty() || !P::TEST_KEY_PREFIXES.is_empty();
    let hint = match (environment, key_mode) {
        (EnvironmentKind::Production, KeyMode::Live)
        | (EnvironmentKind::Sandbox | EnvironmentKind::TestMode, KeyMode::Test) => return Ok(()),
        (_, KeyMode::Unrecognised) if !prefixes_known => return Ok(()),
        (_, KeyMode::Unrecognised) => "the key's prefix is not one the provider profile lists",
        (EnvironmentKind::Production, _) => "production takes live keys only",
        (_, _) => "only production takes live keys; use a test-mode key here",
    };
    Err(ConfigError::KeyModeMismatch {
        environment,
        key_mode,
        hint,
    })
}
