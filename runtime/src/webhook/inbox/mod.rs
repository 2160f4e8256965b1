//! The durable webhook inbox: verified events stored once, claimed by workers under leases.
//!
//! Every implementation keeps one row per `(provider, event id)`, holding the verified raw
//! bytes, when they arrived, whether their `api_version` differs from the SDK's, and a state:
//!
//! ```text
//! pending ──claim──▶ processing(lease) ──complete──▶ done
//!    ▲                 │    │ └─lease expires──▶ (claimable again)
//!    │                 │    └─retry_later──▶ failed(next attempt at) ──claim──▶ processing
//!    └────replay────── dead ◀──bury─┘
//! ```

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use super::verified::{Verified, VerifiedPayload};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use postgres::PgInbox;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteInbox;

/// Storage for verified webhook events, one row per `(provider, event id)`. A batch delivery
/// is stored as one row per item, each under the id its envelope convention gives:
///
/// ```text
/// pending ──claim──▶ processing(lease) ──complete──▶ done
///    ▲                 │    │ └─lease expires──▶ (claimable again)
///    │                 │    └─retry_later──▶ failed(next attempt at) ──claim──▶ processing
///    └────replay────── dead ◀──bury─┘
/// ```
///
/// Times are Unix milliseconds passed in by the caller, so the same code runs under a test
/// clock. Every state change after a claim names the claim, and takes effect only while that
/// claim still holds the lease: a worker whose lease expired cannot overwrite the outcome of
/// the worker that took the event over.
pub trait WebhookInbox: Send + Sync + 'static {
    /// Stores a verified event unless `(provider, event id)` is already present. Returns once
    /// the write is durable; the receiver acknowledges the delivery only after that.
    fn store(
        &self,
        event: &Verified<VerifiedPayload>,
        arrival: Arrival,
    ) -> impl Future<Output = Result<StoreOutcome, InboxError>> + Send;

    /// Claims the oldest claimable event (pending, failed and due, or processing with an
    /// expired lease) for `worker`, leasing it until `now + lease`, and counts the attempt.
    fn claim(
        &self,
        worker: &str,
        now: i64,
        lease: Duration,
    ) -> impl Future<Output = Result<Option<ClaimedEvent>, InboxError>> + Send;

    /// Extends a claim's lease to `until` (Unix milliseconds) while its handler still runs,
    /// so a handler that takes longer than one lease is not taken over by another worker.
    /// `LeaseLost` when the lease had already passed on.
    fn renew(
        &self,
        claim: &ClaimedEvent,
        until: i64,
    ) -> impl Future<Output = Result<LeaseOutcome, InboxError>> + Send;

    /// Marks a claimed event done.
    fn complete(
        &self,
        claim: &ClaimedEvent,
        now: i64,
    ) -> impl Future<Output = Result<LeaseOutcome, InboxError>> + Send;

    /// Records a failed attempt and makes the event claimable again at `next_attempt_at`.
    fn retry_later(
        &self,
        claim: &ClaimedEvent,
        error: &str,
        next_attempt_at: i64,
    ) -> impl Future<Output = Result<LeaseOutcome, InboxError>> + Send;

    /// Parks a claimed event in the dead-letter state with its reason.
    fn bury(
        &self,
        claim: &ClaimedEvent,
        reason: &str,
        now: i64,
    ) -> impl Future<Output = Result<LeaseOutcome, InboxError>> + Send;

    /// Lists dead letters, oldest first.
    fn dead_letters(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<InboxEntry>, InboxError>> + Send;

    /// Makes a dead letter pending again with a fresh attempt count. Returns whether an
    /// event was replayed (false: no such dead letter).
    fn replay(
        &self,
        provider: &str,
        event_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, InboxError>> + Send;

    /// Deletes done events completed before `done_before` (Unix milliseconds) and returns how
    /// many it deleted. Keep them at least as long as the provider redelivers (Stripe: three
    /// days), or a late redelivery would be processed again. Dead letters are never pruned.
    fn prune_done(&self, done_before: i64) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// Reads one event's row, for inspection and tests.
    fn entry(
        &self,
        provider: &str,
        event_id: &str,
    ) -> impl Future<Output = Result<Option<InboxEntry>, InboxError>> + Send;
}

/// Facts the receiver records with a stored event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// When the delivery arrived (Unix milliseconds).
    pub received_at: i64,
    /// Whether the event's `api_version` differs from the version the SDK was generated for.
    pub api_version_mismatch: bool,
}

/// What [`WebhookInbox::store`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOutcome {
    /// The event is new and now stored.
    Stored,
    /// The event was already stored (a redelivery); nothing changed.
    Duplicate,
}

/// Whether a state change after a claim took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// The claim still held the lease; the change was recorded.
    Applied,
    /// The lease had passed to another worker (or the event was replayed); nothing changed.
    LeaseLost,
}

/// An event a worker holds under a lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedEvent {
    /// The inbox's row id.
    pub row_id: i64,
    /// The provider's short name.
    pub provider: String,
    /// The event id.
    pub event_id: String,
    /// The event type the receiver's envelope convention read, if any.
    pub event_type: Option<String>,
    /// The verified raw bytes.
    pub body: Bytes,
    /// Attempts so far, including this one.
    pub attempts: u32,
    /// The token that identifies this claim (a new one per claim).
    pub lease_token: String,
    /// When the lease ends (Unix milliseconds).
    pub lease_until: i64,
}

