//! Idempotency as the application relies on it: one key per logical call, written before
//! the request leaves, re-sent on every retry and after a restart, never two charges.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::*;
use payforge::journal::{
    Begin, EntryState, Fingerprint, IdempotencyJournal, IdempotencyKey, LogicalKey, MemoryJournal,
    NewEntry, SqliteJournal, UnixMillis,
};
use payforge::retry::RetryPolicy;
use payforge::{Endpoint, Error};

fn keys_seen(server: &FakeProvider) -> Vec<Option<String>> {
    server
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect()
}

#[tokio::test]
async fn every_retry_of_a_call_sends_the_same_key_and_charges_once() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = client(&server, &key, journal.clone()).await?;
    server.queue([
        Fault::error(500, "api_error", ""),
        Fault::DropAfterProcessing,
    ]);

    let charge = client
        .send_with_key(CreateCharge::new(2000), LogicalKey::new("order-1/charge")?)
        .await?;

    let keys = keys_seen(&server);
    assert_eq!(
        keys.len(),
        3,
        "500, dropped connection, then the replayed success"
    );
    assert!(
        keys[0].is_some() && keys.iter().all(|k| *k == keys[0]),
        "{keys:?}"
    );
    assert_eq!(server.charges(), vec![charge.id.clone()], "one effect");
    let entry = journal
        .get("testpay".to_owned(), LogicalKey::new("order-1/charge")?)
        .await?;
    assert_eq!(entry.map(|e| e.state), Some(EntryState::Succeeded));
    Ok(())
}

#[tokio::test]
async fn a_restart_re_drives_the_call_with_its_journaled_key() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (dir, key) = key_file(KEY_A)?;
    let journal_path = dir.path().join("journal.sqlite");
    let logical = LogicalKey::new("order-7/charge")?;

    // The first process sends, the connection drops after the provider ran the charge, and
    // the process dies before it can retry.
    server.queue([Fault::DropAfterProcessing]);
    let outcome = send_once(&server, &key, &journal_path, &logical).await;
    let Err(Error::OutcomeUnknown {
        idempotency_key: Some(sent_key),
        ..
    }) = outcome
    else {
        return Err(format!("expected an unknown outcome, got {outcome:?}").into());
    };

    // The next process finds the call unresolved and sends it again under the same name.
    let journal = SqliteJournal::open(&journal_path).await?;
    let second = client(&server, &key, Arc::new(journal)).await?;
    let report = second.recover().await?;
    assert_eq!(report.redrive.len(), 1);
    assert_eq!(report.redrive[0].logical_key, logical);
    assert!(report.reconcile.is_empty());
    let charge = second
        .send_with_key(CreateCharge::new(2000), logical.clone())
        .await?;

    assert_eq!(keys_seen(&server), vec![Some(sent_key.to_string()); 2]);
    assert_eq!(
        server.charges(),
        vec![charge.id.clone()],
        "the provider ran it once"
    );
    assert!(second.recover().await?.redrive.is_empty());
    // A third send replays the stored response without a request.
    let replayed = second
        .send_with_key(CreateCharge::new(2000), logical)
        .await?;
    assert_eq!(replayed, charge);
    assert_eq!(server.seen().len(), 2);
    Ok(())
}

/// Sends once, without retries, from a client of its own that is dropped afterwards.
async fn send_once(
    server: &FakeProvider,
    key: &std::path::Path,
    journal_path: &std::path::Path,
    logical: &LogicalKey,
) -> Result<Charge, Error<TestError>> {
    let journal = SqliteJournal::open(journal_path).await?;
    let client = payforge::Client::<TestProvider>::builder()
        .environment(payforge::Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .secrets(payforge::secrets::FileSecretProvider::new(key))
        .retry_policy(RetryPolicy::never())
        .journal(journal)
        .build()
        .await?;
    client
        .send_with_key(CreateCharge::new(2000), logical.clone())
        .await
}

#[tokio::test]
async fn different_parameters_under_one_logical_key_are_refused() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    let logical = LogicalKey::new("order-2/charge")?;
    client
        .send_with_key(CreateCharge::new(100), logical.clone())
        .await?;

    let second = client.send_with_key(CreateCharge::new(200), logical).await;

    assert!(
        matches!(second, Err(Error::IdempotencyConflict { .. })),
        "{second:?}"
    );
    assert_eq!(
        server.seen().len(),
        1,
        "nothing sent for the conflicting call"
    );
    assert_eq!(server.charges().len(), 1);
    Ok(())
}

