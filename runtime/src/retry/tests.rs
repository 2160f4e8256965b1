use std::time::Duration;

use http::StatusCode;

use super::*;
use crate::ErrorClass;

const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    max_elapsed: Duration::from_secs(10),
    base_delay: Duration::from_millis(100),
    max_delay: Duration::from_millis(250),
};

fn response(status: u16, should_retry: Option<bool>, class: Option<ErrorClass>) -> AttemptOutcome {
    AttemptOutcome::Response {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
        should_retry,
        retry_after: None,
        class,
        in_progress: false,
    }
}

/// A response the provider's [`InProgressSignal`] recognised.
fn in_progress(status: u16, class: Option<ErrorClass>) -> AttemptOutcome {
    match response(status, None, class) {
        AttemptOutcome::Response {
            status,
            should_retry,
            retry_after,
            class,
            ..
        } => AttemptOutcome::Response {
            status,
            should_retry,
            retry_after,
            class,
            in_progress: true,
        },
        other => other,
    }
}

const RETRY: Decision = Decision::Retry {
    after: Duration::from_millis(50),
};
const FINAL: Decision = Decision::GiveUp(GiveUpReason::NotRetryable);
const UNSAFE: Decision = Decision::GiveUp(GiveUpReason::UnsafeToReplay);

#[test]
fn what_is_retried_on_the_first_attempt() {
    use ErrorClass::*;
    use Replay::{Safe, Unsafe};
    // (case, outcome, replay, decision) with jitter 0.5 on attempt 1: backoff 50 ms.
    let cases = [
        (
            "connect failure, keyed",
            AttemptOutcome::ConnectFailed,
            Safe,
            RETRY,
        ),
        (
            "connect failure never left",
            AttemptOutcome::ConnectFailed,
            Unsafe,
            RETRY,
        ),
        (
            "timeout, keyed or read",
            AttemptOutcome::NoResponse,
            Safe,
            RETRY,
        ),
        (
            "timeout, unkeyed write",
            AttemptOutcome::NoResponse,
            Unsafe,
            UNSAFE,
        ),
        ("429", response(429, None, Some(RateLimited)), Unsafe, RETRY),
        (
            "409 lock",
            response(409, None, Some(Conflict)),
            Unsafe,
            RETRY,
        ),
        (
            "409 idempotency misuse",
            response(409, None, Some(Idempotency)),
            Safe,
            FINAL,
        ),
        (
            "500 keyed",
            response(500, None, Some(ProviderFault)),
            Safe,
            RETRY,
        ),
        (
            "503 undecoded keyed",
            response(503, None, None),
            Safe,
            RETRY,
        ),
        (
            "500 unkeyed write",
            response(500, None, Some(ProviderFault)),
            Unsafe,
            UNSAFE,
        ),
        ("408 keyed or read", response(408, None, None), Safe, RETRY),
        (
            "408 with a provider fault",
            response(408, None, Some(ProviderFault)),
            Safe,
            RETRY,
        ),
        (
            "408 unkeyed write",
            response(408, None, None),
            Unsafe,
            UNSAFE,
        ),
        (
            "422 with a 4xx issue, keyed",
            response(422, None, Some(InvalidRequest)),
            Safe,
            FINAL,
        ),
        (
            "402 card decline",
            response(402, None, Some(CardDecline)),
            Safe,
            FINAL,
        ),
        (
            "400 validation",
            response(400, None, Some(InvalidRequest)),
            Safe,
            FINAL,
        ),
        (
            "401",
            response(401, None, Some(Authentication)),
            Safe,
            FINAL,
        ),
        (
            "404",
            response(404, None, Some(InvalidRequest)),
            Safe,
            FINAL,
        ),
        (
            "should-retry true on 400",
            response(400, Some(true), Some(Unknown)),
            Safe,
            RETRY,
        ),
        (
            "should-retry true on unkeyed",
            response(400, Some(true), None),
            Unsafe,
            RETRY,
        ),
        (
            "should-retry false on 500",
            response(500, Some(false), None),
            Safe,
            FINAL,
        ),
        (
            "should-retry false on 429",
            response(429, Some(false), None),
            Safe,
            FINAL,
        ),
        (
            "should-retry true on decline",
            response(402, Some(true), Some(CardDecline)),
            Safe,
            FINAL,
        ),
        (
            "should-retry true on validation",
            response(400, Some(true), Some(InvalidRequest)),
            Safe,
            FINAL,
        ),
    ];
    for (case, outcome, replay, expected) in cases {
        let decision = POLICY.decide(outcome, replay, 1, Duration::ZERO, 0.5);
        assert_eq!(decision, expected, "{case}");
    }
}

#[test]
fn backoff_doubles_with_full_jitter_up_to_the_cap() {
    let policy = RetryPolicy {
        max_attempts: 10,
        ..POLICY
    };
    // (attempt, jitter, wait): ceiling 100, 200, 250 (capped), 250 ms.
    let cases = [
        (1, 1.0, 100),
        (2, 1.0, 200),
        (3, 1.0, 250),
        (9, 1.0, 250),
        (2, 0.0, 0),
        (2, 0.25, 50),
    ];
    for (attempt, jitter, millis) in cases {
        let decision = policy.decide(
            AttemptOutcome::ConnectFailed,
            Replay::Safe,
            attempt,
            Duration::ZERO,
            jitter,
        );
        assert_eq!(
            decision,
            Decision::Retry {
                after: Duration::from_millis(millis)
            },
            "attempt {attempt}"
        );
    }
}

