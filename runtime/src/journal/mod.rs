//! The idempotency journal: where the key of every state-changing call is written
//! *before* the request leaves, so that every retry, in this process or after a restart,
//! sends the same key, and a finished call replays its stored response.
//!
//! [`IdempotencyJournal`] has three implementations sharing one behavioural test suite
//! (`runtime/tests/journal_behaviour.rs`): [`SqliteJournal`] (a file, the embedded
//! default), [`PostgresJournal`] (several app instances sharing one database) and
//! [`MemoryJournal`] (tests and one-shot scripts: not crash-safe).
//!
//! The journal stores a fingerprint of each request, never its body: a body can hold card
//! data, which must not land in a database. So recovery cannot re-send a request on its
//! own; it lists the logical keys to re-drive, and the application sends the same operation
//! again under the same [`LogicalKey`].

mod keys;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use sha2::{Digest, Sha256};

use crate::RequestBody;

pub use keys::{IdempotencyKey, KeyError, LogicalKey};
pub use memory::MemoryJournal;
#[cfg(feature = "postgres")]
pub use postgres::PostgresJournal;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteJournal;

/// Where a journaled call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// The key is written; the request is being sent (or the process died while it was).
    Started,
    /// The provider answered with success; the response is stored and replayed.
    Succeeded,
    /// The provider answered with a final error (a decline, a validation error); stored and
    /// replayed.
    FailedPermanently,
    /// Retries ran out while the provider may have acted: resolve by sending again with the
    /// same key inside the retention window.
    OutcomeUnknown,
}

impl EntryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Succeeded => "succeeded",
            Self::FailedPermanently => "failed_permanently",
            Self::OutcomeUnknown => "outcome_unknown",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Result<Self, JournalError> {
        Ok(match value {
            "started" => Self::Started,
            "succeeded" => Self::Succeeded,
            "failed_permanently" => Self::FailedPermanently,
            "outcome_unknown" => Self::OutcomeUnknown,
            other => {
                return Err(JournalError::Corrupt {
                    reason: format!("unknown state {other:?}"),
                });
            }
        })
    }

    /// Whether the call has ended with a stored response.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::FailedPermanently)
    }
}

/// The SHA-256 of a request's method, path and encoded body, in hex: what tells a retry of
/// the same call from a different call reusing a logical key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Fingerprints a request.
    pub fn of(method: &http::Method, path: &str, body: &RequestBody) -> Self {
        let mut hash = Sha256::new();
        // Each part is length-prefixed so that no two different requests hash the same bytes.
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        };
        part(method.as_str().as_bytes());
        part(path.as_bytes());
        match body {
            RequestBody::Query(query) => part(format!("query:{query}").as_bytes()),
            RequestBody::Form(form) => part(format!("form:{form}").as_bytes()),
            RequestBody::Json(json) => {
                part(b"json:");
                part(json);
            }
            RequestBody::Multipart(parts) => {
                part(b"multipart:");
                for p in parts {
                    part(p.name.as_bytes());
                    part(p.file_name.as_deref().unwrap_or_default().as_bytes());
                    part(p.content_type.as_deref().unwrap_or_default().as_bytes());
                    part(&p.data);
                }
            }
        }
        Self(hex::encode(hash.finalize()))
    }

    /// Reads a stored fingerprint.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Milliseconds since the Unix epoch: the journal's clock, a parameter so tests can age
/// entries without waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    /// The current time.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// This time moved back by `duration`.
    pub fn minus(self, duration: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)),
        )
    }
}

impl From<SystemTime> for UnixMillis {
    fn from(time: SystemTime) -> Self {
        let millis = time
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        Self(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}

/// A stored provider response, replayed for a finished call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body as received.
    pub body: Vec<u8>,
}

/// What is written before the request leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// The provider's name (`Provider::NAME`).
    pub provider: String,
    /// The logical operation.
    pub logical_key: LogicalKey,
    /// The key to send if the entry is new.
    pub idempotency_key: IdempotencyKey,
    /// The request's fingerprint.
    pub fingerprint: Fingerprint,
    /// The HTTP method, for reconciliation.
    pub method: String,
    /// The concrete path, for reconciliation.
    pub path: String,
    /// The time of writing.
    pub now: UnixMillis,
}

impl NewEntry {
    /// The entry as `begin` writes it.
    pub(crate) fn into_started(self) -> JournalEntry {
        JournalEntry {
            provider: self.provider,
            logical_key: self.logical_key,
            idempotency_key: self.idempotency_key,
            fingerprint: self.fingerprint,
            method: self.method,
            path: self.path,
            state: EntryState::Started,
            response: None,
            created_at: self.now,
            updated_at: self.now,
        }
    }
}

/// One journaled call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    /// The provider's name.
    pub provider: String,
    /// The logical operation.
    pub logical_key: LogicalKey,
    /// The key every attempt sends.
    pub idempotency_key: IdempotencyKey,
    /// The fingerprint of the request first written under this logical key.
    pub fingerprint: Fingerprint,
    /// The HTTP method.
    pub method: String,
    /// The concrete path.
    pub path: String,
    /// Where the call stands.
    pub state: EntryState,
    /// The final response, for finished calls.
    pub response: Option<StoredResponse>,
    /// When the key was first written.
    pub created_at: UnixMillis,
    /// When the entry last changed.
    pub updated_at: UnixMillis,
}

