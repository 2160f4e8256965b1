//! The SQLite inbox: the embedded default, one file per application.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use super::{InboxError, validate_table_name};

/// A [`WebhookInbox`](super::WebhookInbox) in a SQLite database file.
///
/// The file runs in WAL mode with `synchronous = FULL`, so a stored event survives a crash
/// or power loss once [`store`](super::WebhookInbox::store) returns. SQLite serialises writers, so
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
}

super::sql::sql_inbox!(SqliteInbox, SqliteRow, claim_lock = "");
