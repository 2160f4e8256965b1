//! One call: journal the key, drive the attempts through the retry policy, record the
//! ending, and turn it into the output or the error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use tracing::Instrument;

use super::Client;
use super::decode::{BodyKind, decode_error, decode_response};
use super::transport::{Attempt, Prepared, header, retry_after, should_retry};
use crate::error::ConfigError;
use crate::journal::{
    Begin, Completion, EntryState, Fingerprint, IdempotencyKey, LogicalKey, NewEntry,
    StoredResponse, UnixMillis,
};
use crate::retry::{AttemptOutcome, Decision, Replay};
use crate::secrets::SecretKey;
use crate::{ApiError, Endpoint, Error, Provider};

/// The journaled identity of an idempotent call.
struct Ticket {
    logical_key: LogicalKey,
    idempotency_key: IdempotencyKey,
    /// Whether this call wrote the entry. A call re-driving an existing entry must assume
    /// that an earlier attempt (another process, another task) may have run, so it never
    /// abandons the entry.
    created: bool,
}

/// What the journal says to do.
enum Opened {
    Send(Ticket),
    Replay(StoredResponse),
}

/// How the attempts ended.
struct Ending {
    last: Attempt,
    attempts: u32,
    /// Whether any attempt may have been acted on without us seeing the answer.
    may_have_acted: bool,
    /// Whether the last answer is the provider's "same key still in progress"
    /// ([`Provider::IDEMPOTENCY_IN_PROGRESS`]): the budget ran out before the first request
    /// with the key finished, so its outcome is unknown and the same key re-drives it.
    still_in_progress: bool,
}

impl<P: Provider> Client<P> {
    pub(super) async fn execute<Op>(
        &self,
        op: &Op,
        logical_key: Option<LogicalKey>,
    ) -> Result<Op::Output, Error<P::Error>>
    where
        Op: Endpoint<Provider = P>,
    {
        let body = op.encode()?;
        let path = op.path();
        let ticket = if Op::IDEMPOTENT {
            let fingerprint = Fingerprint::of(&Op::METHOD, &path, &body);
            let logical_key = logical_key.unwrap_or_else(LogicalKey::generate);
            match self
                .open(
                    (logical_key, fingerprint),
                    &Op::METHOD,
                    &path,
                    key_retention::<Op>(),
                )
                .await?
            {
                Opened::Send(ticket) => Some(ticket),
                Opened::Replay(stored) => {
                    tracing::debug!(
                        path = Op::PATH_TEMPLATE,
                        status = stored.status,
                        "replaying a journaled response"
                    );
                    let status = StatusCode::from_u16(stored.status).map_err(|e| {
                        crate::journal::JournalError::Corrupt {
                            reason: format!("stored status: {e}"),
                        }
                    })?;
                    return decode_response(status, None, BodyKind::Unknown, &stored.body);
                }
            }
        } else if logical_key.is_some() {
            return Err(ConfigError::LogicalKeyOnNonIdempotent {
                path_template: Op::PATH_TEMPLATE,
            }
            .into());
        } else {
            None
        };
        if let Some(ticket) = &ticket {
            self.check_key_length(ticket).await?;
        }
        let read_only = matches!(
            Op::METHOD,
            Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
        );
        let replay = if ticket.is_some() || read_only {
            Replay::Safe
        } else {
            Replay::Unsafe
        };
        let prepared = Prepared {
            method: Op::METHOD,
            url: format!("{}{}", self.inner.routes.base_for(Op::SERVER), path),
            body,
            idempotency_key: ticket.as_ref().map(|t| t.idempotency_key.clone()),
            headers: op.headers(),
        };
        let ran_before = ticket.as_ref().is_some_and(|t| !t.created);
        let ending = self
            .drive(&prepared, Op::PATH_TEMPLATE, replay, ran_before)
            .await;
        if let Some(ticket) = &ticket {
            self.settle(ticket, &ending).await;
        }
        conclude::<_, P>(ending, ticket, read_only)
    }

