//! The SQLite journal: one file, write-ahead logging, every commit synced before the
//! request leaves.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::JournalError;
use super::sql::{Placeholder, Statements, create_table};

const TABLE: &str = "payforge_idempotency_journal";

/// The embedded default journal: a SQLite file in WAL mode with `synchronous = FULL`, so an
/// entry is on disk when [`IdempotencyJournal::begin`](super::IdempotencyJournal::begin) returns, and a crash right after
/// cannot lose the key of a request that then left.
#[derive(Debug, Clone)]
pub struct SqliteJournal {
    pool: SqlitePool,
    statements: std::sync::Arc<Statements>,
}

impl SqliteJournal {
    /// Opens (creating if needed) the journal file at `path`.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path.as_ref())
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        for statement in create_table(TABLE, "payforge_idempotency_journal_unresolved", "BLOB") {
            sqlx::query(&statement).execute(&pool).await?;
        }
        let statements = std::sync::Arc::new(Statements::new(TABLE, Placeholder::Question));
        Ok(Self { pool, statements })
    }
}

super::sql::sql_journal!(SqliteJournal);
