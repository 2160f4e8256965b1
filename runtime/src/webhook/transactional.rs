//! The PostgreSQL worker whose handler writes in the same transaction that marks the event
//! done, so effects kept in that database happen exactly once.

use std::marker::PhantomData;
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::{Postgres, Transaction};

use super::event::EventEnvelope;
use super::inbox::{InboxError, PgInbox, WebhookInbox};
use super::verified::Verified;
use super::worker::{
    HandlerError, Processed, WorkerConfig, park_undecodable, run_loop, settle_failure, unix_millis,
};

/// A handler that writes its effects through the inbox's own transaction.
///
/// The transaction holds the event's row lock; it commits only if the handler returns `Ok`,
/// together with the event's `done` mark. A crash or an error rolls both back, so the event
/// is retried and no half-applied effect remains.
///
/// ```no_run
/// use futures::future::BoxFuture;
/// use payforge::webhook::{Event, HandlerError, RawObject, TransactionalHandler, Verified};
/// use sqlx::{Postgres, Transaction};
///
/// struct CreditLedger;
///
/// impl TransactionalHandler<Event<RawObject>> for CreditLedger {
///     fn handle<'a>(
///         &'a self,
///         transaction: &'a mut Transaction<'static, Postgres>,
///         event: Verified<Event<RawObject>>,
///     ) -> BoxFuture<'a, Result<(), HandlerError>> {
///         Box::pin(async move {
///             sqlx::query("INSERT INTO ledger (event_id) VALUES ($1)")
///                 .bind(&event.id)
///                 .execute(&mut **transaction)
///                 .await
///                 .map_err(|error| HandlerError::Retry(error.to_string()))?;
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait TransactionalHandler<Env>: Send + Sync + 'static {
    /// Handles one event inside `transaction`.
    fn handle<'a>(
        &'a self,
        transaction: &'a mut Transaction<'static, Postgres>,
        event: Verified<Env>,
    ) -> BoxFuture<'a, Result<(), HandlerError>>;
}

/// A worker over a [`PgInbox`] running a [`TransactionalHandler`].
#[derive(Debug)]
pub struct TransactionalWorker<Env, H> {
    inbox: Arc<PgInbox>,
    handler: H,
    config: WorkerConfig,
    envelope: PhantomData<fn() -> Env>,
}

impl<Env, H> TransactionalWorker<Env, H>
where
    Env: EventEnvelope,
    H: TransactionalHandler<Env>,
{
    /// A worker over `inbox` running `handler`.
    pub fn new(inbox: Arc<PgInbox>, handler: H, config: WorkerConfig) -> Self {
        Self {
            inbox,
            handler,
            config,
            envelope: PhantomData,
        }
    }

    /// Claims and processes at most one event.
    pub async fn process_one(&self) -> Result<Processed, InboxError> {
        let config = &self.config;
        let Some(claim) = self
            .inbox
            .claim(&config.worker_id, unix_millis(), config.lease)
            .await?
        else {
            return Ok(Processed::Idle);
        };
        let event = match claim.verified_payload().decode::<Env>() {
            Ok(event) => event,
            Err(error) => return park_undecodable(&*self.inbox, &claim, &error).await,
        };
        let Some(mut transaction) = self.inbox.begin_claimed(&claim).await? else {
            return Ok(Processed::LeaseLost {
                event_id: claim.event_id,
            });
        };
        match self.handler.handle(&mut transaction, event).await {
            Ok(()) => {
                self.inbox
                    .complete_in(&mut transaction, &claim, unix_millis())
                    .await?;
                transaction.commit().await?;
                Ok(Processed::Completed {
                    event_id: claim.event_id,
                })
            }
            Err(error) => {
                transaction.rollback().await?;
                settle_failure(&*self.inbox, config, &claim, &error, unix_millis()).await
            }
        }
    }

    /// Processes events until `shutdown` resolves (see [`Worker::run`](super::Worker::run)).
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        run_loop(shutdown, self.config.idle_wait, || self.process_one()).await;
    }
}