#[tokio::test]
async fn calls_without_a_logical_key_are_distinct_charges() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;

    client.send(CreateCharge::new(500)).await?;
    client.send(CreateCharge::new(500)).await?;

    let keys = keys_seen(&server);
    assert_eq!(keys.len(), 2);
    assert_ne!(
        keys[0], keys[1],
        "identical parameters, two genuine charges"
    );
    assert_eq!(server.charges().len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_journal_that_cannot_be_written_stops_the_request() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (dir, key) = key_file(KEY_A)?;
    let journal = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
    let client = client(&server, &key, Arc::new(journal.clone())).await?;
    journal.close().await;

    let result = client.send(CreateCharge::new(100)).await;

    assert!(matches!(result, Err(Error::Journal(_))), "{result:?}");
    assert!(
        server.seen().is_empty(),
        "the request must not leave without its key on disk"
    );
    Ok(())
}

#[tokio::test]
async fn a_final_decline_is_stored_and_replayed() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::error(402, "card_error", "card_declined")]);
    let logical = LogicalKey::new("order-3/charge")?;

    for _ in 0..2 {
        let result = client
            .send_with_key(CreateCharge::new(100), logical.clone())
            .await;
        let Err(Error::Api {
            error: TestError::Card { code },
            ..
        }) = result
        else {
            return Err(format!("expected a decline, got {result:?}").into());
        };
        assert_eq!(code, "card_declined");
    }
    assert_eq!(
        server.seen().len(),
        1,
        "the second decline is replayed from the journal"
    );
    Ok(())
}

#[tokio::test]
async fn a_call_older_than_the_key_retention_is_reported_not_retried() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = client(&server, &key, journal.clone()).await?;
    let op = CreateCharge::new(100);
    let logical = LogicalKey::new("order-4/charge")?;
    let two_days_ago = UnixMillis::now().minus(Duration::from_secs(2 * 86_400));
    let begun = journal
        .begin(NewEntry {
            provider: "testpay".to_owned(),
            logical_key: logical.clone(),
            idempotency_key: IdempotencyKey::generate(),
            fingerprint: Fingerprint::of(&CreateCharge::METHOD, "/v1/charges", &op.encode()?),
            method: "POST".to_owned(),
            path: "/v1/charges".to_owned(),
            now: two_days_ago,
        })
        .await?;
    assert!(matches!(begun, Begin::Created(_)));

    let result = client.send_with_key(op, logical.clone()).await;

    assert!(
        matches!(result, Err(Error::ReconciliationRequired { .. })),
        "{result:?}"
    );
    assert!(server.seen().is_empty());
    let report = client.recover().await?;
    assert!(report.redrive.is_empty());
    assert_eq!(
        report
            .reconcile
            .iter()
            .map(|e| &e.logical_key)
            .collect::<Vec<_>>(),
        vec![&logical]
    );
    Ok(())
}

