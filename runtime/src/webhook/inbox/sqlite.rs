//! The SQLite inbox: the embedded default, one file per application.

use std::path::Path;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use super::{
    Arrival, ClaimedEvent, InboxEntry, InboxError, LeaseOutcome, StoreOutcome, StoredRow,
    WebhookInbox, lease_millis, lease_outcome, validate_table_name,
};
use crate::webhook::verified::{Verified, VerifiedPayload};

/// A [`WebhookInbox`] in a SQLite database file.
///
/// The file runs in WAL mode with `synchronous = FULL`, so a stored event survives a crash
/// or power loss once [`store`](WebhookInbox::store) returns. SQLite serialises writers, so
/// one claim is one atomic `UPDATE … RETURNING`: two workers never receive the same lease.
#[derive(Clone, Debug)]
pub struct SqliteInbox {
    pool: SqlitePool,
    table: String,
}

impl SqliteInbox {
    /// The default table name.
    pub const DEFAULT_TABLE: &'static str = "payforge_webhook_inbox";

    /// Opens (creating if needed) the database file at `path` and its inbox table.
    pub async fn open(path: impl AsRef<Path>, table: &str) -> Result<Self, InboxError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let inbox = Self::new(pool, table)?;
        inbox.migrate().await?;
        Ok(inbox)
    }

    /// Uses an existing pool; call [`migrate`](Self::migrate) before the first use.
    pub fn new(pool: SqlitePool, table: &str) -> Result<Self, InboxError> {
        validate_table_name(table)?;
        Ok(Self {
            pool,
            table: table.to_owned(),
        })
    }

    /// Creates the table and its index if they do not exist.
    pub async fn migrate(&self) -> Result<(), InboxError> {
        let table = &self.table;
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (
                row_id INTEGER PRIMARY KEY AUTOINCREMENT,
                provider TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT,
                api_version TEXT,
                api_version_mismatch INTEGER NOT NULL DEFAULT 0,
                body BLOB NOT NULL,
                received_at INTEGER NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_token TEXT,
                lease_until INTEGER,
                next_attempt_at INTEGER,
                last_error TEXT,
                done_at INTEGER,
                UNIQUE (provider, event_id)
            )"
        ))
        .execute(&self.pool)
        .await?;
        sqlx::query(&format!(
            // Claims scan only unfinished rows; done and dead rows pile up and must not slow
            // them down. The claim query repeats this predicate so both databases use it.
            "CREATE INDEX IF NOT EXISTS {table}_claimable ON {table} (received_at, row_id)
             WHERE state IN ('pending', 'failed', 'processing')"
        ))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The inbox table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The connection pool, for applications that keep their own tables beside the inbox.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn update_claimed(
        &self,
        set: &str,
        claim: &ClaimedEvent,
        text: Option<&str>,
        time: i64,
    ) -> Result<LeaseOutcome, InboxError> {
        let sql = format!(
            "UPDATE {} SET {set}, lease_owner = NULL, lease_token = NULL, lease_until = NULL
             WHERE row_id = ?3 AND lease_token = ?4 AND state = 'processing'",
            self.table
        );
        let result = sqlx::query(&sql)
            .bind(text)
            .bind(time)
            .bind(claim.row_id)
            .bind(&claim.lease_token)
            .execute(&self.pool)
            .await?;
        Ok(lease_outcome(result.rows_affected()))
    }
}

const ENTRY_COLUMNS: &str = "provider, event_id, event_type, body, received_at, \
    api_version_mismatch, attempts, state, lease_owner, lease_until, next_attempt_at, \
    last_error, done_at";

fn stored_row(row: &SqliteRow) -> Result<StoredRow, sqlx::Error> {
    Ok(StoredRow {
        provider: row.try_get("provider")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        body: row.try_get("body")?,
        received_at: row.try_get("received_at")?,
        api_version_mismatch: row.try_get("api_version_mismatch")?,
        attempts: row.try_get("attempts")?,
        state: row.try_get("state")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: row.try_get("lease_until")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        done_at: row.try_get("done_at")?,
    })
}

impl WebhookInbox for SqliteInbox {
    async fn store(
        &self,
        event: &Verified<VerifiedPayload>,
        arrival: Arrival,
    ) -> Result<StoreOutcome, InboxError> {
        let sql = format!(
            "INSERT INTO {} (provider, event_id, event_type, api_version, api_version_mismatch,
                body, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (provider, event_id) DO NOTHING",
            self.table
        );
        let result = sqlx::query(&sql)
            .bind(event.provider())
            .bind(event.event_id())
            .bind(event.event_type())
            .bind(event.api_version())
            .bind(arrival.api_version_mismatch)
            .bind(event.body().as_ref())
            .bind(arrival.received_at)
            .execute(&self.pool)
            .await?;
        Ok(if result.rows_affected() == 1 {
            StoreOutcome::Stored
        } else {
            StoreOutcome::Duplicate
        })
    }