/// The result of [`IdempotencyJournal::begin`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begin {
    /// No entry existed: the new one is written, in state `started`.
    Created(JournalEntry),
    /// An entry already existed for the logical key; it is returned unchanged.
    Existing(JournalEntry),
}

/// How a call ended, written by [`IdempotencyJournal::finish`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The provider's name.
    pub provider: String,
    /// The logical operation.
    pub logical_key: LogicalKey,
    /// The key the call was sent with; an entry holding another key is left alone.
    pub idempotency_key: IdempotencyKey,
    /// The new state.
    pub state: EntryState,
    /// The response to store (final states).
    pub response: Option<StoredResponse>,
    /// The time of writing.
    pub now: UnixMillis,
}

/// The journal failed. The call that needed it is not sent.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The store could not be reached or written (database down, disk full, closed pool).
    #[error("the idempotency journal is unavailable: {source}")]
    Unavailable {
        /// The store's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored entry cannot be read back.
    #[error("the idempotency journal holds an unreadable entry: {reason}")]
    Corrupt {
        /// What is wrong with it.
        reason: String,
    },
    /// A schema or table name given to the journal is not a plain identifier.
    #[error("`{name}` is not a valid SQL identifier (use lowercase letters, digits and `_`)")]
    InvalidIdentifier {
        /// The rejected name.
        name: String,
    },
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl From<sqlx::Error> for JournalError {
    fn from(source: sqlx::Error) -> Self {
        Self::Unavailable {
            source: Box::new(source),
        }
    }
}

/// The journal of idempotent calls. Implementations must make `begin` atomic: of two
/// concurrent `begin`s for one logical key, exactly one creates the entry.
pub trait IdempotencyJournal: Send + Sync + 'static {
    /// Writes a `started` entry durably unless one exists for the logical key, and returns
    /// which happened.
    fn begin(&self, entry: NewEntry) -> BoxFuture<'_, Result<Begin, JournalError>>;
    /// Records how a call ended. Only an entry that is not final and holds the same
    /// idempotency key changes.
    fn finish(&self, completion: Completion) -> BoxFuture<'_, Result<(), JournalError>>;
    /// Deletes a `started` entry whose request the provider certainly did not act on (it
    /// never left, or was refused before running, as a 401 or 429 is), so that the logical
    /// key can start afresh.
    fn abandon(
        &self,
        provider: String,
        logical_key: LogicalKey,
        idempotency_key: IdempotencyKey,
    ) -> BoxFuture<'_, Result<(), JournalError>>;
    /// The entry for a logical key.
    fn get(
        &self,
        provider: String,
        logical_key: LogicalKey,
    ) -> BoxFuture<'_, Result<Option<JournalEntry>, JournalError>>;
    /// Entries in state `started` or `outcome_unknown`, oldest first.
    fn unresolved(
        &self,
        provider: String,
    ) -> BoxFuture<'_, Result<Vec<JournalEntry>, JournalError>>;
}

/// What recovery found: calls to send again with their key, and calls too old for that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Unresolved calls inside the provider's key retention: send the same operation again
    /// under the same logical key, and the provider runs it at most once.
    pub redrive: Vec<JournalEntry>,
    /// Unresolved calls older than the retention: the provider may have forgotten the key,
    /// so a retry could act twice. Reconcile them by looking the objects up instead.
    pub reconcile: Vec<JournalEntry>,
}

impl RecoveryReport {
    /// Splits unresolved entries by age against the provider's key retention.
    pub fn classify(entries: Vec<JournalEntry>, retention: Duration, now: UnixMillis) -> Self {
        let cutoff = now.minus(retention);
        let (reconcile, redrive) = entries.into_iter().partition(|e| e.created_at < cutoff);
        Self { redrive, reconcile }
    }
}

/// Checks that a name can be spliced into SQL as an identifier.
#[cfg(feature = "postgres")]
fn checked_identifier(name: &str) -> Result<&str, JournalError> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(name)
    } else {
        Err(JournalError::InvalidIdentifier {
            name: name.to_owned(),
        })
    }
}

/// A shared journal is a journal, so one can be handed to several clients.
impl<J: IdempotencyJournal + ?Sized> IdempotencyJournal for std::sync::Arc<J> {
    fn begin(&self, entry: NewEntry) -> BoxFuture<'_, Result<Begin, JournalError>> {
        (**self).begin(entry)
    }
    fn finish(&self, completion: Completion) -> BoxFuture<'_, Result<(), JournalError>> {
        (**self).finish(completion)
    }
    fn abandon(
        &self,
        provider: String,
        logical_key: LogicalKey,
        idempotency_key: IdempotencyKey,
    ) -> BoxFuture<'_, Result<(), JournalError>> {
        (**self).abandon(provider, logical_key, idempotency_key)
    }
    fn get(
        &self,
        provider: String,
        logical_key: LogicalKey,
    ) -> BoxFuture<'_, Result<Option<JournalEntry>, JournalError>> {
        (**self).get(provider, logical_key)
    }
    fn unresolved(
        &self,
        provider: String,
    ) -> BoxFuture<'_, Result<Vec<JournalEntry>, JournalError>> {
        (**self).unresolved(provider)
    }
}
