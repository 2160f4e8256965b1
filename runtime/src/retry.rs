//! The retry policy: a pure function from what happened to what to do next.
//!
//! [`RetryPolicy::decide`] does no I/O and takes its randomness as an argument, so every
//! rule is pinned by a table test. The client feeds it the outcome of each attempt.

use std::time::Duration;

use http::StatusCode;

use crate::ErrorClass;

/// How many times, and for how long, the client retries one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most attempts per call, the first included (1 disables retries).
    pub max_attempts: u32,
    /// No retry starts once this much time has passed since the first attempt, and no wait
    /// (backoff or `Retry-After`) may end after it.
    pub max_elapsed: Duration,
    /// The backoff ceiling of the first retry; it doubles on each later retry.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts within 30 s, backoff ceilings 0.5 s, 1 s, 2 s (capped at 8 s).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(30),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The connection could not be established: the request never left.
    ConnectFailed,
    /// The request was sent (or may have been) but no complete response came back: a
    /// timeout or a dropped connection. The provider may have acted on it.
    NoResponse,
    /// An error response arrived.
    Response {
        /// Its status.
        status: StatusCode,
        /// The provider's explicit advice (`Stripe-Should-Retry: true/false`), if given.
        should_retry: Option<bool>,
        /// The `Retry-After` delay, if given.
        retry_after: Option<Duration>,
        /// The class of the decoded provider error, if the body decoded.
        class: Option<ErrorClass>,
        /// Whether this is the provider's "still in progress" answer for the idempotency key
        /// ([`InProgressSignal`]): the first request with the key has not finished.
        in_progress: bool,
    },
}

/// How a provider says that a request with the same idempotency key is still being
/// processed (Adyen: error code `704`, "request already processed or in progress", with
/// HTTP 422 as documented or 409 as seen in traffic). Such an answer is retried after a
/// backoff with the same key, never with a new one: a new key could act twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InProgressSignal {
    /// The HTTP statuses the answer may come with.
    pub statuses: &'static [u16],
    /// A JSON pointer to the error code in the body (`/errorCode`); `None` when the status
    /// alone says it.
    pub code_pointer: Option<&'static str>,
    /// The error codes that mean "in progress" at `code_pointer`.
    pub codes: &'static [&'static str],
}

impl InProgressSignal {
    /// Whether a response with `status` and `body` is this signal. Pure.
    pub fn matches(&self, status: StatusCode, body: &[u8]) -> bool {
        if !self.statuses.contains(&status.as_u16()) {
            return false;
        }
        let Some(pointer) = self.code_pointer else {
            return true;
        };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return false;
        };
        match value.pointer(pointer) {
            Some(serde_json::Value::String(code)) => self.codes.contains(&code.as_str()),
            Some(serde_json::Value::Number(code)) => {
                self.codes.contains(&code.to_string().as_str())
            }
            _ => false,
        }
    }
}

/// Whether sending the same request again cannot cause a second effect: it carries an
/// idempotency key, or it is a read (GET) or a DELETE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Replaying is safe.
    Safe,
    /// Replaying could act twice (a state-changing request without a key).
    Unsafe,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send again after waiting this long.
    Retry {
        /// The wait.
        after: Duration,
    },
    /// Stop and report the last outcome.
    GiveUp(GiveUpReason),
}

/// Why the policy stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The outcome is final: retrying cannot help (a decline, a validation error, …).
    NotRetryable,
    /// Retrying could act twice: the request has no idempotency key and may have arrived.
    UnsafeToReplay,
    /// The attempt or time budget is spent.
    BudgetExhausted,
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1-based) ended with `outcome`, `elapsed`
    /// after the first attempt started. `jitter` is a uniform random number in `[0, 1)`
    /// (full jitter: the wait is `jitter × min(max_delay, base_delay × 2^(attempt-1))`).
    pub fn decide(
        &self,
        outcome: AttemptOutcome,
        replay: Replay,
        attempt: u32,
        elapsed: Duration,
        jitter: f64,
    ) -> Decision {
        let retry_after = match retryability(outcome, replay) {
            Err(reason) => return Decision::GiveUp(reason),
            Ok(retry_after) => retry_after,
        };
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GiveUpReason::BudgetExhausted);
        }
        let after = retry_after.unwrap_or_else(|| self.backoff(attempt, jitter));
        if elapsed.saturating_add(after) > self.max_elapsed {
            return Decision::GiveUp(GiveUpReason::BudgetExhausted);
        }
        Decision::Retry { after }
    }

    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        let ceiling = self.base_delay.saturating_mul(doubling).min(self.max_delay);
        ceiling.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Whether an outcome may be retried at all, and the wait the provider asked for.
fn retryability(outcome: AttemptOutcome, replay: Replay) -> Result<Option<Duration>, GiveUpReason> {
    let (status, should_retry, retry_after, class, in_progress) = match outcome {
        // The request never left, so sending it again cannot act twice.
        AttemptOutcome::ConnectFailed => return Ok(None),
        AttemptOutcome::NoResponse => {
            return match replay {
                Replay::Safe => Ok(None),
                Replay::Unsafe => Err(GiveUpReason::UnsafeToReplay),
            };
        }
        AttemptOutcome::Response {
            status,
            should_retry,
            retry_after,
            class,
            in_progress,
        } => (status, should_retry, retry_after, class, in_progress),
    };
    // The first request with this key is still running: the same key, sent again later,
    // gets its answer. Its body may decode as a validation error, so this comes first.
    if in_progress {
        return match replay {
            Replay::Safe => Ok(retry_after),
            Replay::Unsafe => Err(GiveUpReason::UnsafeToReplay),
        };
    }
    // A decline or a validation error is final whatever any header says.
    if matches!(
        class,
        Some(ErrorClass::CardDecline | ErrorClass::InvalidRequest | ErrorClass::Idempotency)
    ) {
        return Err(GiveUpReason::NotRetryable);
    }
    match should_retry {
        Some(true) => return Ok(retry_after),
        Some(false) => return Err(GiveUpReason::NotRetryable),
        None => {}
    }
    // Rate limits and lock conflicts are answered before anything runs: safe for any request.
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::CONFLICT {
        return Ok(retry_after);
    }
    // A 408 (the server or a proxy gave up waiting) and a 5xx may have run the request, so
    // only a replay-safe request goes again.
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        return match replay {
            Replay::Safe => Ok(retry_after),
            Replay::Unsafe => Err(GiveUpReason::UnsafeToReplay),
        };
    }
    Err(GiveUpReason::NotRetryable)
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is not used by
/// payment providers and is ignored).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests;