    async fn claim(
        &self,
        worker: &str,
        now: i64,
        lease: Duration,
    ) -> Result<Option<ClaimedEvent>, InboxError> {
        let table = &self.table;
        let sql = format!(
            "UPDATE {table} SET state = 'processing', lease_owner = ?1, lease_token = ?2,
                lease_until = ?3, attempts = attempts + 1
             WHERE row_id = (
                SELECT row_id FROM {table}
                WHERE state IN ('pending', 'failed', 'processing')
                  AND (state = 'pending'
                   OR (state = 'failed' AND next_attempt_at <= ?4)
                   OR (state = 'processing' AND lease_until <= ?4))
                ORDER BY received_at, row_id LIMIT 1)
             RETURNING row_id, provider, event_id, body, attempts, lease_token, lease_until"
        );
        let token = uuid::Uuid::new_v4().to_string();
        let row = sqlx::query(&sql)
            .bind(worker)
            .bind(&token)
            .bind(now.saturating_add(lease_millis(lease)))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| claimed_event(&row)).transpose()
    }

    async fn renew(&self, claim: &ClaimedEvent, until: i64) -> Result<LeaseOutcome, InboxError> {
        let sql = format!(
            "UPDATE {} SET lease_until = ?1
             WHERE row_id = ?2 AND lease_token = ?3 AND state = 'processing'",
            self.table
        );
        let result = sqlx::query(&sql)
            .bind(until)
            .bind(claim.row_id)
            .bind(&claim.lease_token)
            .execute(&self.pool)
            .await?;
        Ok(lease_outcome(result.rows_affected()))
    }

    async fn complete(&self, claim: &ClaimedEvent, now: i64) -> Result<LeaseOutcome, InboxError> {
        self.update_claimed(
            "state = 'done', last_error = ?1, done_at = ?2",
            claim,
            None,
            now,
        )
        .await
    }

    async fn retry_later(
        &self,
        claim: &ClaimedEvent,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<LeaseOutcome, InboxError> {
        self.update_claimed(
            "state = 'failed', last_error = ?1, next_attempt_at = ?2",
            claim,
            Some(error),
            next_attempt_at,
        )
        .await
    }

    async fn bury(
        &self,
        claim: &ClaimedEvent,
        reason: &str,
        now: i64,
    ) -> Result<LeaseOutcome, InboxError> {
        self.update_claimed(
            "state = 'dead', last_error = ?1, done_at = ?2",
            claim,
            Some(reason),
            now,
        )
        .await
    }

    async fn dead_letters(&self, limit: u32) -> Result<Vec<InboxEntry>, InboxError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {} WHERE state = 'dead'
             ORDER BY received_at, row_id LIMIT ?1",
            self.table
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| stored_row(row)?.into_entry())
            .collect()
    }

    async fn replay(&self, provider: &str, event_id: &str, _now: i64) -> Result<bool, InboxError> {
        let sql = format!(
            "UPDATE {} SET state = 'pending', attempts = 0, last_error = NULL,
                next_attempt_at = NULL, done_at = NULL
             WHERE provider = ?1 AND event_id = ?2 AND state = 'dead'",
            self.table
        );
        let result = sqlx::query(&sql)
            .bind(provider)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn prune_done(&self, done_before: i64) -> Result<u64, InboxError> {
        let sql = format!(
            "DELETE FROM {} WHERE state = 'done' AND done_at < ?1",
            self.table
        );
        let result = sqlx::query(&sql)
            .bind(done_before)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn entry(
        &self,
        provider: &str,
        event_id: &str,
    ) -> Result<Option<InboxEntry>, InboxError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {} WHERE provider = ?1 AND event_id = ?2",
            self.table
        );
        let row = sqlx::query(&sql)
            .bind(provider)
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| stored_row(&row)?.into_entry()).transpose()
    }
}

fn claimed_event(row: &SqliteRow) -> Result<ClaimedEvent, InboxError> {
    let body: Vec<u8> = row.try_get("body")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(ClaimedEvent {
        row_id: row.try_get("row_id")?,
        provider: row.try_get("provider")?,
        event_id: row.try_get("event_id")?,
        body: body.into(),
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        lease_token: row.try_get("lease_token")?,
        lease_until: row.try_get("lease_until")?,
    })
}
