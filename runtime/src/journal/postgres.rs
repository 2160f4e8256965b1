//! The PostgreSQL journal: one table shared by every instance of an application; each
//! entry is committed before the request leaves.

use futures::future::BoxFuture;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::sql::{Placeholder, Row, Statements, create_table, response_columns};
use super::{
    Begin, Completion, IdempotencyJournal, IdempotencyKey, JournalEntry, JournalError, LogicalKey,
    NewEntry, checked_identifier,
};

/// The journal for fleets: several app instances share one PostgreSQL table, and the
/// primary key on (provider, logical key) makes `begin` atomic across them.
#[derive(Debug, Clone)]
pub struct PostgresJournal {
    pool: PgPool,
    statements: std::sync::Arc<Statements>,
}

impl PostgresJournal {
    /// Connects to `url` and uses the table `payforge_idempotency_journal` in the default
    /// schema, creating it if needed.
    pub async fn connect(url: &str) -> Result<Self, JournalError> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        Self::with_pool(pool, None).await
    }

    /// Connects to `url` and keeps the table in `schema` (created if needed), so that
    /// several applications, or parallel test runs, share a database without sharing keys.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, JournalError> {
        checked_identifier(schema)?;
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        Self::with_pool(pool, Some(schema)).await
    }

    /// Uses an existing pool, creating the schema (if given) and table if needed.
    pub async fn with_pool(pool: PgPool, schema: Option<&str>) -> Result<Self, JournalError> {
        let (table, index) = match schema {
            Some(schema) => {
                let schema = checked_identifier(schema)?;
                sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                    .execute(&pool)
                    .await?;
                (
                    format!("{schema}.payforge_idempotency_journal"),
                    format!("{schema}_journal_unresolved"),
                )
            }
            None => (
                "payforge_idempotency_journal".to_owned(),
                "payforge_idempotency_journal_unresolved".to_owned(),
            ),
        };
        for statement in create_table(&table, &index, "BYTEA") {
            sqlx::query(&statement).execute(&pool).await?;
        }
        let statements = std::sync::Arc::new(Statements::new(&table, Placeholder::Dollar));
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

impl IdempotencyJournal for PostgresJournal {
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