    /// Writes the key (or finds the earlier one) before anything is sent.
    async fn open(
        &self,
        (logical_key, fingerprint): (LogicalKey, Fingerprint),
        method: &Method,
        path: &str,
        retention: Duration,
    ) -> Result<Opened, Error<P::Error>> {
        let now = UnixMillis::now();
        let entry = NewEntry {
            provider: P::NAME.to_owned(),
            logical_key,
            idempotency_key: IdempotencyKey::generate(),
            fingerprint,
            method: method.to_string(),
            path: path.to_owned(),
            now,
        };
        let wanted = entry.fingerprint.clone();
        let existing = match self.inner.journal.begin(entry).await? {
            Begin::Created(created) => {
                return Ok(Opened::Send(Ticket {
                    logical_key: created.logical_key,
                    idempotency_key: created.idempotency_key,
                    created: true,
                }));
            }
            Begin::Existing(existing) => existing,
        };
        if existing.fingerprint != wanted {
            return Err(Error::IdempotencyConflict {
                logical_key: existing.logical_key,
                idempotency_key: existing.idempotency_key,
            });
        }
        if existing.state.is_final() {
            return match existing.response {
                Some(stored) => Ok(Opened::Replay(stored)),
                None => Err(crate::journal::JournalError::Corrupt {
                    reason: format!("finished entry `{}` has no response", existing.logical_key),
                }
                .into()),
            };
        }
        if existing.created_at < now.minus(retention) {
            return Err(Error::ReconciliationRequired {
                logical_key: existing.logical_key,
                idempotency_key: existing.idempotency_key,
            });
        }
        tracing::info!(
            logical_key = %existing.logical_key,
            idempotency_key = %existing.idempotency_key,
            "re-driving an unresolved call with its journaled key"
        );
        Ok(Opened::Send(Ticket {
            logical_key: existing.logical_key,
            idempotency_key: existing.idempotency_key,
            created: false,
        }))
    }

    /// Refuses, before anything is sent, a key longer than the provider accepts (one
    /// journaled under another provider's limits, or written by hand).
    async fn check_key_length(&self, ticket: &Ticket) -> Result<(), ConfigError> {
        let len = ticket.idempotency_key.as_str().chars().count();
        if len <= P::IDEMPOTENCY_KEY_MAX_LEN {
            return Ok(());
        }
        if ticket.created {
            // Nothing was sent: the entry this call wrote says nothing.
            let abandoned = self
                .inner
                .journal
                .abandon(
                    P::NAME.to_owned(),
                    ticket.logical_key.clone(),
                    ticket.idempotency_key.clone(),
                )
                .await;
            if let Err(error) = abandoned {
                tracing::warn!(%error, "cannot remove the journal entry of an unsent call");
            }
        }
        Err(ConfigError::IdempotencyKeyTooLong {
            idempotency_key: ticket.idempotency_key.clone(),
            len,
            max: P::IDEMPOTENCY_KEY_MAX_LEN,
        })
    }