#[test]
fn retry_after_is_honoured_on_429() {
    let outcome = AttemptOutcome::Response {
        status: StatusCode::TOO_MANY_REQUESTS,
        should_retry: None,
        retry_after: Some(Duration::from_secs(2)),
        class: None,
        in_progress: false,
    };
    let decision = POLICY.decide(outcome, Replay::Safe, 1, Duration::ZERO, 0.9);
    assert_eq!(
        decision,
        Decision::Retry {
            after: Duration::from_secs(2)
        }
    );
    // A wait that would end after the time budget is not started.
    let late = POLICY.decide(outcome, Replay::Safe, 1, Duration::from_secs(9), 0.9);
    assert_eq!(late, Decision::GiveUp(GiveUpReason::BudgetExhausted));
}

#[test]
fn the_attempt_budget_is_final() {
    let outcome = response(503, None, None);
    assert_eq!(
        POLICY.decide(outcome, Replay::Safe, 2, Duration::ZERO, 0.5),
        Decision::Retry {
            after: Duration::from_millis(100)
        }
    );
    assert_eq!(
        POLICY.decide(outcome, Replay::Safe, 3, Duration::ZERO, 0.5),
        Decision::GiveUp(GiveUpReason::BudgetExhausted)
    );
    assert_eq!(
        RetryPolicy::never().decide(outcome, Replay::Safe, 1, Duration::ZERO, 0.5),
        Decision::GiveUp(GiveUpReason::BudgetExhausted)
    );
}

#[test]
fn retry_after_parses_seconds_only() {
    let cases = [
        ("3", Some(3)),
        (" 0 ", Some(0)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("-1", None),
        ("", None),
    ];
    for (value, seconds) in cases {
        assert_eq!(
            parse_retry_after(value),
            seconds.map(Duration::from_secs),
            "{value:?}"
        );
    }
}

#[test]
fn an_in_progress_answer_is_retried_with_the_same_key_only() {
    use ErrorClass::*;
    use Replay::{Safe, Unsafe};
    // (case, outcome, replay, decision) on attempt 1 with jitter 0.5: backoff 50 ms. The
    // client sends every retry of a keyed call with its journaled key, so `Safe` here means
    // "again, with the same key".
    let cases = [
        (
            "422 in progress, keyed",
            in_progress(422, Some(InvalidRequest)),
            Safe,
            RETRY,
        ),
        (
            "422 in progress, undecoded",
            in_progress(422, None),
            Safe,
            RETRY,
        ),
        (
            "422 in progress, unkeyed",
            in_progress(422, Some(InvalidRequest)),
            Unsafe,
            UNSAFE,
        ),
        (
            "422 validation error",
            response(422, None, Some(InvalidRequest)),
            Safe,
            FINAL,
        ),
        ("422 undecoded", response(422, None, None), Safe, FINAL),
        ("400 validation", response(400, None, None), Safe, FINAL),
        (
            "500 keyed",
            response(500, None, Some(ProviderFault)),
            Safe,
            RETRY,
        ),
        (
            "connection refused",
            AttemptOutcome::ConnectFailed,
            Safe,
            RETRY,
        ),
    ];
    for (case, outcome, replay, expected) in cases {
        let decision = POLICY.decide(outcome, replay, 1, Duration::ZERO, 0.5);
        assert_eq!(decision, expected, "{case}");
    }
    // The budget still ends a key that stays in progress.
    assert_eq!(
        POLICY.decide(in_progress(422, None), Safe, 3, Duration::ZERO, 0.5),
        Decision::GiveUp(GiveUpReason::BudgetExhausted)
    );
}

#[test]
fn the_in_progress_signal_reads_status_and_code() {
    const BY_CODE: InProgressSignal = InProgressSignal {
        statuses: &[409, 422],
        code_pointer: Some("/errorCode"),
        codes: &["704"],
    };
    const BY_STATUS: InProgressSignal = InProgressSignal {
        statuses: &[409],
        code_pointer: None,
        codes: &[],
    };
    let in_progress = br#"{"status":422,"errorCode":"704","message":"request already processed or in progress","errorType":"validation"}"#;
    // The same answer as seen in traffic, with 409.
    let in_progress_409 = br#"{"status":409,"errorCode":"704","message":"request already processed or in progress","errorType":"validation"}"#;
    let validation = br#"{"status":422,"errorCode":"100","message":"Required object 'amount' is not provided.","errorType":"validation"}"#;
    // (signal, status, body, matches)
    let cases: [(InProgressSignal, u16, &[u8], bool); 9] = [
        (BY_CODE, 422, in_progress, true),
        (BY_CODE, 409, in_progress_409, true),
        (BY_CODE, 409, b"", false),
        (BY_CODE, 422, validation, false),
        (BY_CODE, 422, br#"{"errorCode":704}"#, true),
        (BY_CODE, 500, in_progress, false),
        (BY_CODE, 422, b"not json", false),
        (BY_STATUS, 409, b"", true),
        (BY_STATUS, 422, in_progress, false),
    ];
    for (signal, status, body, expected) in cases {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        assert_eq!(
            signal.matches(status, body),
            expected,
            "{signal:?} {status} {}",
            String::from_utf8_lossy(body)
        );
    }
}
