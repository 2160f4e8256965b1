//! Workers: typed decoding, retries with backoff, dead letters and replay.

mod webhook_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use payforge::webhook::{
    Arrival, Backoff, Event, HandlerError, InboxState, Processed, RawObject, SqliteInbox, Verified,
    WebhookInbox, Worker, WorkerConfig, unix_millis,
};
use webhook_support::{Charge, TestObject, TestResult, charge, event_body, verified};

fn config(max_attempts: u32, backoff: Duration) -> WorkerConfig {
    WorkerConfig {
        worker_id: "test-worker".into(),
        lease: Duration::from_secs(30),
        max_attempts,
        backoff: Backoff {
            initial: backoff,
            max: backoff,
        },
        idle_wait: Duration::from_millis(10),
    }
}

async fn inbox_with(
    events: &[(&str, &str, serde_json::Value)],
) -> Result<(Arc<SqliteInbox>, tempfile::TempDir), webhook_support::BoxError> {
    let (inbox, directory) = webhook_support::sqlite_inbox().await?;
    for (id, event_type, object) in events {
        let arrival = Arrival {
            received_at: unix_millis(),
            api_version_mismatch: false,
        };
        inbox
            .store(
                &verified(event_body(id, event_type, object.clone()))?,
                arrival,
            )
            .await?;
    }
    Ok((Arc::new(inbox), directory))
}

type Seen = Arc<Mutex<Vec<Event<TestObject>>>>;

fn recording_handler(
    seen: Seen,
) -> impl Fn(Verified<Event<TestObject>>) -> std::future::Ready<Result<(), HandlerError>>
+ Send
+ Sync
+ 'static {
    move |event| {
        seen.lock()
            .map(|mut seen| seen.push(event.into_inner()))
            .ok();
        std::future::ready(Ok(()))
    }
}

#[tokio::test]
async fn the_handler_receives_typed_verified_events() -> TestResult {
    let (inbox, _dir) = inbox_with(&[
        ("evt_paid", "charge.succeeded", charge("ch_1", 2_000)),
        (
            "evt_new_type",
            "issuing_card.created",
            serde_json::json!({ "id": "ic_1" }),
        ),
    ])
    .await?;
    let seen = Seen::default();
    let worker = Worker::new(
        Arc::clone(&inbox),
        recording_handler(Arc::clone(&seen)),
        config(3, Duration::ZERO),
    );
    assert_eq!(
        worker.process_one().await?,
        Processed::Completed {
            event_id: "evt_paid".into()
        }
    );
    assert_eq!(
        worker.process_one().await?,
        Processed::Completed {
            event_id: "evt_new_type".into()
        }
    );
    assert_eq!(worker.process_one().await?, Processed::Idle);
    let seen = seen.lock().map_err(|_| "poisoned")?.clone();
    let objects: Vec<_> = seen.iter().map(|event| event.data.object.clone()).collect();
    assert_eq!(
        objects,
        vec![
            TestObject::ChargeSucceeded(Charge {
                id: "ch_1".into(),
                amount: 2_000,
                currency: "usd".into()
            }),
            TestObject::Unknown {
                event_type: "issuing_card.created".into(),
                object: serde_json::json!({ "id": "ic_1" })
            },
        ]
    );
    assert_eq!(
        (seen[0].id.as_str(), seen[0].created, seen[0].livemode),
        ("evt_paid", 1_700_000_000, false)
    );
    let entry = inbox.entry("stripe", "evt_paid").await?.ok_or("missing")?;
    assert!(matches!(entry.state, InboxState::Done { .. }));
    Ok(())
}

