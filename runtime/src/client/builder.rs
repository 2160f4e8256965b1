//! [`ClientBuilder`]: environment and its base URL, key source, timeouts, retries and the
//! journal.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::keyring::Keyring;
use super::routes::Routes;
use super::token::TokenCache;
use super::{Client, ClientInner, Environment};
use crate::AuthScheme;
use crate::base_url::{fill_base_url, variable_values};
use crate::error::ConfigError;
use crate::journal::{IdempotencyJournal, MemoryJournal};
use crate::oauth::{Clock, SystemClock};
use crate::retry::RetryPolicy;
use crate::secrets::{EnvSecretProvider, SecretProvider};
use crate::{Provider, error::EnvironmentKind};

/// Builds a [`Client`]. Defaults: test mode, the key from `P::SECRET_KEY_ENV`, a 5 s
/// connect and 30 s total timeout, [`RetryPolicy::default`], no key refresh interval; a
/// journal must be chosen.
#[must_use]
pub struct ClientBuilder<P> {
    secrets: Option<Box<dyn SecretProvider>>,
    environment: Environment,
    base_url: Option<String>,
    base_url_variables: BTreeMap<String, String>,
    servers: BTreeMap<String, String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    journal: Option<Arc<dyn IdempotencyJournal>>,
    key_refresh_interval: Option<Duration>,
    token_clock: Arc<dyn Clock>,
    token_refresh_margin: Duration,
    provider: PhantomData<fn() -> P>,
}

impl<P: Provider> Default for ClientBuilder<P> {
    fn default() -> Self {
        Self {
            secrets: None,
            environment: Environment::TestMode,
            base_url: None,
            base_url_variables: BTreeMap::new(),
            servers: BTreeMap::new(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            journal: None,
            key_refresh_interval: None,
            token_clock: Arc::new(SystemClock),
            token_refresh_margin: Duration::from_secs(60),
            provider: PhantomData,
        }
    }
}

impl<P: Provider> ClientBuilder<P> {
    /// Where the secret key comes from (default: the environment variable
    /// `P::SECRET_KEY_ENV`).
    pub fn secrets(mut self, provider: impl SecretProvider) -> Self {
        self.secrets = Some(Box::new(provider));
        self
    }

    /// The environment; decides the base URL and which keys are accepted.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Sends to this base URL instead of the environment's (a proxy, a recording server),
    /// including the operations the spec sends to a server of their own
    /// ([`crate::Endpoint::SERVER`]). The key check still follows the environment.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The value of a `{placeholder}` of the environment's base URL
    /// ([`Provider::BASE_URL_VARIABLES`], such as a live URL's per-merchant `prefix`);
    /// without it, the placeholder's environment variable is read when the client is built.
    pub fn base_url_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.base_url_variables.insert(name.into(), value.into());
        self
    }

    /// Sends the operations declaring server `declared` (for example
    /// `https://files.stripe.com`) to `url` instead, whatever the environment or base URL
    /// override says: a test can give a provider's file server a stand-in of its own.
    pub fn server_url(mut self, declared: impl Into<String>, url: impl Into<String>) -> Self {
        self.servers.insert(declared.into(), url.into());
        self
    }

    /// The longest wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest wait for one attempt, from sending to the last byte of the response.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry budget and backoff.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The idempotency journal (a [`crate::journal::SqliteJournal`] or
    /// [`crate::journal::PostgresJournal`]; an `Arc` of one works too, to share it).
    pub fn journal(mut self, journal: impl IdempotencyJournal) -> Self {
        self.journal = Some(Arc::new(journal));
        self
    }

    /// An in-memory journal: keys survive retries but not a restart. For tests and
    /// one-shot scripts only.
    pub fn ephemeral_journal(self) -> Self {
        self.journal(MemoryJournal::new())
    }

    /// Asks the secret source again when the key is older than `interval`, so a rotated
    /// key is picked up even before the provider rejects the old one.
    pub fn key_refresh_interval(mut self, interval: Duration) -> Self {
        self.key_refresh_interval = Some(interval);
        self
    }

