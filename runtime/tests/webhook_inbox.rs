//! The behaviour every `WebhookInbox` implementation shares, run against SQLite and
//! PostgreSQL alike. Times are explicit Unix milliseconds, so leases and backoff are exact.

mod webhook_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use payforge::webhook::{
    Arrival, InboxState, LeaseOutcome, StoreOutcome, WebhookInbox, unix_millis,
};
use webhook_support::{
    ADYEN_KEY, BoxError, TestResult, adyen_batch, adyen_item, charge, event_body, verified,
    verified_adyen_items, verified_charge,
};

const T0: i64 = 1_700_000_000_000;
const LEASE: Duration = Duration::from_secs(30);

fn arrival(received_at: i64) -> Arrival {
    Arrival {
        received_at,
        api_version_mismatch: false,
    }
}

async fn a_delivery_is_stored_once_per_provider_and_event<I: WebhookInbox>(
    inbox: Arc<I>,
) -> TestResult {
    let event = verified_charge("evt_once")?;
    assert_eq!(
        inbox.store(&event, arrival(T0)).await?,
        StoreOutcome::Stored
    );
    assert_eq!(
        inbox.store(&event, arrival(T0 + 1)).await?,
        StoreOutcome::Duplicate
    );
    let entry = inbox
        .entry("stripe", "evt_once")
        .await?
        .ok_or("stored event missing")?;
    assert_eq!(
        entry.received_at, T0,
        "a duplicate must not overwrite the first arrival"
    );
    assert_eq!(entry.state, InboxState::Pending);
    assert_eq!(
        &entry.body,
        event.body(),
        "the verified bytes are stored exactly"
    );
    assert_eq!(entry.event_type.as_deref(), Some("charge.succeeded"));
    Ok(())
}

async fn the_api_version_flag_is_kept<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    let event = verified_charge("evt_flagged")?;
    let flagged = Arrival {
        received_at: T0,
        api_version_mismatch: true,
    };
    inbox.store(&event, flagged).await?;
    let entry = inbox
        .entry("stripe", "evt_flagged")
        .await?
        .ok_or("stored event missing")?;
    assert!(entry.api_version_mismatch);
    Ok(())
}

async fn claims_take_the_oldest_event_and_lease_it<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    inbox
        .store(&verified_charge("evt_second")?, arrival(T0 + 10))
        .await?;
    inbox
        .store(&verified_charge("evt_first")?, arrival(T0))
        .await?;
    let first = inbox
        .claim("w1", T0 + 20, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert_eq!((first.event_id.as_str(), first.attempts), ("evt_first", 1));
    assert_eq!(first.lease_until, T0 + 20 + 30_000);
    let second = inbox
        .claim("w2", T0 + 20, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert_eq!(second.event_id, "evt_second");
    assert!(
        inbox.claim("w3", T0 + 20, LEASE).await?.is_none(),
        "leased events are not claimable"
    );
    let entry = inbox.entry("stripe", "evt_first").await?.ok_or("missing")?;
    assert_eq!(
        entry.state,
        InboxState::Processing {
            worker: "w1".into(),
            lease_until: T0 + 30_020
        }
    );
    Ok(())
}

async fn an_expired_lease_passes_to_another_worker<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    inbox
        .store(&verified_charge("evt_crash")?, arrival(T0))
        .await?;
    let crashed = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert!(inbox.claim("w2", T0 + 29_999, LEASE).await?.is_none());
    let takeover = inbox
        .claim("w2", T0 + 30_000, LEASE)
        .await?
        .ok_or("lease did not expire")?;
    assert_eq!(
        (takeover.event_id.as_str(), takeover.attempts),
        ("evt_crash", 2)
    );
    assert_ne!(takeover.lease_token, crashed.lease_token);
    assert_eq!(
        inbox.complete(&crashed, T0 + 30_001).await?,
        LeaseOutcome::LeaseLost
    );
    assert_eq!(
        inbox.complete(&takeover, T0 + 30_002).await?,
        LeaseOutcome::Applied
    );
    let entry = inbox.entry("stripe", "evt_crash").await?.ok_or("missing")?;
    assert_eq!(entry.state, InboxState::Done { at: T0 + 30_002 });
    assert!(
        inbox.claim("w3", T0 + 90_000, LEASE).await?.is_none(),
        "done events stay done"
    );
    Ok(())
}

