//! The client: keys, environments, the transport, retries and the idempotency journal.
//!
//! ```no_run
//! # async fn run<Op: payforge::Endpoint>(op: Op) -> Result<(), Box<dyn std::error::Error>>
//! # where Op::Provider: payforge::Provider {
//! use payforge::client::{Client, Environment};
//! use payforge::journal::{LogicalKey, SqliteJournal};
//!
//! let client = Client::<Op::Provider>::builder()
//!     .environment(Environment::TestMode)
//!     .journal(SqliteJournal::open("payforge-journal.sqlite").await?)
//!     .build()
//!     .await?;
//! let output = client.send_with_key(op, LogicalKey::new("order-1234/charge")?).await;
//! # let _ = output; Ok(()) }
//! ```

mod builder;
mod call;
mod decode;
#[cfg(test)]
mod decode_tests;
mod follow;
mod keyring;
mod missing_field;
mod routes;
mod token;
mod transport;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;

pub use builder::ClientBuilder;

use crate::error::{ConfigError, EnvironmentKind};
use crate::journal::{IdempotencyJournal, LogicalKey, RecoveryReport, UnixMillis};
use crate::retry::RetryPolicy;
use crate::secrets::SecretProvider;
use crate::wire::{NextPage, Paginated};
use crate::{Endpoint, Error, Provider};

/// Where requests go, and so which keys are accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// The local `payforge-sandbox` at this URL (for example `http://127.0.0.1:12111`).
    /// Test-mode keys only.
    Sandbox {
        /// The sandbox's base URL.
        base_url: String,
    },
    /// The provider's real API with a test-mode key.
    TestMode,
    /// The provider's live API with a live key.
    Production,
}

/// A client for provider `P`. Cheap to clone; clones share the connection pool, the key and
/// the journal.
pub struct Client<P> {
    inner: Arc<ClientInner<P>>,
}

impl<P> Clone for Client<P> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<P> std::fmt::Debug for Client<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.routes.default_base())
            .field("environment", &self.inner.environment)
            .finish_non_exhaustive()
    }
}

struct ClientInner<P> {
    http: reqwest::Client,
    routes: routes::Routes,
    environment: EnvironmentKind,
    keys: keyring::Keyring<P>,
    /// The OAuth2 access token cache, for a provider whose auth scheme needs one.
    tokens: Option<token::TokenCache>,
    retry: RetryPolicy,
    journal: Arc<dyn IdempotencyJournal>,
}

