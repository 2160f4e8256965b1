//! The generated Adyen SDK, sent by `payforge::Client<Adyen>` to an Adyen-shaped server on
//! 127.0.0.1 (`support`): what a user of the SDK relies on, end to end. The key travels in
//! `X-API-Key`; a payment's JSON body is what Adyen expects; one `Idempotency-Key` covers
//! every retry, 704 answers and a process restart; the journal keeps a key for Adyen's 31
//! days and refuses one longer than Adyen's 64 characters before sending; a validation error
//! and a refusal are typed errors; a refusal reads through the same decline check as a
//! Stripe card error; and the live host takes the merchant's prefix.
#![cfg(feature = "payments")]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use payforge::client::{Client, ClientBuilder, Environment};
use payforge::error::EnvironmentKind;
use payforge::journal::{
    Fingerprint, IdempotencyJournal, IdempotencyKey, LogicalKey, MemoryJournal, NewEntry,
    SqliteJournal, UnixMillis,
};
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use payforge::{ApiError, ConfigError, DeclineCategory, Endpoint, Error, Provider};
use payforge_adyen::errors::{AdyenError, ErrorCode, RefusalReason};
use payforge_adyen::{
    Adyen, Amount, CreatePayment, PaymentRequestPaymentMethod, PaymentResponseResultCode,
};
use serde_json::json;
use support::{API_KEY, CheckoutServer, Fault};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The environment variable of the live prefix, from `specs/adyen/provider.toml`.
const PREFIX_ENV: &str = "ADYEN_LIVE_URL_PREFIX";

/// A key file holding the API key, in a directory removed when the guard drops.
fn key_file() -> std::io::Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("adyen-key");
    std::fs::write(&path, format!("{API_KEY}\n"))?;
    Ok((dir, path))
}

/// A builder with the key file and quick retries, so suites count attempts without waiting.
fn builder(key: &Path) -> ClientBuilder<Adyen> {
    Client::<Adyen>::builder()
        .secrets(FileSecretProvider::new(key))
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(20),
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
}

async fn local_client(
    server: &CheckoutServer,
    key: &Path,
    journal: impl IdempotencyJournal,
) -> Result<Client<Adyen>, ConfigError> {
    builder(key)
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .journal(journal)
        .build()
        .await
}

/// The card as Adyen's Drop-in hands it over: client-side encrypted fields.
fn encrypted_card() -> Result<PaymentRequestPaymentMethod, serde_json::Error> {
    serde_json::from_value(json!({
        "type": "scheme",
        "encryptedCardNumber": "test_4111111111111111",
        "encryptedExpiryMonth": "test_03",
        "encryptedExpiryYear": "test_2030",
        "encryptedSecurityCode": "test_737",
    }))
}

/// A card payment of EUR 10.00 for `reference`.
fn payment(reference: &str) -> Result<CreatePayment, serde_json::Error> {
    let amount = Amount {
        currency: "EUR".to_owned(),
        value: 1000,
    };
    Ok(CreatePayment::new(
        amount,
        "ShopECOM",
        encrypted_card()?,
        reference,
        "https://shop.example/return",
    ))
}

/// Asserts every request carried one and the same idempotency key.
fn assert_one_key(server: &CheckoutServer, requests: usize) {
    let keys = server.keys();
    assert_eq!(keys.len(), requests, "requests sent: {keys:?}");
    assert!(keys[0].is_some(), "a POST carries an Idempotency-Key");
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "one key for every attempt: {keys:?}"
    );
}