async fn a_renewed_lease_keeps_its_event<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    inbox
        .store(&verified_charge("evt_renew")?, arrival(T0))
        .await?;
    let held = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert_eq!(
        inbox.renew(&held, T0 + 60_000).await?,
        LeaseOutcome::Applied
    );
    assert!(
        inbox.claim("w2", T0 + 45_000, LEASE).await?.is_none(),
        "the renewed lease still holds past the first expiry"
    );
    let takeover = inbox
        .claim("w2", T0 + 60_000, LEASE)
        .await?
        .ok_or("the renewed lease did not expire")?;
    assert_eq!(
        inbox.renew(&held, T0 + 120_000).await?,
        LeaseOutcome::LeaseLost,
        "a lease that passed on cannot be renewed"
    );
    assert_eq!(
        inbox.complete(&takeover, T0 + 60_001).await?,
        LeaseOutcome::Applied
    );
    assert_eq!(
        inbox.renew(&takeover, T0 + 120_000).await?,
        LeaseOutcome::LeaseLost,
        "a done event has no lease to renew"
    );
    Ok(())
}

async fn a_failed_event_waits_for_its_next_attempt<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    inbox
        .store(&verified_charge("evt_retry")?, arrival(T0))
        .await?;
    let claim = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    let outcome = inbox
        .retry_later(&claim, "ledger offline", T0 + 5_000)
        .await?;
    assert_eq!(outcome, LeaseOutcome::Applied);
    let entry = inbox.entry("stripe", "evt_retry").await?.ok_or("missing")?;
    assert_eq!(
        entry.state,
        InboxState::Failed {
            next_attempt_at: T0 + 5_000,
            last_error: "ledger offline".into()
        }
    );
    assert!(inbox.claim("w1", T0 + 4_999, LEASE).await?.is_none());
    let again = inbox
        .claim("w1", T0 + 5_000, LEASE)
        .await?
        .ok_or("not due")?;
    assert_eq!(again.attempts, 2);
    Ok(())
}

async fn dead_letters_are_listed_and_replayable<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    inbox
        .store(&verified_charge("evt_poison")?, arrival(T0))
        .await?;
    inbox
        .store(&verified_charge("evt_fine")?, arrival(T0 + 1))
        .await?;
    let claim = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    inbox
        .bury(&claim, "undecodable: bad object", T0 + 1)
        .await?;
    let dead = inbox.dead_letters(10).await?;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event_id, "evt_poison");
    assert_eq!(
        dead[0].state,
        InboxState::Dead {
            reason: "undecodable: bad object".into()
        }
    );
    assert!(
        !inbox.replay("stripe", "evt_fine", T0).await?,
        "only dead letters replay"
    );
    assert!(inbox.replay("stripe", "evt_poison", T0 + 2).await?);
    assert!(inbox.dead_letters(10).await?.is_empty());
    let replayed = inbox
        .claim("w1", T0 + 3, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert_eq!(
        (replayed.event_id.as_str(), replayed.attempts),
        ("evt_poison", 1)
    );
    Ok(())
}

async fn concurrent_workers_never_share_an_event<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    for index in 0..40 {
        inbox
            .store(
                &verified_charge(&format!("evt_{index:02}"))?,
                arrival(T0 + index),
            )
            .await?;
    }
    let mut workers = Vec::new();
    for worker in 0..4 {
        let inbox = Arc::clone(&inbox);
        workers.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(claim) = inbox.claim(&format!("w{worker}"), T0 + 100, LEASE).await? {
                claimed.push(claim.event_id);
            }
            Ok::<_, BoxError>(claimed)
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await??);
    }
    let distinct: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (40, 40),
        "every event claimed exactly once"
    );
    Ok(())
}