    /// Sends attempts until one succeeds or the policy gives up.
    async fn drive(
        &self,
        prepared: &Prepared,
        path_template: &'static str,
        replay: Replay,
        ran_before: bool,
    ) -> Ending {
        let started = Instant::now();
        let mut key = self.inner.keys.current().await;
        let (mut attempt, mut rotated, mut may_have_acted) = (0, false, ran_before);
        let mut credential = match self.wire_credential(&key).await {
            Ok(credential) => credential,
            Err(error) => return ending::<P>(Attempt::TokenFailed(error), 0, may_have_acted),
        };
        loop {
            attempt += 1;
            let result = self
                .attempt(prepared, path_template, &credential, attempt)
                .await;
            let outcome = match &result {
                Attempt::Response { status, .. } if status.is_success() => None,
                Attempt::Response { status, .. }
                    if *status == StatusCode::UNAUTHORIZED && !rotated =>
                {
                    rotated = true;
                    match self.after_unauthorized(&key, &credential).await {
                        Ok(Some((next_key, next_credential))) => {
                            (key, credential) = (next_key, next_credential);
                            continue;
                        }
                        Ok(None) => Some(self.classify(&result)),
                        Err(error) => {
                            let failed = Attempt::TokenFailed(error);
                            return ending::<P>(failed, attempt, may_have_acted);
                        }
                    }
                }
                Attempt::Unsendable(_) | Attempt::TokenFailed(_) => None,
                _ => Some(self.classify(&result)),
            };
            let Some(outcome) = outcome else {
                return ending::<P>(result, attempt, may_have_acted);
            };
            may_have_acted |= match outcome {
                AttemptOutcome::NoResponse => true,
                AttemptOutcome::Response { status, .. } => {
                    status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
                }
                AttemptOutcome::ConnectFailed => false,
            };
            let jitter = rand::random::<f64>();
            match self
                .inner
                .retry
                .decide(outcome, replay, attempt, started.elapsed(), jitter)
            {
                Decision::Retry { after } => {
                    tracing::info!(
                        path = path_template,
                        attempt,
                        wait_ms = after.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(after).await;
                }
                Decision::GiveUp(reason) => {
                    tracing::debug!(path = path_template, attempt, ?reason, "giving up");
                    return ending::<P>(result, attempt, may_have_acted);
                }
            }
        }
    }

    /// What a request carries for `key`: the key itself, or under OAuth2 the access token
    /// obtained with it (cached).
    async fn wire_credential(
        &self,
        key: &Arc<SecretKey>,
    ) -> Result<Arc<SecretKey>, crate::oauth::TokenError> {
        match &self.inner.tokens {
            None => Ok(Arc::clone(key)),
            Some(tokens) => tokens.bearer(&self.inner.http, key).await,
        }
    }

    /// After a 401 for `sent` (obtained from `key`): the key and credential to retry with
    /// once, or `None` when nothing changed. Under OAuth2 the token is forgotten and a new
    /// one obtained, with the source's current pair if it was rotated meanwhile.
    async fn after_unauthorized(
        &self,
        key: &Arc<SecretKey>,
        sent: &Arc<SecretKey>,
    ) -> Result<Option<(Arc<SecretKey>, Arc<SecretKey>)>, crate::oauth::TokenError> {
        let Some(tokens) = &self.inner.tokens else {
            let replacement = self.replacement_key(key).await;
            return Ok(replacement.map(|key| (Arc::clone(&key), key)));
        };
        tokens.invalidate(sent);
        let key = self
            .replacement_key(key)
            .await
            .unwrap_or_else(|| Arc::clone(key));
        let token = tokens.bearer(&self.inner.http, &key).await?;
        Ok(Some((key, token)))
    }

    /// One attempt, in its own span.
    async fn attempt(
        &self,
        prepared: &Prepared,
        path_template: &'static str,
        key: &SecretKey,
        attempt: u32,
    ) -> Attempt {
        let span = tracing::info_span!(
            "payforge.request",
            provider = P::NAME,
            method = %prepared.method,
            path = path_template,
            attempt,
            idempotency_key = prepared.idempotency_key.as_ref().map(IdempotencyKey::as_str),
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = prepared
            .send::<P>(&self.inner.http, key)
            .instrument(span.clone())
            .await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        span.record("latency_ms", latency_ms);
        let _entered = span.enter();
        match &result {
            Attempt::Response {
                status, headers, ..
            } => {
                span.record("status", status.as_u16());
                if let Some(request_id) = header(headers, P::REQUEST_ID_HEADER) {
                    span.record("request_id", request_id);
                }
                tracing::info!(status = status.as_u16(), latency_ms, "response");
            }
            Attempt::ConnectFailed(message) => {
                tracing::warn!(%message, latency_ms, "connection failed")
            }
            Attempt::NoResponse(message) => tracing::warn!(%message, latency_ms, "no response"),
            Attempt::Unsendable(message) => tracing::error!(%message, "request cannot be built"),
            Attempt::TokenFailed(error) => tracing::warn!(%error, "no access token"),
        }
        result
    }

    /// The retry policy's view of a failed attempt.
    fn classify(&self, result: &Attempt) -> AttemptOutcome {
        match result {
            Attempt::Response {
                status,
                headers,
                body,
            } => AttemptOutcome::Response {
                status: *status,
                should_retry: should_retry::<P>(headers),
                retry_after: retry_after(headers),
                class: P::Error::from_response(*status, body).map(|error| error.class()),
                in_progress: is_in_progress::<P>(*status, body),
            },
            Attempt::ConnectFailed(_) | Attempt::Unsendable(_) | Attempt::TokenFailed(_) => {
                AttemptOutcome::ConnectFailed
            }
            Attempt::NoResponse(_) => AttemptOutcome::NoResponse,
        }
    }

    /// After a 401: a different key from the source, if it has one.
    async fn replacement_key(&self, rejected: &Arc<SecretKey>) -> Option<Arc<SecretKey>> {
        match self.inner.keys.replacement_for(rejected).await {
            Ok(replacement) => replacement,
            Err(error) => {
                tracing::warn!(%error, "the provider rejected the key and no usable replacement is available");
                None
            }
        }
    }

    /// Records how an idempotent call ended. A journal failure here is logged, not
    /// returned: the provider's answer stands, and the entry stays unresolved, so the next
    /// call under the same logical key re-drives it with the same key.
    async fn settle(&self, ticket: &Ticket, ending: &Ending) {
        let journal = &self.inner.journal;
        let written = match settlement(ending) {
            Settlement::Abandon => {
                journal
                    .abandon(
                        P::NAME.to_owned(),
                        ticket.logical_key.clone(),
                        ticket.idempotency_key.clone(),
                    )
                    .await
            }
            Settlement::Finish(state, response) => {
                let completion = Completion {
                    provider: P::NAME.to_owned(),
                    logical_key: ticket.logical_key.clone(),
                    idempotency_key: ticket.idempotency_key.clone(),
                    state,
                    response,
                    now: UnixMillis::now(),
                };
                journal.finish(completion).await
            }
        };
        if let Err(error) = written {
            tracing::warn!(%error, logical_key = %ticket.logical_key, "cannot record the call's outcome in the journal");
        }
    }
}

fn ending<P: Provider>(last: Attempt, attempts: u32, may_have_acted: bool) -> Ending {
    let still_in_progress = matches!(
        &last,
        Attempt::Response { status, body, .. } if is_in_progress::<P>(*status, body)
    );
    Ending {
        last,
        attempts,
        may_have_acted,
        still_in_progress,
    }
}

enum Settlement {
    Abandon,
    Finish(EntryState, Option<StoredResponse>),
}

/// What the journal records for an ending. Refusals the provider gives before running a
/// request (401, 403, 409, 429) and failures to connect leave nothing to remember, unless an
/// earlier attempt may have run.
fn settlement(ending: &Ending) -> Settlement {
    let unknown_or_abandon = if ending.may_have_acted {
        Settlement::Finish(EntryState::OutcomeUnknown, None)
    } else {
        Settlement::Abandon
    };
    if ending.still_in_progress {
        return Settlement::Finish(EntryState::OutcomeUnknown, None);
    }
    let (status, body) = match &ending.last {
        Attempt::Response { status, body, .. } => (*status, body),
        Attempt::NoResponse(_) => {
            return Settlement::Finish(EntryState::OutcomeUnknown, None);
        }
        Attempt::ConnectFailed(_) | Attempt::Unsendable(_) | Attempt::TokenFailed(_) => {
            return unknown_or_abandon;
        }
    };
    let stored = || {
        Some(StoredResponse {
            status: status.as_u16(),
            body: body.to_vec(),
        })
    };
    match status.as_u16() {
        200..=299 => Settlement::Finish(EntryState::Succeeded, stored()),
        401 | 403 | 409 | 429 => unknown_or_abandon,
        // A 408 (a server or proxy gave up waiting) may have run the request, as a 5xx may.
        408 | 500..=599 => Settlement::Finish(EntryState::OutcomeUnknown, None),
        _ => Settlement::Finish(EntryState::FailedPermanently, stored()),
    }
}

/// Whether a response is the provider's "same key still in progress" answer.
fn is_in_progress<P: Provider>(status: StatusCode, body: &[u8]) -> bool {
    P::IDEMPOTENCY_IN_PROGRESS.is_some_and(|signal| signal.matches(status, body))
}

/// The caller's result.
fn conclude<T, P>(
    ending: Ending,
    ticket: Option<Ticket>,
    read_only: bool,
) -> Result<T, Error<P::Error>>
where
    T: serde::de::DeserializeOwned,
    P: Provider,
{
    let attempts = ending.attempts;
    let keyed = ticket.is_some();
    let outcome_unknown = |message: String| {
        tracing::warn!(
            idempotency_key = ticket.as_ref().map(|t| t.idempotency_key.as_str()),
            attempts,
            "the outcome of the request is unknown"
        );
        let (idempotency_key, logical_key) = match ticket {
            Some(t) => (Some(t.idempotency_key), Some(t.logical_key)),
            None => (None, None),
        };
        Error::OutcomeUnknown {
            idempotency_key,
            logical_key,
            attempts,
            message,
        }
    };
    match ending.last {
        Attempt::Response {
            status,
            headers,
            body,
        } => {
            let request_id = header(&headers, P::REQUEST_ID_HEADER);
            if status.is_success() {
                let kind = BodyKind::from_content_type(header(
                    &headers,
                    http::header::CONTENT_TYPE.as_str(),
                ));
                decode_response(status, request_id, kind, &body)
            } else if keyed && ending.still_in_progress {
                // The first request with this key had not finished when the budget ran
                // out: whether it acted is unknown, and the same key re-drives it.
                Err(outcome_unknown(format!(
                    "HTTP {status}: the provider is still processing the request with this key"
                )))
            } else {
                Err(decode_error(status, request_id, &body))
            }
        }
        Attempt::Unsendable(message) => Err(ConfigError::Unsendable { message }.into()),
        Attempt::TokenFailed(error) => Err(Error::Token(error)),
        Attempt::ConnectFailed(message) if read_only || !ending.may_have_acted => {
            Err(Error::Connect { attempts, message })
        }
        Attempt::NoResponse(message) if read_only => Err(Error::Timeout { attempts, message }),
        Attempt::ConnectFailed(message) | Attempt::NoResponse(message) => {
            Err(outcome_unknown(message))
        }
    }
}

/// How long the provider keeps `Op`'s idempotency key: the operation's own retention when its
/// API keeps keys for a time of its own (PayPal: Orders 6 h, Payments 45 days), else the
/// provider's.
fn key_retention<Op: Endpoint>() -> Duration {
    Duration::from_secs(
        Op::IDEMPOTENCY_RETENTION_SECS
            .unwrap_or(<Op::Provider as Provider>::IDEMPOTENCY_RETENTION_SECS),
    )
}