impl<P: Provider> Client<P> {
    /// A builder with the defaults of [`ClientBuilder`].
    pub fn builder() -> ClientBuilder<P> {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the key from `P::SECRET_KEY_ENV`, the
    /// environment from `PAYFORGE_ENVIRONMENT` (see [`Environment::from_env`]) and, with
    /// the `sqlite` feature, the journal file from `PAYFORGE_JOURNAL_PATH` (default
    /// `payforge-journal.sqlite` in the working directory).
    pub async fn from_env() -> Result<Self, Error<P::Error>> {
        let builder = Self::builder().environment(Environment::from_env()?);
        // The key is checked before the journal file is created, so a missing key leaves
        // no stray file behind.
        let source = crate::secrets::EnvSecretProvider::new(P::SECRET_KEY_ENV);
        if let Err(error) = source.fetch().await {
            return Err(ConfigError::Secret {
                source_name: source.describe(),
                source: error,
            }
            .into());
        }
        #[cfg(feature = "sqlite")]
        let builder = {
            let path = std::env::var("PAYFORGE_JOURNAL_PATH")
                .unwrap_or_else(|_| "payforge-journal.sqlite".to_owned());
            builder.journal(crate::journal::SqliteJournal::open(path).await?)
        };
        Ok(builder.build().await?)
    }

    /// Sends an operation. An idempotent operation gets a fresh logical key for this call,
    /// journaled before the request leaves and sent on every retry.
    pub async fn send<Op>(&self, op: Op) -> Result<Op::Output, Error<P::Error>>
    where
        Op: Endpoint<Provider = P>,
    {
        self.execute(&op, None).await
    }

    /// Sends an idempotent operation under an application-chosen logical key: every call
    /// with this key, in any process sharing the journal and after restarts, sends the same
    /// idempotency key; a finished call replays its stored response without a request, and
    /// different parameters under the same key are refused with
    /// [`Error::IdempotencyConflict`].
    pub async fn send_with_key<Op>(
        &self,
        op: Op,
        logical_key: LogicalKey,
    ) -> Result<Op::Output, Error<P::Error>>
    where
        Op: Endpoint<Provider = P>,
    {
        self.execute(&op, Some(logical_key)).await
    }

    /// Every item of a list operation, page after page, as a stream: the operation's
    /// cursor or page number moved on, or its pages' `next` links followed (with `GET`, on
    /// the operation's own host only: a link elsewhere ends the stream with
    /// [`Error::ForeignLink`]). Stops at the first error (yielding it), at a page without
    /// items, and at a `next` link that repeats the page just fetched.
    pub fn paginate<Op>(
        &self,
        op: Op,
    ) -> impl Stream<Item = Result<Op::Item, Error<P::Error>>> + Send + 'static
    where
        Op: Paginated + Endpoint<Provider = P> + 'static,
        Op::Item: Send + 'static,
    {
        let state = (self.clone(), Some((op, None)), VecDeque::new());
        futures::stream::unfold(state, |(client, mut next, mut buffer)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (client, next, buffer)));
                }
                let (op, link): (Op, Option<String>) = next.take()?;
                let page = match &link {
                    None => client.execute(&op, None).await,
                    Some(href) => client.follow(&op, href).await,
                };
                match page {
                    Err(error) => return Some((Err(error), (client, None, buffer))),
                    Ok(page) => {
                        let (items, after) = op.split_page(page);
                        // An empty page ends the stream even if it claims more, so a
                        // misbehaving server cannot make it spin.
                        next = match after {
                            _ if items.is_empty() => None,
                            Some(NextPage::Request(next_op)) => Some((next_op, None)),
                            Some(NextPage::Link(href)) if Some(&href) != link.as_ref() => {
                                Some((op, Some(href)))
                            }
                            Some(NextPage::Link(_)) | None => None,
                        };
                        buffer.extend(items);
                    }
                }
            }
        })
    }

    /// Requests the page at `href` (a `next` link of `op`'s last page) as `op` would be
    /// answered, under the same credentials, if it is inside the API `op` is sent to.
    async fn follow<Op>(&self, op: &Op, href: &str) -> Result<Op::Output, Error<P::Error>>
    where
        Op: Endpoint<Provider = P>,
    {
        let base = self.inner.routes.base_for(Op::SERVER);
        let request = follow::FollowLink::resolve(base, href, op).map_err(|reason| {
            tracing::warn!(path = Op::PATH_TEMPLATE, %reason, "refusing to follow a page link");
            Error::ForeignLink { reason }
        })?;
        self.execute(&request, None).await
    }

    /// The URL (without its query string) a request for `op` goes to: the operation's own
    /// server where it declares one ([`Endpoint::SERVER`]) and no override moves it, the
    /// environment's base URL otherwise. For checking routing; sending needs no call to it.
    pub fn request_url<Op>(&self, op: &Op) -> String
    where
        Op: Endpoint<Provider = P>,
    {
        format!("{}{}", self.inner.routes.base_for(Op::SERVER), op.path())
    }

    /// Asks the secret source for the key again now (after rotating it at the source).
    /// Requests in flight finish on the key they started with. Under OAuth2 the key is the
    /// `client_id:client_secret` pair, and a changed pair makes the next call obtain a new
    /// access token with it.
    pub async fn rotate_key(&self) -> Result<(), ConfigError> {
        self.inner.keys.rotate().await
    }

    /// The unresolved calls in the journal: those to re-drive (send the same operation
    /// again under the same logical key) and those older than the provider's key retention,
    /// to reconcile by looking the objects up.
    pub async fn recover(&self) -> Result<RecoveryReport, Error<P::Error>> {
        let entries = self.inner.journal.unresolved(P::NAME.to_owned()).await?;
        let retention = Duration::from_secs(P::IDEMPOTENCY_RETENTION_SECS);
        Ok(RecoveryReport::classify(
            entries,
            retention,
            UnixMillis::now(),
        ))
    }
}