impl ClaimedEvent {
    /// The stored bytes as a verified payload: they were verified before the inbox stored
    /// them, and the inbox only accepts verified payloads.
    pub(crate) fn verified_payload(&self) -> Verified<VerifiedPayload> {
        Verified::assume_verified(VerifiedPayload::from_stored(
            self.provider.clone(),
            self.event_id.clone(),
            self.event_type.clone(),
            self.body.clone(),
        ))
    }
}

/// The processing state of a stored event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboxState {
    /// Stored, not yet claimed.
    Pending,
    /// Claimed by `worker` until `lease_until` (Unix milliseconds).
    Processing {
        /// The worker holding the lease.
        worker: String,
        /// When the lease ends.
        lease_until: i64,
    },
    /// Handled.
    Done {
        /// When it was completed.
        at: i64,
    },
    /// The last attempt failed; claimable again at `next_attempt_at`.
    Failed {
        /// When the next attempt may start.
        next_attempt_at: i64,
        /// The last attempt's error.
        last_error: String,
    },
    /// Parked: it kept failing or could not be decoded. Replayable.
    Dead {
        /// Why it was parked.
        reason: String,
    },
}

/// One stored event and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// The provider's short name.
    pub provider: String,
    /// The event id.
    pub event_id: String,
    /// The event type, when the body names one.
    pub event_type: Option<String>,
    /// The verified raw bytes.
    pub body: Bytes,
    /// When the delivery arrived (Unix milliseconds).
    pub received_at: i64,
    /// Whether the `api_version` differed from the SDK's.
    pub api_version_mismatch: bool,
    /// Attempts so far.
    pub attempts: u32,
    /// The state.
    pub state: InboxState,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl From<sqlx::Error> for InboxError {
    fn from(source: sqlx::Error) -> Self {
        Self::Database(Box::new(source))
    }
}

/// Why the inbox could not read or write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// The database refused or failed the operation.
    #[error("the webhook inbox database failed: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The configured table name is not a plain SQL identifier.
    #[error("`{0}` is not a valid inbox table name (use lowercase letters, digits and `_`)")]
    InvalidTableName(String),
    /// A stored row holds a state this version does not know.
    #[error("the inbox row for `{event_id}` has an unknown state `{state}`")]
    CorruptRow {
        /// The event id.
        event_id: String,
        /// The stored state.
        state: String,
    },
}

/// Checks that a table name can be spliced into SQL as an identifier.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn validate_table_name(name: &str) -> Result<(), InboxError> {
    let valid = (1..=48).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(InboxError::InvalidTableName(name.to_owned()))
    }
}

/// The columns of a stored row, shared by the SQL implementations.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) struct StoredRow {
    pub provider: String,
    pub event_id: String,
    pub event_type: Option<String>,
    pub body: Vec<u8>,
    pub received_at: i64,
    pub api_version_mismatch: bool,
    pub attempts: i64,
    pub state: String,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub done_at: Option<i64>,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl StoredRow {
    pub(crate) fn into_entry(self) -> Result<InboxEntry, InboxError> {
        let state = match self.state.as_str() {
            "pending" => InboxState::Pending,
            "processing" => InboxState::Processing {
                worker: self.lease_owner.unwrap_or_default(),
                lease_until: self.lease_until.unwrap_or_default(),
            },
            "done" => InboxState::Done {
                at: self.done_at.unwrap_or_default(),
            },
            "failed" => InboxState::Failed {
                next_attempt_at: self.next_attempt_at.unwrap_or_default(),
                last_error: self.last_error.unwrap_or_default(),
            },
            "dead" => InboxState::Dead {
                reason: self.last_error.unwrap_or_default(),
            },
            other => {
                return Err(InboxError::CorruptRow {
                    event_id: self.event_id,
                    state: other.to_owned(),
                });
            }
        };
        Ok(InboxEntry {
            provider: self.provider,
            event_id: self.event_id,
            event_type: self.event_type,
            body: Bytes::from(self.body),
            received_at: self.received_at,
            api_version_mismatch: self.api_version_mismatch,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            state,
        })
    }
}

/// Whether an update guarded by a lease token changed its row.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn lease_outcome(rows: u64) -> LeaseOutcome {
    if rows == 1 {
        LeaseOutcome::Applied
    } else {
        LeaseOutcome::LeaseLost
    }
}

/// Milliseconds in a lease, saturating.
pub(crate) fn lease_millis(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(all(test, any(feature = "sqlite", feature = "postgres")))]
mod tests {
    use super::*;

    #[test]
    fn table_names_must_be_plain_identifiers() {
        let cases = [
            ("webhook_inbox", true),
            ("_t1", true),
            ("1t", false),
            ("", false),
            ("Inbox", false),
            ("inbox; drop table x", false),
            ("schema.inbox", false),
        ];
        for (name, valid) in cases {
            assert_eq!(validate_table_name(name).is_ok(), valid, "{name}");
        }
    }
}