async fn events_of_other_providers_do_not_collide<I: WebhookInbox>(inbox: Arc<I>) -> TestResult {
    let body = event_body("evt_shared_id", "charge.succeeded", charge("ch_1", 1));
    inbox
        .store(&verified(body)?, arrival(unix_millis()))
        .await?;
    assert!(inbox.entry("adyen", "evt_shared_id").await?.is_none());
    assert!(inbox.entry("stripe", "evt_shared_id").await?.is_some());
    Ok(())
}

async fn old_done_events_are_pruned_and_dead_letters_kept<I: WebhookInbox>(
    inbox: Arc<I>,
) -> TestResult {
    for (index, event_id) in ["evt_old", "evt_recent", "evt_dead"].iter().enumerate() {
        inbox
            .store(&verified_charge(event_id)?, arrival(T0 + index as i64))
            .await?;
    }
    let old = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    inbox.complete(&old, T0 + 10).await?;
    let recent = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    inbox.complete(&recent, T0 + 1_000).await?;
    let dead = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    inbox.bury(&dead, "poison", T0 + 20).await?;
    assert_eq!(inbox.prune_done(T0 + 500).await?, 1);
    assert!(inbox.entry("stripe", "evt_old").await?.is_none());
    assert!(inbox.entry("stripe", "evt_recent").await?.is_some());
    assert_eq!(inbox.dead_letters(10).await?.len(), 1);
    Ok(())
}

async fn batch_items_are_stored_one_row_each_deduplicated_on_their_key<I: WebhookInbox>(
    inbox: Arc<I>,
) -> TestResult {
    let authorised = adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", true)?;
    let body = adyen_batch(&[
        authorised.clone(),
        adyen_item(ADYEN_KEY, "P1", "AUTHORISATION", false)?,
        authorised,
    ]);
    let mut outcomes = Vec::new();
    for _delivery in 0..2 {
        for item in verified_adyen_items(body.clone())? {
            outcomes.push(inbox.store(&item, arrival(T0)).await?);
        }
    }
    use StoreOutcome::{Duplicate, Stored};
    assert_eq!(
        outcomes,
        [Stored, Stored, Duplicate, Duplicate, Duplicate, Duplicate],
        "the same item twice in a batch, and the same batch twice, store nothing new"
    );
    let entry = inbox
        .entry("adyen", "P1:AUTHORISATION:false")
        .await?
        .ok_or("the refused item is not stored")?;
    assert_eq!(entry.event_type.as_deref(), Some("AUTHORISATION"));
    let item: serde_json::Value = serde_json::from_slice(&entry.body)?;
    assert_eq!(
        item["success"], "false",
        "the row holds the item's own bytes"
    );
    let claim = inbox
        .claim("w1", T0, LEASE)
        .await?
        .ok_or("nothing claimed")?;
    assert_eq!(claim.event_type.as_deref(), Some("AUTHORISATION"));
    Ok(())
}

macro_rules! inbox_suite {
    ($($case:ident),* $(,)?) => {
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() -> super::TestResult {
                    let (inbox, _directory) = super::webhook_support::sqlite_inbox().await?;
                    super::$case(std::sync::Arc::new(inbox)).await
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() -> super::TestResult {
                    let Some(inbox) = super::webhook_support::pg_inbox().await? else {
                        return Ok(());
                    };
                    super::$case(std::sync::Arc::clone(&inbox)).await?;
                    // Dropped only after a pass, so a failing case leaves its rows to inspect.
                    super::webhook_support::drop_pg_table(inbox.pool(), inbox.table()).await
                }
            )*
        }
    };
}

inbox_suite!(
    a_delivery_is_stored_once_per_provider_and_event,
    the_api_version_flag_is_kept,
    claims_take_the_oldest_event_and_lease_it,
    an_expired_lease_passes_to_another_worker,
    a_renewed_lease_keeps_its_event,
    a_failed_event_waits_for_its_next_attempt,
    dead_letters_are_listed_and_replayable,
    concurrent_workers_never_share_an_event,
    events_of_other_providers_do_not_collide,
    old_done_events_are_pruned_and_dead_letters_kept,
    batch_items_are_stored_one_row_each_deduplicated_on_their_key,
);