#[tokio::test]
async fn an_operation_whose_api_keeps_keys_longer_re_drives_an_older_call() -> TestResult {
    // Two days old: past the provider's 24 h, inside this API's own 3 days.
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = client(&server, &key, journal.clone()).await?;
    let op = LongKeptCreateCharge(CreateCharge::new(100));
    let logical = LogicalKey::new("order-5/charge")?;
    let two_days_ago = UnixMillis::now().minus(Duration::from_secs(2 * 86_400));
    let Begin::Created(created) = journal
        .begin(NewEntry {
            provider: "testpay".to_owned(),
            logical_key: logical.clone(),
            idempotency_key: IdempotencyKey::generate(),
            fingerprint: Fingerprint::of(&CreateCharge::METHOD, "/v1/charges", &op.encode()?),
            method: "POST".to_owned(),
            path: "/v1/charges".to_owned(),
            now: two_days_ago,
        })
        .await?
    else {
        return Err("the entry was not new".into());
    };

    let charge = client.send_with_key(op, logical).await?;

    assert_eq!(charge.amount, 100);
    assert_eq!(
        keys_seen(&server),
        vec![Some(created.idempotency_key.as_str().to_owned())],
        "re-sent once, with the journaled key"
    );
    Ok(())
}

#[tokio::test]
async fn a_timed_out_write_is_an_unknown_outcome_carrying_its_key() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = payforge::Client::<TestProvider>::builder()
        .environment(payforge::Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .secrets(payforge::secrets::FileSecretProvider::new(&key))
        .retry_policy(RetryPolicy::never())
        .timeout(Duration::from_millis(300))
        .journal(journal.clone())
        .build()
        .await?;
    server.queue([Fault::StallAfterProcessing(Duration::from_secs(2))]);
    let logical = LogicalKey::new("order-5/charge")?;

    let result = client
        .send_with_key(CreateCharge::new(100), logical.clone())
        .await;

    let Err(
        error @ Error::OutcomeUnknown {
            idempotency_key: Some(_),
            ..
        },
    ) = &result
    else {
        return Err(format!("expected an unknown outcome, got {result:?}").into());
    };
    assert!(error.is_retry_safe());
    let entry = journal.get("testpay".to_owned(), logical).await?;
    assert_eq!(entry.map(|e| e.state), Some(EntryState::OutcomeUnknown));
    assert_eq!(server.charges().len(), 1, "the provider did run it");
    Ok(())
}

#[tokio::test]
async fn a_write_without_a_key_is_never_replayed_after_it_may_have_arrived() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::DropAfterProcessing]);

    let result = client.send(UnkeyedCreateCharge { amount: 100 }).await;

    let Err(
        error @ Error::OutcomeUnknown {
            idempotency_key: None,
            attempts: 1,
            ..
        },
    ) = &result
    else {
        return Err(
            format!("expected an unknown outcome after one attempt, got {result:?}").into(),
        );
    };
    assert!(!error.is_retry_safe());
    assert_eq!(server.seen().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_re_driven_call_refused_before_running_keeps_its_entry() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = client(&server, &key, journal.clone()).await?;
    let op = CreateCharge::new(100);
    let logical = LogicalKey::new("order-6/charge")?;
    // An entry left `started` by a process that died: its request may have run.
    journal
        .begin(NewEntry {
            provider: "testpay".to_owned(),
            logical_key: logical.clone(),
            idempotency_key: IdempotencyKey::generate(),
            fingerprint: Fingerprint::of(&CreateCharge::METHOD, "/v1/charges", &op.encode()?),
            method: "POST".to_owned(),
            path: "/v1/charges".to_owned(),
            now: UnixMillis::now(),
        })
        .await?;
    server
        .queue([Fault::error(429, "invalid_request_error", "rate_limit")
            .with_header("retry-after", "60")]);

    let result = client.send_with_key(op, logical.clone()).await;

    assert!(
        matches!(
            result,
            Err(Error::Api {
                error: TestError::RateLimited,
                ..
            })
        ),
        "{result:?}"
    );
    let entry = journal.get("testpay".to_owned(), logical).await?;
    assert_eq!(
        entry.map(|e| e.state),
        Some(EntryState::OutcomeUnknown),
        "a 429 now says nothing about the earlier attempt, so the key must be kept"
    );
    Ok(())
}