#[tokio::test]
async fn a_card_payment_arrives_as_adyen_expects() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, MemoryJournal::new()).await?;

    let response = client
        .send(payment("order-1")?.shopper_reference("shopper-7"))
        .await?;

    assert_eq!(
        response.result_code,
        Some(PaymentResponseResultCode::Authorised)
    );
    assert_eq!(response.merchant_reference.as_deref(), Some("order-1"));
    assert_eq!(response.psp_reference.as_deref(), Some("8800000000000001"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v72/payments");
    assert_eq!(seen[0].api_key.as_deref(), Some(API_KEY));
    assert_eq!(
        seen[0].authorization, None,
        "the key travels in X-API-Key only"
    );
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert!(seen[0].idempotency_key.is_some(), "a POST carries a key");
    assert_eq!(
        seen[0].body,
        json!({
            "amount": { "currency": "EUR", "value": 1000 },
            "merchantAccount": "ShopECOM",
            "paymentMethod": {
                "type": "scheme",
                "encryptedCardNumber": "test_4111111111111111",
                "encryptedExpiryMonth": "test_03",
                "encryptedExpiryYear": "test_2030",
                "encryptedSecurityCode": "test_737",
            },
            "reference": "order-1",
            "returnUrl": "https://shop.example/return",
            "shopperReference": "shopper-7",
        }),
        "the key is a header, never a body field"
    );
    Ok(())
}

#[tokio::test]
async fn a_server_error_and_a_dropped_connection_are_retried_with_the_same_key() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, MemoryJournal::new()).await?;
    // A 500 (not processed), then a payment made whose answer is lost, then the replay.
    server.queue([Fault::Internal, Fault::DropAfterProcessing]);

    let response = client.send(payment("order-2")?).await?;

    assert_one_key(&server, 3);
    assert_eq!(server.payments().len(), 1, "the payment was made once");
    assert_eq!(response.psp_reference, server.payments().first().cloned());
    let bodies: Vec<_> = server.seen().into_iter().map(|s| s.body).collect();
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every retry sends the same body"
    );
    Ok(())
}

#[tokio::test]
async fn the_key_survives_a_restart() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let path = dir.path().join("journal.sqlite");
    let logical = LogicalKey::new("order-3/pay")?;
    // The first process: the payment is made, but no answer ever arrives.
    server.queue([Fault::DropAfterProcessing; 4]);
    {
        let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
        let result = client
            .send_with_key(payment("order-3")?, logical.clone())
            .await;
        match result {
            Err(Error::OutcomeUnknown {
                idempotency_key, ..
            }) => assert!(idempotency_key.is_some(), "the key to resolve it with"),
            other => panic!("expected an unknown outcome, got {other:?}"),
        }
    }
    assert_one_key(&server, 4);

    // The next process reopens the journal file and re-sends the started entry.
    let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
    let response = client.send_with_key(payment("order-3")?, logical).await?;

    assert_one_key(&server, 5);
    assert_eq!(server.payments().len(), 1, "the restart did not pay twice");
    assert_eq!(response.psp_reference, server.payments().first().cloned());
    assert_eq!(
        response.result_code,
        Some(PaymentResponseResultCode::Authorised)
    );
    Ok(())
}

#[tokio::test]
async fn a_key_in_progress_is_retried_until_adyen_answers() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, MemoryJournal::new()).await?;
    // Adyen documents 422; 409 has been seen in traffic: both keep the key, and so does a
    // 500 between them.
    server.queue([
        Fault::InProgress,
        Fault::Internal,
        Fault::InProgressConflict,
    ]);

    let response = client.send(payment("order-4")?).await?;

    assert_one_key(&server, 4);
    assert_eq!(
        response.result_code,
        Some(PaymentResponseResultCode::Authorised)
    );
    assert_eq!(server.payments().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_key_still_in_progress_when_the_attempts_run_out_is_re_driven_after_a_restart()
-> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let path = dir.path().join("journal.sqlite");
    let logical = LogicalKey::new("order-8/pay")?;
    // The first process: the key stays in progress until the attempts run out.
    server.queue([Fault::InProgress; 4]);
    {
        let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
        let result = client
            .send_with_key(payment("order-8")?, logical.clone())
            .await;
        assert!(
            matches!(result, Err(Error::OutcomeUnknown { .. })),
            "an in-progress key is unresolved, not failed: {result:?}"
        );
    }
    // The next process reopens the file and re-drives the same key.
    let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
    client.send_with_key(payment("order-8")?, logical).await?;

    assert_one_key(&server, 5);
    assert_eq!(server.payments().len(), 1);
    Ok(())
}

