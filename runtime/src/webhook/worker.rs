//! Workers: claim stored events under a lease, decode them, run the application's handler,
//! retry failures with exponential backoff and park poison events as dead letters.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::event::EventEnvelope;
use super::inbox::{ClaimedEvent, InboxError, LeaseOutcome, WebhookInbox};
use super::verified::Verified;

/// Why a handler did not finish an event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// A transient failure (a dependency down, a lock timeout): retry later with backoff.
    #[error("retryable handler failure: {0}")]
    Retry(String),
    /// The event can never succeed as it is: park it as a dead letter now.
    #[error("permanent handler failure: {0}")]
    Permanent(String),
}

/// Exponential backoff between attempts: `initial`, `2 × initial`, `4 × initial`, … capped
/// at `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Backoff {
    /// The wait after the `attempt`-th failed attempt (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.initial
            .checked_mul(1u32 << doublings)
            .map_or(self.max, |delay| delay.min(self.max))
    }
}

/// How a worker claims and retries.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// This worker's name in the inbox (shown as the lease holder).
    pub worker_id: String,
    /// How long a claim lasts without renewal. The worker renews it every third of this
    /// while the handler runs, so it bounds how soon another worker takes over the event of
    /// a worker that stopped (crashed or lost the database), not how long a handler may run.
    pub lease: Duration,
    /// Attempts before an event that keeps failing is parked as a dead letter.
    pub max_attempts: u32,
    /// Waits between attempts.
    pub backoff: Backoff,
    /// How long to wait when nothing is claimable (or the inbox errs) before looking again.
    pub idle_wait: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            worker_id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            lease: Duration::from_secs(60),
            max_attempts: 8,
            backoff: Backoff {
                initial: Duration::from_secs(5),
                max: Duration::from_secs(15 * 60),
            },
            idle_wait: Duration::from_millis(250),
        }
    }
}

/// What one [`Worker::process_one`] call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Processed {
    /// Nothing was claimable.
    Idle,
    /// The handler succeeded and the event is done.
    Completed {
        /// The event id.
        event_id: String,
    },
    /// The handler failed; the event will be retried.
    RetryScheduled {
        /// The event id.
        event_id: String,
        /// Attempts so far.
        attempts: u32,
        /// When it becomes claimable again (Unix milliseconds).
        next_attempt_at: i64,
    },
    /// The event was parked as a dead letter.
    DeadLettered {
        /// The event id.
        event_id: String,
        /// Why.
        reason: String,
    },
    /// The lease expired and another worker took the event over; this outcome was dropped.
    LeaseLost {
        /// The event id.
        event_id: String,
    },
}

/// The application's code for one verified event.
///
/// Implemented for every `async fn(Verified<Env>) -> Result<(), HandlerError>` and closure of
/// that shape. A handler may run more than once for one event (a crash after its effect but
/// before the completion was recorded), so its external effects must be idempotent; effects
/// in PostgreSQL can instead use [`TransactionalWorker`](super::TransactionalWorker).
pub trait WebhookHandler<Env>: Send + Sync + 'static {
    /// Handles one event.
    fn handle(&self, event: Verified<Env>)
    -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<Env, F, Fut> WebhookHandler<Env> for F
where
    F: Fn(Verified<Env>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    fn handle(
        &self,
        event: Verified<Env>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        self(event)
    }
}

/// Processes events from an inbox with a handler.
#[derive(Debug)]
pub struct Worker<I, Env, H> {
    inbox: Arc<I>,
    handler: H,
    config: WorkerConfig,
    envelope: PhantomData<fn() -> Env>,
}

impl<I, Env, H> Worker<I, Env, H>
where
    I: WebhookInbox,
    Env: EventEnvelope,
    H: WebhookHandler<Env>,
{
    /// A worker over `inbox` running `handler`.
    pub fn new(inbox: Arc<I>, handler: H, config: WorkerConfig) -> Self {
        Self {
            inbox,
            handler,
            config,
            envelope: PhantomData,
        }
    }

    /// Claims and processes at most one event.
    pub async fn process_one(&self) -> Result<Processed, InboxError> {
        let now = unix_millis();
        let config = &self.config;
        let Some(claim) = self
            .inbox
            .claim(&config.worker_id, now, config.lease)
            .await?
        else {
            return Ok(Processed::Idle);
        };
        let event = match claim.verified_payload().decode::<Env>() {
            Ok(event) => event,
            Err(error) => return park_undecodable(&*self.inbox, &claim, &error).await,
        };
        let result = hold_lease(
            &*self.inbox,
            &claim,
            config.lease,
            self.handler.handle(event),
        )
        .await;
        let now = unix_millis();
        match result {
            Ok(()) => {
                let outcome = self.inbox.complete(&claim, now).await?;
                Ok(after_lease(outcome, &claim, || Processed::Completed {
                    event_id: claim.event_id.clone(),
                }))
            }
            Err(error) => settle_failure(&*self.inbox, config, &claim, &error, now).await,
        }
    }

    /// Processes events until `shutdown` resolves; an event already in the handler is
    /// finished first. Inbox errors are logged and retried after
    /// [`WorkerConfig::idle_wait`], so a database restart does not stop the worker.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        run_loop(shutdown, self.config.idle_wait, || self.process_one()).await;
    }
}