#[tokio::test]
async fn an_undecodable_event_is_parked_with_its_reason_and_replays_after_an_upgrade() -> TestResult
{
    let mismatched = serde_json::json!({ "id": "ch_1", "amount": "twenty", "currency": "usd" });
    let (inbox, _dir) = inbox_with(&[("evt_mismatch", "charge.succeeded", mismatched)]).await?;
    let seen = Seen::default();
    let worker = Worker::new(
        Arc::clone(&inbox),
        recording_handler(Arc::clone(&seen)),
        config(3, Duration::ZERO),
    );
    let Processed::DeadLettered { event_id, reason } = worker.process_one().await? else {
        return Err("an undecodable event must be dead-lettered".into());
    };
    assert_eq!(event_id, "evt_mismatch");
    let expected = "undecodable: the `data.object` of a `charge.succeeded` event does not decode: invalid type";
    assert!(reason.starts_with(expected), "{reason}");
    assert!(
        seen.lock().map_err(|_| "poisoned")?.is_empty(),
        "the handler never sees it"
    );
    assert_eq!(inbox.dead_letters(10).await?.len(), 1);

    // An "upgraded SDK" (here: untyped objects) decodes it after a replay.
    assert!(
        inbox
            .replay("stripe", "evt_mismatch", unix_millis())
            .await?
    );
    let upgraded = Worker::new(
        Arc::clone(&inbox),
        |_: Verified<Event<RawObject>>| async { Ok(()) },
        config(3, Duration::ZERO),
    );
    assert_eq!(
        upgraded.process_one().await?,
        Processed::Completed {
            event_id: "evt_mismatch".into()
        }
    );
    Ok(())
}

#[tokio::test]
async fn a_failing_handler_is_retried_then_dead_lettered() -> TestResult {
    let (inbox, _dir) = inbox_with(&[("evt_flaky", "charge.succeeded", charge("ch_1", 1))]).await?;
    let failing = |_: Verified<Event<TestObject>>| async {
        Err(HandlerError::Retry("ledger offline".into()))
    };
    let worker = Worker::new(Arc::clone(&inbox), failing, config(3, Duration::ZERO));
    for attempt in 1..=2 {
        let outcome = worker.process_one().await?;
        assert!(
            matches!(outcome, Processed::RetryScheduled { attempts, .. } if attempts == attempt),
            "{outcome:?}"
        );
    }
    let outcome = worker.process_one().await?;
    let Processed::DeadLettered { reason, .. } = outcome else {
        return Err(format!("expected a dead letter, got {outcome:?}").into());
    };
    assert_eq!(
        reason,
        "gave up after 3 attempts: retryable handler failure: ledger offline"
    );
    let entry = inbox.entry("stripe", "evt_flaky").await?.ok_or("missing")?;
    assert_eq!(entry.attempts, 3);
    Ok(())
}

#[tokio::test]
async fn a_retry_waits_for_its_backoff() -> TestResult {
    let (inbox, _dir) = inbox_with(&[("evt_later", "charge.succeeded", charge("ch_1", 1))]).await?;
    let failing =
        |_: Verified<Event<TestObject>>| async { Err(HandlerError::Retry("busy".into())) };
    let worker = Worker::new(
        Arc::clone(&inbox),
        failing,
        config(5, Duration::from_secs(3_600)),
    );
    let before = unix_millis();
    let Processed::RetryScheduled {
        next_attempt_at, ..
    } = worker.process_one().await?
    else {
        return Err("expected a scheduled retry".into());
    };
    assert!(next_attempt_at >= before + 3_600_000);
    assert_eq!(worker.process_one().await?, Processed::Idle, "not due yet");
    Ok(())
}

#[tokio::test]
async fn a_permanent_failure_is_dead_lettered_at_once() -> TestResult {
    let (inbox, _dir) = inbox_with(&[("evt_bad", "charge.refunded", charge("ch_1", 1))]).await?;
    let refusing = |_: Verified<Event<TestObject>>| async {
        Err(HandlerError::Permanent("unknown customer".into()))
    };
    let worker = Worker::new(Arc::clone(&inbox), refusing, config(5, Duration::ZERO));
    assert_eq!(
        worker.process_one().await?,
        Processed::DeadLettered {
            event_id: "evt_bad".into(),
            reason: "permanent handler failure: unknown customer".into()
        }
    );
    Ok(())
}