/// Writes an unresolved journal entry for a payment under `logical`, as a process that died
/// `age` ago after writing it would have left it.
async fn journal_entry(
    journal: &SqliteJournal,
    logical: &LogicalKey,
    idempotency_key: IdempotencyKey,
    age: Duration,
) -> TestResult {
    let op = payment("order-9")?;
    let path = op.path();
    journal
        .begin(NewEntry {
            provider: Adyen::NAME.to_owned(),
            logical_key: logical.clone(),
            idempotency_key,
            fingerprint: Fingerprint::of(&http::Method::POST, &path, &op.encode()?),
            method: "POST".to_owned(),
            path: path.into_owned(),
            now: UnixMillis::now().minus(age),
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_journal_keeps_a_key_for_adyens_retention() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let journal = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
    // Two days old: past Stripe's 24 h, well inside Adyen's 31 days.
    let logical = LogicalKey::new("order-9/pay")?;
    let old_key = IdempotencyKey::new("pf_two_days_old")?;
    journal_entry(&journal, &logical, old_key, Duration::from_secs(2 * 86_400)).await?;
    let client = local_client(&server, &key, journal).await?;

    client.send_with_key(payment("order-9")?, logical).await?;

    assert_eq!(server.keys(), [Some("pf_two_days_old".to_owned())]);
    Ok(())
}

#[tokio::test]
async fn a_key_longer_than_adyen_takes_is_refused_before_sending() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let journal = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
    let logical = LogicalKey::new("order-10/pay")?;
    let long = IdempotencyKey::new("k".repeat(65))?;
    journal_entry(&journal, &logical, long, Duration::ZERO).await?;
    let client = local_client(&server, &key, journal).await?;

    let result = client.send_with_key(payment("order-9")?, logical).await;

    assert!(
        matches!(
            result,
            Err(Error::Config(ConfigError::IdempotencyKeyTooLong {
                len: 65,
                max: 64,
                ..
            }))
        ),
        "{result:?}"
    );
    assert!(server.seen().is_empty(), "nothing was sent");
    Ok(())
}

#[tokio::test]
async fn a_validation_error_is_typed_and_not_retried() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, MemoryJournal::new()).await?;
    server.queue([Fault::ReturnUrlMissing]);

    let error = match client.send(payment("order-5")?).await {
        Err(error) => error,
        Ok(response) => panic!("expected the validation error, got {response:?}"),
    };

    assert_eq!(server.seen().len(), 1, "a validation error is not retried");
    assert!(!error.is_retry_safe());
    assert_eq!(error.request_id(), Some("PSPERR0000000001"));
    match &error {
        Error::Api {
            error:
                AdyenError::Validation {
                    code: Some(ErrorCode::ReturnUrlMissing),
                    status: Some(422),
                    psp_reference,
                    message,
                    ..
                },
            status,
            ..
        } => {
            assert_eq!(*status, http::StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(psp_reference.as_deref(), Some("PSPERR0000000001"));
            assert_eq!(message.as_deref(), Some("Return URL is missing."));
        }
        other => panic!("expected a typed 14_030, got {other:?}"),
    }
    assert_eq!(error.decline(), None, "a validation error is no decline");
    Ok(())
}

/// The decline check a user writes once, for any provider's SDK: whether to ask the
/// customer for another card.
fn ask_for_another_card<E: ApiError>(error: &Error<E>) -> bool {
    error.decline().map(|decline| decline.category) == Some(DeclineCategory::InsufficientFunds)
}

#[tokio::test]
async fn a_refused_payment_is_a_typed_decline() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, MemoryJournal::new()).await?;
    server.queue([Fault::Refuse {
        code: "12",
        reason: "Not enough balance",
    }]);

    let error = match client.send(payment("order-6")?).await {
        Err(error) => error,
        Ok(response) => panic!("a refusal is never an output, got {response:?}"),
    };

    assert_eq!(server.seen().len(), 1, "a refusal is not retried");
    match &error {
        Error::Api {
            error:
                AdyenError::Refused {
                    refusal_reason_code: Some(RefusalReason::NotEnoughBalance),
                    refusal_reason,
                    psp_reference,
                    ..
                },
            status,
            ..
        } => {
            assert_eq!(*status, http::StatusCode::OK, "Adyen refuses with HTTP 200");
            assert_eq!(refusal_reason.as_deref(), Some("Not enough balance"));
            assert_eq!(psp_reference.as_deref(), Some("8800000000000001"));
        }
        other => panic!("expected a typed refusal, got {other:?}"),
    }
    let decline = error.decline().ok_or("a refusal is a decline")?;
    assert_eq!(decline.category, DeclineCategory::InsufficientFunds);
    assert_eq!(decline.code, "12");
    assert_eq!(decline.message.as_deref(), Some("Not enough balance"));
    assert!(ask_for_another_card(&error));
    Ok(())
}

