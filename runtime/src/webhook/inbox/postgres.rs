//! The PostgreSQL inbox: for several application instances sharing one database.

use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Transaction};

use super::{ClaimedEvent, InboxError, validate_table_name};

/// A [`WebhookInbox`](super::WebhookInbox) in PostgreSQL.
///
/// Workers on any number of instances claim with `SELECT … FOR UPDATE SKIP LOCKED`, so they
/// never wait on each other's rows. A handler can also write its own effects in the same
/// transaction that marks the event done (see
/// [`TransactionalWorker`](crate::webhook::TransactionalWorker)), which makes effects kept in
/// this database exactly-once.
#[derive(Clone, Debug)]
pub struct PgInbox {
    pool: PgPool,
    table: String,
}

impl PgInbox {
    /// The default table name.
    pub const DEFAULT_TABLE: &'static str = "payforge_webhook_inbox";

    /// Connects to `url` and creates the inbox table if needed.
    pub async fn connect(url: &str, table: &str) -> Result<Self, InboxError> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        let inbox = Self::new(pool, table)?;
        inbox.migrate().await?;
        Ok(inbox)
    }

    /// Uses an existing pool; call [`migrate`](Self::migrate) before the first use.
    pub fn new(pool: PgPool, table: &str) -> Result<Self, InboxError> {
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
                row_id BIGSERIAL PRIMARY KEY,
                provider TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT,
                api_version TEXT,
                api_version_mismatch BOOLEAN NOT NULL DEFAULT FALSE,
                body BYTEA NOT NULL,
                received_at BIGINT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts BIGINT NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_token TEXT,
                lease_until BIGINT,
                next_attempt_at BIGINT,
                last_error TEXT,
                done_at BIGINT,
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
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Opens the transaction a transactional handler runs in, with the claimed row locked.
    /// `None` when the claim no longer holds the lease.
    pub(crate) async fn begin_claimed(
        &self,
        claim: &ClaimedEvent,
    ) -> Result<Option<Transaction<'static, Postgres>>, InboxError> {
        let mut transaction = self.pool.begin().await?;
        let sql = format!(
            "SELECT row_id FROM {} WHERE row_id = $1 AND lease_token = $2
                AND state = 'processing' FOR UPDATE",
            self.table
        );
        let locked = sqlx::query(&sql)
            .bind(claim.row_id)
            .bind(&claim.lease_token)
            .fetch_optional(&mut *transaction)
            .await?;
        if locked.is_none() {
            transaction.rollback().await?;
            return Ok(None);
        }
        Ok(Some(transaction))
    }

    /// Marks the claimed event done inside `transaction` (whose row lock
    /// [`begin_claimed`](Self::begin_claimed) took).
    pub(crate) async fn complete_in(
        &self,
        transaction: &mut Transaction<'static, Postgres>,
        claim: &ClaimedEvent,
        now: i64,
    ) -> Result<(), InboxError> {
        let sql = format!(
            "UPDATE {} SET state = 'done', done_at = $1, last_error = NULL,
                lease_owner = NULL, lease_token = NULL, lease_until = NULL
             WHERE row_id = $2 AND lease_token = $3",
            self.table
        );
        sqlx::query(&sql)
            .bind(now)
            .bind(claim.row_id)
            .bind(&claim.lease_token)
            .execute(&mut **transaction)
            .await?;
        Ok(())
    }
}

super::sql::sql_inbox!(PgInbox, PgRow, claim_lock = "FOR UPDATE SKIP LOCKED");
