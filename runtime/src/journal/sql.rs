//! What the SQLite and PostgreSQL journals share: the statements (in each database's
//! placeholder style) and the decoding of a row.

use super::{
    EntryState, Fingerprint, IdempotencyKey, JournalEntry, JournalError, LogicalKey,
    StoredResponse, UnixMillis,
};

/// The placeholder style of a database: `?1` (SQLite) or `$1` (PostgreSQL).
#[derive(Clone, Copy)]
pub(crate) enum Placeholder {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // Built by the SQLite journal only.
    Question,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    // Built by the PostgreSQL journal only.
    Dollar,
}

impl Placeholder {
    fn at(self, n: usize) -> String {
        match self {
            Self::Question => format!("?{n}"),
            Self::Dollar => format!("${n}"),
        }
    }
}

/// The statements of one journal table.
pub(crate) struct Statements {
    pub(crate) insert: String,
    pub(crate) select: String,
    pub(crate) finish: String,
    pub(crate) abandon: String,
    pub(crate) unresolved: String,
}

const COLUMNS: &str = "provider, logical_key, idempotency_key, fingerprint, method, path, state, \
                       response_status, response_body, created_at_ms, updated_at_ms";

impl Statements {
    /// The statements for `table` (an already checked, possibly schema-qualified name).
    pub(crate) fn new(table: &str, p: Placeholder) -> Self {
        let ps: Vec<String> = (1..=9).map(|n| p.at(n)).collect();
        Self {
            insert: format!(
                "INSERT INTO {table} (provider, logical_key, idempotency_key, fingerprint, method, \
                 path, state, created_at_ms, updated_at_ms) \
                 VALUES ({}, {}, {}, {}, {}, {}, 'started', {}, {}) \
                 ON CONFLICT (provider, logical_key) DO NOTHING",
                ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6], ps[6]
            ),
            select: format!(
                "SELECT {COLUMNS} FROM {table} WHERE provider = {} AND logical_key = {}",
                ps[0], ps[1]
            ),
            finish: format!(
                "UPDATE {table} SET state = {}, response_status = {}, response_body = {}, \
                 updated_at_ms = {} WHERE provider = {} AND logical_key = {} \
                 AND idempotency_key = {} AND state IN ('started', 'outcome_unknown')",
                ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6]
            ),
            abandon: format!(
                "DELETE FROM {table} WHERE provider = {} AND logical_key = {} \
                 AND idempotency_key = {} AND state = 'started'",
                ps[0], ps[1], ps[2]
            ),
            unresolved: format!(
                "SELECT {COLUMNS} FROM {table} WHERE provider = {} \
                 AND state IN ('started', 'outcome_unknown') ORDER BY created_at_ms, logical_key",
                ps[0]
            ),
        }
    }
}

/// The table definition; `blob` is the database's byte-string type.
pub(crate) fn create_table(table: &str, index: &str, blob: &str) -> [String; 2] {
    [
        format!(
            "CREATE TABLE IF NOT EXISTS {table} (
                provider TEXT NOT NULL,
                logical_key TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                state TEXT NOT NULL,
                response_status INTEGER,
                response_body {blob},
                created_at_ms BIGINT NOT NULL,
                updated_at_ms BIGINT NOT NULL,
                PRIMARY KEY (provider, logical_key)
            )"
        ),
        format!("CREATE INDEX IF NOT EXISTS {index} ON {table} (provider, state, created_at_ms)"),
    ]
}

/// One row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    provider: String,
    logical_key: String,
    idempotency_key: String,
    fingerprint: String,
    method: String,
    path: String,
    state: String,
    response_status: Option<i32>,
    response_body: Option<Vec<u8>>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl TryFrom<Row> for JournalEntry {
    type Error = JournalError;

    fn try_from(row: Row) -> Result<Self, JournalError> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| JournalError::Corrupt {
            reason: format!("{what}: {e}"),
        };
        let response = match (row.response_status, row.response_body) {
            (Some(status), body) => Some(StoredResponse {
                status: u16::try_from(status).map_err(|e| corrupt("response status", &e))?,
                body: body.unwrap_or_default(),
            }),
            (None, _) => None,
        };
        Ok(Self {
            provider: row.provider,
            logical_key: LogicalKey::from_stored(row.logical_key)
                .map_err(|e| corrupt("logical key", &e))?,
            idempotency_key: IdempotencyKey::new(row.idempotency_key)
                .map_err(|e| corrupt("idempotency key", &e))?,
            fingerprint: Fingerprint::from_stored(row.fingerprint),
            method: row.method,
            path: row.path,
            state: EntryState::parse(&row.state)?,
            response,
            created_at: UnixMillis(row.created_at_ms),
            updated_at: UnixMillis(row.updated_at_ms),
        })
    }
}

/// The response columns of a completion.
pub(crate) fn response_columns(response: Option<&StoredResponse>) -> (Option<i32>, Option<&[u8]>) {
    match response {
        Some(r) => (Some(i32::from(r.status)), Some(r.body.as_slice())),
        None => (None, None),
    }
}

impl std::fmt::Debug for Statements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Statements")
    }
}

/// The methods the SQLite and PostgreSQL journals share word for word: each holds a `pool`
/// and its `statements`, and sqlx's query API reads the same over either pool.
macro_rules! sql_journal {
    ($journal:ty) => {
        const _: () = {
            use futures::future::BoxFuture;

            use $crate::journal::sql::{Row, response_columns};
            use $crate::journal::{
                Begin, Completion, IdempotencyJournal, IdempotencyKey, JournalEntry, JournalError,
                LogicalKey, NewEntry,
            };

            impl $journal {
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

            impl IdempotencyJournal for $journal {
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
                            if let Some(existing) =
                                self.select(&entry.provider, &entry.logical_key).await?
                            {
                                return Ok(Begin::Existing(existing));
                            }
                        }
                        Err(JournalError::Corrupt {
                            reason: "the entry keeps disappearing".to_owned(),
                        })
                    })
                }

                fn finish(
                    &self,
                    completion: Completion,
                ) -> BoxFuture<'_, Result<(), JournalError>> {
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
        };
    };
}

pub(crate) use sql_journal;