#[test]
fn one_decline_check_serves_adyen_and_stripe() -> TestResult {
    use payforge_stripe::errors::StripeError;

    // Stripe answers a decline with HTTP 402 and a card_error; its generated error type
    // decodes it as the client would.
    let body = br#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#;
    let status = http::StatusCode::PAYMENT_REQUIRED;
    let stripe = StripeError::from_response(status, body).ok_or("Stripe's card_error")?;
    let stripe: Error<StripeError> = Error::Api {
        error: stripe,
        status,
        request_id: None,
    };
    // Adyen answers it with HTTP 200 and resultCode Refused.
    let body = br#"{"resultCode":"Refused","refusalReason":"Not enough balance","refusalReasonCode":"12","pspReference":"8800000000000001"}"#;
    let adyen = AdyenError::from_refusal(http::StatusCode::OK, body).ok_or("Adyen's refusal")?;
    let adyen: Error<AdyenError> = Error::Api {
        error: adyen,
        status: http::StatusCode::OK,
        request_id: None,
    };

    assert!(ask_for_another_card(&stripe));
    assert!(ask_for_another_card(&adyen));
    // And a decline of another category is not mistaken for it.
    let body =
        br#"{"resultCode":"Refused","refusalReason":"CVC Declined","refusalReasonCode":"24"}"#;
    let cvc = AdyenError::from_refusal(http::StatusCode::OK, body).ok_or("Adyen's refusal")?;
    let cvc: Error<AdyenError> = Error::Api {
        error: cvc,
        status: http::StatusCode::OK,
        request_id: None,
    };
    assert!(!ask_for_another_card(&cvc));
    assert_eq!(
        cvc.decline().map(|d| d.category),
        Some(DeclineCategory::IncorrectCvc)
    );
    Ok(())
}

#[tokio::test]
async fn the_live_host_takes_the_merchants_prefix() -> TestResult {
    assert!(
        std::env::var_os(PREFIX_ENV).is_none(),
        "this test needs {PREFIX_ENV} unset: it checks what a missing prefix does"
    );
    let (_dir, key) = key_file()?;
    let live = |prefix: Option<&str>| {
        let mut builder = builder(&key)
            .environment(Environment::Production)
            .ephemeral_journal();
        if let Some(prefix) = prefix {
            builder = builder.base_url_variable("prefix", prefix);
        }
        builder.build()
    };

    match live(None).await {
        Err(ConfigError::MissingBaseUrlVariable {
            environment,
            variable,
            env,
        }) => {
            assert_eq!(environment, EnvironmentKind::Production);
            assert_eq!(variable, "prefix");
            assert_eq!(env.as_deref(), Some(PREFIX_ENV));
        }
        other => panic!("expected the missing prefix, got {other:?}"),
    }

    // A prefix that would move the host is refused, not sent to.
    assert!(matches!(
        live(Some("evil.example/x?")).await,
        Err(ConfigError::InvalidBaseUrlVariable { .. })
    ));

    let client = live(Some("1797a841fbb37ca7-AdyenDemo")).await?;
    assert_eq!(
        client.request_url(&payment("order-7")?),
        "https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout/v72/payments"
    );
    // The test host needs no prefix.
    let test = builder(&key)
        .environment(Environment::TestMode)
        .ephemeral_journal()
        .build()
        .await?;
    assert_eq!(
        test.request_url(&payment("order-7")?),
        "https://checkout-test.adyen.com/v72/payments"
    );
    Ok(())
}