    /// OAuth2 only: renew an access token this long before it expires (default 60 s, at
    /// most half its lifetime), so a token never expires between a check and its use or
    /// under a clock that drifts.
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// OAuth2 only: the clock access tokens expire by (default [`SystemClock`]); a test
    /// passes a [`crate::oauth::ManualClock`] to move time instead of sleeping.
    pub fn token_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.token_clock = clock;
        self
    }

    /// Fetches the key, checks it against the environment and builds the client.
    pub async fn build(self) -> Result<Client<P>, ConfigError> {
        let journal = self.journal.ok_or(ConfigError::MissingJournal)?;
        P::AUTH.check_supported()?;
        // A sandbox or an explicit override takes every operation, so that a test never
        // reaches a provider's own server by accident.
        let takes_every_server =
            self.base_url.is_some() || matches!(self.environment, Environment::Sandbox { .. });
        let base_url = match self.base_url {
            Some(url) => url,
            None => self.environment.base_url::<P>(&self.base_url_variables)?,
        };
        let routes = Routes::new(&base_url, takes_every_server, &self.servers)?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(format!(
                "payforge/{} ({})",
                env!("CARGO_PKG_VERSION"),
                P::NAME
            ))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|error| ConfigError::Http(Box::new(error)))?;
        let secrets = self
            .secrets
            .unwrap_or_else(|| Box::new(EnvSecretProvider::new(P::SECRET_KEY_ENV)));
        let environment = self.environment.kind();
        let keys = Keyring::load(secrets, environment, self.key_refresh_interval).await?;
        let tokens = match P::AUTH {
            AuthScheme::OAuth2ClientCredentials { token_url } => Some(TokenCache::new(
                format!("{}{token_url}", routes.default_base()),
                self.token_clock,
                self.token_refresh_margin,
            )),
            AuthScheme::Bearer | AuthScheme::ApiKeyHeader { .. } | AuthScheme::Basic => None,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                routes,
                environment,
                keys,
                tokens,
                retry: self.retry,
                journal,
            }),
        })
    }
}

impl Environment {
    /// Reads `PAYFORGE_ENVIRONMENT` (`sandbox`, `test`, `production`; default `test`) and,
    /// for the sandbox, `PAYFORGE_SANDBOX_URL`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let value = std::env::var("PAYFORGE_ENVIRONMENT").unwrap_or_else(|_| "test".to_owned());
        match value.as_str() {
            "test" => Ok(Self::TestMode),
            "production" => Ok(Self::Production),
            "sandbox" => {
                let base_url =
                    std::env::var("PAYFORGE_SANDBOX_URL").map_err(|_| ConfigError::InvalidEnv {
                        variable: "PAYFORGE_SANDBOX_URL".to_owned(),
                        value: String::new(),
                        expected: "the sandbox's URL, for example http://127.0.0.1:12111",
                    })?;
                Ok(Self::Sandbox { base_url })
            }
            _ => Err(ConfigError::InvalidEnv {
                variable: "PAYFORGE_ENVIRONMENT".to_owned(),
                value,
                expected: "`sandbox`, `test` or `production`",
            }),
        }
    }

    /// The base URL requests go to: the sandbox's, or the provider's for this environment
    /// ([`Provider::base_url`]) with its placeholders filled from `variables`, or else from
    /// each placeholder's environment variable. A placeholder without a value is
    /// [`ConfigError::MissingBaseUrlVariable`].
    pub fn base_url<P: Provider>(
        &self,
        variables: &BTreeMap<String, String>,
    ) -> Result<String, ConfigError> {
        let kind = self.kind();
        let template = match (self, P::base_url(kind)) {
            (Self::Sandbox { base_url }, _) => return Ok(base_url.clone()),
            (_, Some(template)) => template,
            (_, None) => P::LIVE_BASE_URL,
        };
        let values = variable_values(template, P::BASE_URL_VARIABLES, variables, |name| {
            std::env::var(name).ok()
        });
        fill_base_url(template, kind, P::BASE_URL_VARIABLES, &values)
    }

    /// The kind, without the URL.
    pub fn kind(&self) -> EnvironmentKind {
        match self {
            Self::Sandbox { .. } => EnvironmentKind::Sandbox,
            Self::TestMode => EnvironmentKind::TestMode,
            Self::Production => EnvironmentKind::Production,
        }
    }
}
