//! What the SQLite and PostgreSQL inboxes share: every statement after the table exists
//! (written with `$N` placeholders, which both drivers bind by number) and the decoding of a
//! row. The one difference is how a claim locks the row it picks, passed in as `claim_lock`.

/// Implements [`WebhookInbox`](super::WebhookInbox) for an inbox struct holding `pool` and
/// `table`, whose rows are `$row`.
macro_rules! sql_inbox {
    ($inbox:ty, $row:ty, claim_lock = $claim_lock:expr) => {
        const _: () = {
            use std::time::Duration;

            use sqlx::Row as _;

            use $crate::webhook::inbox::{
                Arrival, ClaimedEvent, InboxEntry, InboxError, LeaseOutcome, StoreOutcome,
                StoredRow, WebhookInbox, lease_millis, lease_outcome,
            };
            use $crate::webhook::verified::{Verified, VerifiedPayload};

            impl $inbox {
                async fn update_claimed(
                    &self,
                    set: &str,
                    claim: &ClaimedEvent,
                    text: Option<&str>,
                    time: i64,
                ) -> Result<LeaseOutcome, InboxError> {
                    let sql = format!(
                        "UPDATE {} SET {set}, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                         WHERE row_id = $3 AND lease_token = $4 AND state = 'processing'",
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

            fn stored_row(row: &$row) -> Result<StoredRow, sqlx::Error> {
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

            impl WebhookInbox for $inbox {
                async fn store(
                    &self,
                    event: &Verified<VerifiedPayload>,
                    arrival: Arrival,
                ) -> Result<StoreOutcome, InboxError> {
                    let sql = format!(
                        "INSERT INTO {} (provider, event_id, event_type, api_version, api_version_mismatch,
                            body, received_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
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
                    let lock = $claim_lock;
                    let sql = format!(
                        "UPDATE {table} SET state = 'processing', lease_owner = $1, lease_token = $2,
                            lease_until = $3, attempts = attempts + 1
                         WHERE row_id = (
                            SELECT row_id FROM {table}
                            WHERE state IN ('pending', 'failed', 'processing')
                              AND (state = 'pending'
                               OR (state = 'failed' AND next_attempt_at <= $4)
                               OR (state = 'processing' AND lease_until <= $4))
                            ORDER BY received_at, row_id LIMIT 1 {lock})
                         RETURNING row_id, provider, event_id, event_type, body, attempts, lease_token,
                            lease_until"
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
                        "UPDATE {} SET lease_until = $1
                         WHERE row_id = $2 AND lease_token = $3 AND state = 'processing'",
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
                        "state = 'done', last_error = $1, done_at = $2",
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
                        "state = 'failed', last_error = $1, next_attempt_at = $2",
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
                        "state = 'dead', last_error = $1, done_at = $2",
                        claim,
                        Some(reason),
                        now,
                    )
                    .await
                }

                async fn dead_letters(&self, limit: u32) -> Result<Vec<InboxEntry>, InboxError> {
                    let sql = format!(
                        "SELECT {ENTRY_COLUMNS} FROM {} WHERE state = 'dead'
                         ORDER BY received_at, row_id LIMIT $1",
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
                         WHERE provider = $1 AND event_id = $2 AND state = 'dead'",
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
                        "DELETE FROM {} WHERE state = 'done' AND done_at < $1",
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
                        "SELECT {ENTRY_COLUMNS} FROM {} WHERE provider = $1 AND event_id = $2",
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

            fn claimed_event(row: &$row) -> Result<ClaimedEvent, InboxError> {
                let body: Vec<u8> = row.try_get("body")?;
                let attempts: i64 = row.try_get("attempts")?;
                Ok(ClaimedEvent {
                    row_id: row.try_get("row_id")?,
                    provider: row.try_get("provider")?,
                    event_id: row.try_get("event_id")?,
                    event_type: row.try_get("event_type")?,
                    body: body.into(),
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    lease_token: row.try_get("lease_token")?,
                    lease_until: row.try_get("lease_until")?,
                })
            }
        };
    };
}

pub(crate) use sql_inbox;
