//! What the client retries against a real server, counted in attempts: only what is safe,
//! never a decline or a validation error, always with the same key.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;

use client_support::*;
use payforge::Error;
use payforge::journal::MemoryJournal;

/// How a call ended, for the table.
#[derive(Debug, PartialEq)]
enum Ended {
    Charged,
    Declined,
    Invalid,
    RateLimited,
    ProviderFault,
    Unknown,
    Undecodable,
    Other(String),
}

fn ended(result: &Result<Charge, Error<TestError>>) -> Ended {
    match result {
        Ok(_) => Ended::Charged,
        Err(Error::Api {
            error: TestError::Card { .. },
            ..
        }) => Ended::Declined,
        Err(Error::Api {
            error: TestError::InvalidRequest { .. },
            ..
        }) => Ended::Invalid,
        Err(Error::Api {
            error: TestError::RateLimited,
            ..
        }) => Ended::RateLimited,
        Err(Error::Api {
            error: TestError::Api,
            ..
        }) => Ended::ProviderFault,
        Err(Error::Api {
            error: TestError::Unknown(_),
            ..
        }) => Ended::Unknown,
        Err(Error::Decode { .. }) => Ended::Undecodable,
        Err(other) => Ended::Other(format!("{other:?}")),
    }
}

fn html(status: u16) -> Fault {
    Fault::Respond {
        status,
        headers: Vec::new(),
        body: "<html>bad gateway</html>".to_owned(),
    }
}

#[tokio::test]
async fn retries_follow_the_status_the_error_class_and_the_provider_hint() -> TestResult {
    let fault = |status, error_type, code| Fault::error(status, error_type, code);
    let cases: Vec<(&str, Vec<Fault>, usize, Ended)> = vec![
        (
            "500 then success",
            vec![fault(500, "api_error", "")],
            2,
            Ended::Charged,
        ),
        ("502 html then success", vec![html(502)], 2, Ended::Charged),
        (
            "429 with Retry-After 0",
            vec![fault(429, "invalid_request_error", "rate_limit").with_header("retry-after", "0")],
            2,
            Ended::Charged,
        ),
        (
            "409 lock timeout",
            vec![fault(409, "invalid_request_error", "lock_timeout")],
            2,
            Ended::Charged,
        ),
        (
            "dropped connection",
            vec![Fault::DropAfterProcessing],
            2,
            Ended::Charged,
        ),
        (
            "402 decline",
            vec![fault(402, "card_error", "card_declined")],
            1,
            Ended::Declined,
        ),
        (
            "400 validation",
            vec![fault(400, "invalid_request_error", "parameter_missing")],
            1,
            Ended::Invalid,
        ),
        (
            "should-retry true",
            vec![fault(400, "strange_error", "").with_header("stripe-should-retry", "true")],
            2,
            Ended::Charged,
        ),
        (
            "should-retry false on 500",
            vec![fault(500, "api_error", "").with_header("stripe-should-retry", "false")],
            1,
            Ended::ProviderFault,
        ),
        (
            "should-retry true on a decline",
            vec![
                fault(402, "card_error", "expired_card").with_header("stripe-should-retry", "true"),
            ],
            1,
            Ended::Declined,
        ),
        (
            "unknown error type",
            vec![fault(400, "strange_error", "")],
            1,
            Ended::Unknown,
        ),
        (
            "four 500s exhaust the budget",
            vec![fault(500, "api_error", ""); 4],
            4,
            Ended::ProviderFault,
        ),
        (
            "four 502s exhaust the budget",
            vec![html(502), html(502), html(502), html(502)],
            4,
            Ended::Undecodable,
        ),
        (
            "Retry-After beyond the time budget",
            vec![
                fault(429, "invalid_request_error", "rate_limit").with_header("retry-after", "60"),
            ],
            1,
            Ended::RateLimited,
        ),
    ];
    for (case, faults, attempts, expected) in cases {
        let server = FakeProvider::start(&[KEY_A]).await?;
        let (_dir, key) = key_file(KEY_A)?;
        let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
        server.queue(faults);

        let result = client.send(CreateCharge::new(100)).await;

        assert_eq!(ended(&result), expected, "{case}");
        let keys: Vec<_> = server
            .seen()
            .into_iter()
            .map(|s| s.idempotency_key)
            .collect();
        assert_eq!(keys.len(), attempts, "{case}: attempts");
        assert!(
            keys.iter().all(|k| k.is_some() && *k == keys[0]),
            "{case}: one key for all attempts"
        );
        assert!(server.charges().len() <= 1, "{case}: at most one charge");
    }
    Ok(())
}

#[tokio::test]
async fn reads_are_retried_after_a_timeout() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::StallAfterProcessing(std::time::Duration::from_secs(
        3,
    ))]);

    let charge = client
        .send(RetrieveCharge {
            charge: "ch_9".to_owned(),
        })
        .await?;

    assert_eq!(charge.id, "ch_9");
    assert_eq!(server.seen().len(), 2);
    assert!(
        server.seen().iter().all(|s| s.idempotency_key.is_none()),
        "reads carry no key"
    );
    Ok(())
}

#[tokio::test]
async fn a_write_without_a_key_is_not_retried_after_a_5xx() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::error(500, "api_error", "")]);

    let result = client.send(UnkeyedCreateCharge { amount: 100 }).await;

    assert!(
        matches!(
            result,
            Err(Error::Api {
                error: TestError::Api,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.seen().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_reported_as_never_sent() -> TestResult {
    // A port that was just free: nothing listens there.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await?
        .local_addr()?
        .port();
    let (_dir, key) = key_file(KEY_A)?;
    let journal = Arc::new(MemoryJournal::new());
    let client = payforge::Client::<TestProvider>::builder()
        .environment(payforge::Environment::Sandbox {
            base_url: format!("http://127.0.0.1:{port}"),
        })
        .secrets(payforge::secrets::FileSecretProvider::new(&key))
        .retry_policy(quick_retries())
        .journal(journal.clone())
        .build()
        .await?;
    let logical = payforge::journal::LogicalKey::new("order-9/charge")?;

    let result = client
        .send_with_key(CreateCharge::new(100), logical.clone())
        .await;

    let Err(error @ Error::Connect { attempts: 4, .. }) = &result else {
        return Err(
            format!("expected a connection failure after 4 attempts, got {result:?}").into(),
        );
    };
    assert!(error.is_retry_safe());
    use payforge::journal::IdempotencyJournal;
    let entry = journal.get("testpay".to_owned(), logical).await?;
    assert_eq!(
        entry, None,
        "nothing left the process, so the logical key starts afresh"
    );
    Ok(())
}