#[tokio::test]
async fn a_running_worker_drains_the_inbox_and_stops_on_shutdown() -> TestResult {
    let events: Vec<_> = (0..5)
        .map(|i| (format!("evt_run_{i}"), charge("ch_1", i)))
        .collect();
    let refs: Vec<_> = events
        .iter()
        .map(|(id, object)| (id.as_str(), "charge.succeeded", object.clone()))
        .collect();
    let (inbox, _dir) = inbox_with(&refs).await?;
    let seen = Seen::default();
    let worker = Arc::new(Worker::new(
        Arc::clone(&inbox),
        recording_handler(Arc::clone(&seen)),
        config(3, Duration::ZERO),
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn({
        let worker = Arc::clone(&worker);
        async move { worker.run(async { stopped.await.unwrap_or(()) }).await }
    });
    for _ in 0..500 {
        if seen.lock().map_err(|_| "poisoned")?.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).map_err(|()| "worker already stopped")?;
    running.await?;
    assert_eq!(seen.lock().map_err(|_| "poisoned")?.len(), 5);
    Ok(())
}

#[tokio::test]
async fn shutdown_lets_the_event_in_hand_finish() -> TestResult {
    let (inbox, _dir) =
        inbox_with(&[("evt_in_hand", "charge.succeeded", charge("ch_1", 1))]).await?;
    let (entered_tx, entered) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let gates = Arc::new(Mutex::new((Some(entered_tx), Some(released))));
    let handler = move |_: Verified<Event<TestObject>>| {
        let gates = Arc::clone(&gates);
        async move {
            let (entered, released) = match gates.lock() {
                Ok(mut gates) => (gates.0.take(), gates.1.take()),
                Err(_) => (None, None),
            };
            if let (Some(entered), Some(released)) = (entered, released) {
                let _ = entered.send(());
                let _ = released.await;
            }
            Ok(())
        }
    };
    let worker = Arc::new(Worker::new(
        Arc::clone(&inbox),
        handler,
        config(3, Duration::ZERO),
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn({
        let worker = Arc::clone(&worker);
        async move { worker.run(async { stopped.await.unwrap_or(()) }).await }
    });
    entered.await?;
    stop.send(()).map_err(|()| "worker already stopped")?;
    release.send(()).map_err(|()| "handler gone")?;
    running.await?;
    let entry = inbox
        .entry("stripe", "evt_in_hand")
        .await?
        .ok_or("missing")?;
    assert!(
        matches!(entry.state, InboxState::Done { .. }),
        "{:?}",
        entry.state
    );
    Ok(())
}

#[tokio::test]
async fn a_handler_slower_than_its_lease_keeps_its_event() -> TestResult {
    let (inbox, _dir) = inbox_with(&[("evt_slow", "charge.succeeded", charge("ch_1", 1))]).await?;
    let runs = Arc::new(Mutex::new(Vec::<String>::new()));
    let slow_handler = |name: &'static str, runs: Arc<Mutex<Vec<String>>>| {
        move |event: Verified<Event<TestObject>>| {
            let runs = Arc::clone(&runs);
            async move {
                if let Ok(mut runs) = runs.lock() {
                    runs.push(format!("{name}:{}", event.id));
                }
                // Over two and a half leases: without renewal the other worker takes over.
                tokio::time::sleep(Duration::from_millis(4_000)).await;
                Ok(())
            }
        }
    };
    let lease = Duration::from_millis(1_500);
    let first = Worker::new(
        Arc::clone(&inbox),
        slow_handler("first", Arc::clone(&runs)),
        WorkerConfig {
            worker_id: "first".into(),
            lease,
            ..config(3, Duration::ZERO)
        },
    );
    let second = Worker::new(
        Arc::clone(&inbox),
        slow_handler("second", Arc::clone(&runs)),
        WorkerConfig {
            worker_id: "second".into(),
            lease,
            ..config(3, Duration::ZERO)
        },
    );
    let finished = std::sync::atomic::AtomicBool::new(false);
    let slow = async {
        let outcome = first.process_one().await;
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        outcome
    };
    // The second worker polls all the while the first one's handler runs.
    let polling = async {
        let mut outcomes = Vec::new();
        while !finished.load(std::sync::atomic::Ordering::SeqCst) {
            outcomes.push(second.process_one().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        outcomes
    };
    let (slow, second_outcomes) = tokio::join!(slow, polling);
    let second_outcomes: Vec<Processed> = second_outcomes.into_iter().collect::<Result<_, _>>()?;
    assert!(
        second_outcomes.len() > 10,
        "the second worker polled throughout"
    );
    assert_eq!(
        slow?,
        Processed::Completed {
            event_id: "evt_slow".into()
        }
    );
    assert!(
        second_outcomes
            .iter()
            .all(|outcome| *outcome == Processed::Idle),
        "{second_outcomes:?}"
    );
    assert_eq!(
        *runs.lock().map_err(|_| "poisoned")?,
        vec!["first:evt_slow".to_owned()]
    );
    Ok(())
}
