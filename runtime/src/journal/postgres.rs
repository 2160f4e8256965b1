//! The PostgreSQL journal: one table shared by every instance of an application; each
//! entry is committed before the request leaves.

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::sql::{Placeholder, Statements, create_table};
use super::{JournalError, checked_identifier};

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
}

super::sql::sql_journal!(PostgresJournal);
