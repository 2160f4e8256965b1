//! The SQLite journal: one file, write-ahead logging, every commit synced before the
//! request leaves.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::sql::{Placeholder, Row, Statements, create_table, response_columns};
use super::{
    Begin, Completion, IdempotencyJournal, IdempotencyKey, JournalEntry, JournalError, LogicalKey,
    NewEntry,
};

const TABLE: &str = "payforge_idempotency_journal";

/// The embedded default journal: a SQLite file in WAL mode with `synchronous = FULL`, so an
/// entry is on disk when [`IdempotencyJournal::begin`] returns, and a crash right after
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

    /// Closes the connections; later calls fail with [`JournalError::Unavailable`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn select(
        &self,
        provider: &str,
        logical_key: &LogicalKey,
    ) -> Result<Option<JournalEntry>, JournalError> {
        let row: Option<Row> = sqlx::query_as(&self.statements.select)
            .bind(provider)
            .bind(logical_key.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(JournalEntry::try_from).transpose()
    }
}

impl IdempotencyJournal for SqliteJournal {
    fn begin(&self, entry: NewEntry) -> BoxFuture<'_, Result<Begin, JournalError>> {
        Box::pin(async move {
            // An entry abandoned between our failed insert and our select makes the select
            // miss; trying again then creates it.
            for _ in 0..3 {
                let inserted = sqlx::query(&self.statements.insert)
                    .bind(&entry.provider)
                    .bind(entry.logical_key.as_str())
                    .bind(entry.idempotency_key.as_str())
                    .bind(entry.fingerprint.as_str())
                    .bind(&entry.method)
                    .bind(&entry.path)
                    .bind(entry.now.0)
                    .execute(&self.pool)
                    .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(Begin::Created(entry.into_started()));
                }
                if let Some(existing) = self.select(&entry.provider, &entry.logical_key).await? {
                    return Ok(Begin::Existing(existing));
                }
            }
            Err(JournalError::Corrupt {
                reason: "the entry keeps disappearing".to_owned(),
            })
        })
    }

    fn finish(&self, completion: Completion) -> BoxFuture<'_, Result<(), JournalError>> {
        Box::pin(async move {
            let (status, body) = response_columns(completion.response.as_ref());
            sqlx::query(&self.statements.finish)
                .bind(completion.state.as_str())
                .bind(status)
                .bind(body)
                .bind(completion.now.0)
                .bind(&completion.provider)
                .bind(completion.logical_key.as_str())
                .bind(completion.idempotency_key.as_str())
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn abandon(
        &self,
        provider: String,
        logical_key: LogicalKey,
        idempotency_key: IdempotencyKey,
    ) -> BoxFuture<'_, Result<(), JournalError>> {
        Box::pin(async move {
            sqlx::query(&self.statements.abandon)
                .bind(&provider)
                .bind(logical_key.as_str())
                .bind(idempotency_key.as_str())
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn get(
        &self,
        provider: String,
        logical_key: LogicalKey,
    ) -> BoxFuture<'_, Result<Option<JournalEntry>, JournalError>> {
        Box::pin(async move { self.select(&provider, &logical_key).await })
    }

    fn unresolved(
        &self,
        provider: String,
    ) -> BoxFuture<'_, Result<Vec<JournalEntry>, JournalError>> {
        Box::pin(async move {
            let rows: Vec<Row> = sqlx::query_as(&self.statements.unresolved)
                .bind(&provider)
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter().map(JournalEntry::try_from).collect()
        })
    }
}
