//! A timeout after the provider committed the charge: the client retries with the same
//! idempotency key and exactly one charge exists, in the same process and after the client
//! is dropped and rebuilt from its journal.
//!
//! Every flow here needs the sandbox's fault injection and ledger, so on Stripe's test mode
//! each reports itself skipped.

use std::time::Duration;

use payforge::Currency;
use payforge::journal::{EntryState, LogicalKey, MemoryJournal, SqliteJournal};
use payforge::retry::RetryPolicy;
use payforge_stripe::{CreatePaymentIntent, PaymentIntentStatus};
use payforge_tests::flow_tests;
use payforge_tests::flows::{FlowEnv, SandboxAdmin, TestResult};
use serde_json::json;

flow_tests!(
    a_lost_answer_is_retried_into_exactly_one_charge,
    a_restarted_client_resolves_an_unknown_outcome_from_its_journal,
);

const WHY: &str = "it injects faults and reads the ledger";

/// The payment every flow here makes: $42.00 on a test Visa, confirmed at creation.
fn order_payment() -> CreatePaymentIntent {
    CreatePaymentIntent::new(4_200, Currency::Usd)
        .payment_method_types(vec!["card".to_owned()])
        .payment_method("pm_card_visa")
        .confirm(true)
}

/// Patient retries: the first, slow attempt may still hold the key (409) for a while.
fn patient_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 10,
        max_elapsed: Duration::from_secs(20),
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
    }
}

/// Asserts the ledger holds exactly one payment intent with one succeeded charge of $42.
async fn assert_one_charge(admin: &SandboxAdmin, payment_intent: &str) -> TestResult {
    let ledger = admin.ledger().await?;
    assert_eq!(
        ledger.payment_intents.len(),
        1,
        "one intent: {:?}",
        ledger.payment_intents
    );
    let charges = ledger.charges_of(payment_intent);
    assert_eq!(charges.len(), 1, "one charge: {charges:?}");
    assert_eq!(
        (charges[0].status.as_str(), charges[0].captured),
        ("succeeded", 4_200)
    );
    Ok(())
}

async fn a_lost_answer_is_retried_into_exactly_one_charge(env: &FlowEnv) -> TestResult {
    let Some(admin) = env.sandbox_admin(WHY) else {
        return Ok(());
    };
    let faults = [
        (
            "the connection dropped after the commit",
            json!({"kind": "drop_after"}),
        ),
        (
            "an answer slower than the client's timeout",
            json!({"kind": "latency", "latency_ms": 1_500}),
        ),
    ];
    for (case, fault) in faults {
        admin.reset().await?;
        let mut rule = fault;
        rule["method"] = json!("POST");
        rule["path"] = json!("/v1/payment_intents");
        rule["count"] = json!(1);
        admin.add_fault(rule).await?;
        let client = env
            .sandbox_client_with(
                MemoryJournal::new(),
                Duration::from_millis(400),
                patient_retries(),
            )
            .await?;
        let intent = client
            .send_with_key(order_payment(), env.logical_key("order-1/charge")?)
            .await
            .map_err(|e| format!("{case}: {e}"))?;
        assert_eq!(intent.status, PaymentIntentStatus::Succeeded, "{case}");
        let fired: u64 = admin
            .faults()
            .await?
            .iter()
            .filter_map(|r| r["fired"].as_u64())
            .sum();
        assert_eq!(fired, 1, "{case}: the fault fired");
        assert_one_charge(admin, &intent.id)
            .await
            .map_err(|e| format!("{case}: {e}"))?;
    }
    Ok(())
}

async fn a_restarted_client_resolves_an_unknown_outcome_from_its_journal(
    env: &FlowEnv,
) -> TestResult {
    let Some(admin) = env.sandbox_admin(WHY) else {
        return Ok(());
    };
    let directory = tempfile::tempdir()?;
    let journal_path = directory.path().join("journal.sqlite");
    let key = env.logical_key("order-7/charge")?;
    admin
        .add_fault(json!({"method": "POST", "path": "/v1/payment_intents", "kind": "drop_after", "count": 1}))
        .await?;

    // The first process: one attempt, whose answer is lost after the sandbox charged.
    let first = env
        .sandbox_client_with(
            SqliteJournal::open(&journal_path).await?,
            Duration::from_secs(5),
            RetryPolicy::never(),
        )
        .await?;
    match first.send_with_key(order_payment(), key.clone()).await {
        Err(payforge::Error::OutcomeUnknown {
            logical_key,
            idempotency_key,
            ..
        }) => {
            assert_eq!(logical_key.as_ref(), Some(&key));
            assert!(
                idempotency_key.is_some(),
                "the unknown outcome names its key"
            );
        }
        other => return Err(format!("expected an unknown outcome, got {other:?}").into()),
    }
    drop(first);

    // The restarted process: the journal lists the call to re-drive under its logical key.
    let second = env
        .sandbox_client_with(
            SqliteJournal::open(&journal_path).await?,
            Duration::from_secs(5),
            patient_retries(),
        )
        .await?;
    let report = second.recover().await?;
    assert!(report.reconcile.is_empty());
    let pending: Vec<(&LogicalKey, EntryState)> = report
        .redrive
        .iter()
        .map(|e| (&e.logical_key, e.state))
        .collect();
    assert_eq!(pending, [(&key, EntryState::OutcomeUnknown)]);
    let intent = second.send_with_key(order_payment(), key.clone()).await?;
    assert_eq!(intent.status, PaymentIntentStatus::Succeeded);
    assert_one_charge(admin, &intent.id).await?;

    // Once resolved, the call replays from the journal: no request reaches the provider.
    admin
        .add_fault(json!({"path": "/v1/*", "kind": "error", "count": 1}))
        .await?;
    let replayed = second.send_with_key(order_payment(), key).await?;
    assert_eq!(replayed.id, intent.id);
    assert!(second.recover().await?.redrive.is_empty());
    let error_rule_fired = admin
        .faults()
        .await?
        .iter()
        .any(|r| r["kind"] == "error" && r["fired"] != 0);
    assert!(!error_rule_fired, "the replay sent no request");
    assert_one_charge(admin, &intent.id).await
}