/// The polling loop shared by both workers. Shutdown is checked between events, never in
/// the middle of one, so a handler that has started is allowed to finish.
pub(crate) async fn run_loop<F, Fut>(
    shutdown: impl Future<Output = ()>,
    idle_wait: Duration,
    step: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Processed, InboxError>>,
{
    tokio::pin!(shutdown);
    loop {
        let shutting_down = tokio::select! {
            biased;
            () = &mut shutdown => true,
            () = std::future::ready(()) => false,
        };
        if shutting_down {
            return;
        }
        let wait = match step().await {
            Ok(Processed::Idle) => true,
            Ok(_) => false,
            Err(error) => {
                tracing::warn!(%error, "webhook worker could not reach the inbox");
                true
            }
        };
        if wait {
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(idle_wait) => {}
            }
        }
    }
}

/// Parks an event the SDK cannot decode, with the reason, so it can be replayed later.
pub(crate) async fn park_undecodable<I: WebhookInbox>(
    inbox: &I,
    claim: &ClaimedEvent,
    error: &super::event::DecodeError,
) -> Result<Processed, InboxError> {
    let reason = format!("undecodable: {error}");
    tracing::warn!(event_id = %claim.event_id, %reason, "parking a webhook event");
    let outcome = inbox.bury(claim, &reason, unix_millis()).await?;
    Ok(after_lease(outcome, claim, || Processed::DeadLettered {
        event_id: claim.event_id.clone(),
        reason: reason.clone(),
    }))
}

/// Records a handler failure: a retry after backoff, or a dead letter.
pub(crate) async fn settle_failure<I: WebhookInbox>(
    inbox: &I,
    config: &WorkerConfig,
    claim: &ClaimedEvent,
    error: &HandlerError,
    now: i64,
) -> Result<Processed, InboxError> {
    let exhausted = claim.attempts >= config.max_attempts;
    if matches!(error, HandlerError::Permanent(_)) || exhausted {
        let reason = if exhausted {
            format!("gave up after {} attempts: {error}", claim.attempts)
        } else {
            error.to_string()
        };
        tracing::warn!(event_id = %claim.event_id, %reason, "webhook event dead-lettered");
        let outcome = inbox.bury(claim, &reason, now).await?;
        return Ok(after_lease(outcome, claim, || Processed::DeadLettered {
            event_id: claim.event_id.clone(),
            reason: reason.clone(),
        }));
    }
    let delay = config.backoff.delay(claim.attempts);
    let next_attempt_at = now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
    tracing::info!(event_id = %claim.event_id, attempts = claim.attempts, %error, "webhook handler failed; retrying later");
    let outcome = inbox
        .retry_later(claim, &error.to_string(), next_attempt_at)
        .await?;
    Ok(after_lease(outcome, claim, || Processed::RetryScheduled {
        event_id: claim.event_id.clone(),
        attempts: claim.attempts,
        next_attempt_at,
    }))
}

/// Runs `work` (the handler) while renewing `claim`'s lease every third of `lease`, so a
/// handler slower than one lease keeps its event; another worker takes an event over only
/// when its worker stopped (crashed, killed, partitioned from the database). A lost lease is
/// logged and the handler left to finish: its outcome is then dropped by the inbox, and the
/// worker that took over processes the event again.
///
/// The PostgreSQL transactional worker needs no renewal: its open transaction holds the
/// event's row lock, which `FOR UPDATE SKIP LOCKED` claims skip.
pub(crate) async fn hold_lease<I: WebhookInbox, T>(
    inbox: &I,
    claim: &ClaimedEvent,
    lease: Duration,
    work: impl Future<Output = T>,
) -> T {
    let heartbeat = std::pin::pin!(renew_while_held(inbox, claim, lease));
    let work = std::pin::pin!(work);
    match futures::future::select(work, heartbeat).await {
        futures::future::Either::Left((output, _)) => output,
        futures::future::Either::Right((never, _)) => match never {},
    }
}

/// Renews `claim`'s lease every third of `lease` until the lease is lost; never returns.
async fn renew_while_held<I: WebhookInbox>(
    inbox: &I,
    claim: &ClaimedEvent,
    lease: Duration,
) -> std::convert::Infallible {
    let period = (lease / 3).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(period).await;
        let until = unix_millis().saturating_add(super::inbox::lease_millis(lease));
        match inbox.renew(claim, until).await {
            Ok(LeaseOutcome::Applied) => {}
            Ok(LeaseOutcome::LeaseLost) => {
                tracing::warn!(
                    event_id = %claim.event_id,
                    "webhook lease lost while the handler ran; its outcome will be dropped"
                );
                break;
            }
            Err(error) => tracing::warn!(
                event_id = %claim.event_id,
                %error,
                "cannot renew the webhook lease; trying again"
            ),
        }
    }
    std::future::pending().await
}

pub(crate) fn after_lease(
    outcome: LeaseOutcome,
    claim: &ClaimedEvent,
    applied: impl FnOnce() -> Processed,
) -> Processed {
    match outcome {
        LeaseOutcome::Applied => applied(),
        LeaseOutcome::LeaseLost => {
            tracing::warn!(event_id = %claim.event_id, "webhook lease lost before the outcome was recorded");
            Processed::LeaseLost {
                event_id: claim.event_id.clone(),
            }
        }
    }
}

/// The wall clock in Unix milliseconds (the inbox's time unit).
pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(60),
        };
        let cases = [
            (0, 5),
            (1, 5),
            (2, 10),
            (3, 20),
            (4, 40),
            (5, 60),
            (40, 60),
            (u32::MAX, 60),
        ];
        for (attempt, seconds) in cases {
            assert_eq!(
                backoff.delay(attempt),
                Duration::from_secs(seconds),
                "attempt {attempt}"
            );
        }
    }
}
