//! What reaches the wire: header parameters as headers, a sensitive path parameter's real
//! value, no request for a required parameter that encodes to nothing, operations on
//! servers of their own, and the status and request id of a provider's refusal.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;

use client_support::*;
use payforge::client::{Client, Environment};
use payforge::journal::{LogicalKey, MemoryJournal};
use payforge::secrets::FileSecretProvider;
use payforge::{EncodeError, Error, Sensitive};

/// Retrieves a charge by an id the application treats as secret.
#[payforge::endpoint(
    provider = TestProvider,
    method = GET,
    path = "/v1/charges/{charge}",
    output = Charge
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetrieveSecretCharge {
    /// The charge's id, never printed.
    #[endpoint(path)]
    pub charge: Sensitive<String>,
}

/// The parts of a session, all optional.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Components {
    /// Whether payments are shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<bool>,
}

/// Creates a charge with a required object parameter, as generated code marks it.
#[payforge::endpoint(
    provider = TestProvider,
    method = POST,
    path = "/v1/charges",
    output = Charge,
    idempotent
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct CreateChargeWithComponents {
    /// The amount.
    pub amount: i64,
    /// Required by the provider, with at least one field set.
    #[serde(serialize_with = "payforge::wire::required")]
    pub components: Components,
}

/// The server the operations on a host of their own declare.
const FILES_SERVER: &str = "https://files.testpay.invalid";

/// Retrieves a charge from a host of its own, as Stripe's file uploads go to theirs.
#[payforge::endpoint(
    provider = TestProvider,
    method = GET,
    path = "/v1/charges/{charge}",
    output = Charge,
    server = "https://files.testpay.invalid/"
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetrieveChargeOnFiles {
    /// The charge's id.
    #[endpoint(path)]
    pub charge: String,
}

/// Creates a charge with a header parameter, as generated code declares one.
#[payforge::endpoint(
    provider = TestProvider,
    method = POST,
    path = "/v1/charges",
    output = Charge,
    idempotent
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct CreateTracedCharge {
    /// The amount.
    pub amount: i64,
    /// Sent as a header, never in the body.
    #[endpoint(header = "X-Trace")]
    pub trace: Option<String>,
}

#[tokio::test]
async fn header_parameters_travel_as_headers_and_only_when_set() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    for trace in [Some("trace-1".to_owned()), None] {
        let op = CreateTracedCharge {
            amount: 500,
            trace: trace.clone(),
        };
        client.send(op).await?;
        let seen = server.seen().pop().ok_or("no request reached the server")?;
        assert_eq!(seen.trace, trace);
        assert_eq!(seen.body, "amount=500");
    }
    Ok(())
}

#[tokio::test]
async fn a_sensitive_path_parameter_sends_its_value_and_prints_redacted() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    let op = RetrieveSecretCharge {
        charge: Sensitive::new("ch_secret/1".to_owned()),
    };
    assert!(!format!("{op:?}").contains("ch_secret"));

    let charge = client.send(op).await?;

    assert_eq!(charge.id, "ch_secret/1");
    let paths: Vec<String> = server.seen().into_iter().map(|seen| seen.path).collect();
    assert_eq!(paths, ["/v1/charges/ch_secret%2F1"]);
    Ok(())
}

#[tokio::test]
async fn a_required_object_with_no_field_set_is_refused_before_the_journal_and_the_wire()
-> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    let empty = CreateChargeWithComponents {
        amount: 500,
        components: Components::default(),
    };

    let refused = client
        .send_with_key(empty, LogicalKey::new("order-7/charge")?)
        .await;

    assert!(
        matches!(&refused, Err(Error::Encode(EncodeError::EmptyRequired { path })) if path == "components"),
        "{refused:?}"
    );
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    assert!(client.recover().await?.redrive.is_empty());
    // Nothing was journaled under the key: different parameters under it are no conflict.
    let set = CreateChargeWithComponents {
        amount: 500,
        components: Components {
            payments: Some(true),
        },
    };
    client
        .send_with_key(set, LogicalKey::new("order-7/charge")?)
        .await?;
    assert_eq!(server.seen().len(), 1);
    assert!(server.seen()[0].body.contains("components[payments]=true"));
    Ok(())
}

/// A client of the provider's own API in `environment`, with `key`.
async fn real_api_client(
    environment: Environment,
    key: &str,
    configure: impl FnOnce(
        payforge::client::ClientBuilder<TestProvider>,
    ) -> payforge::client::ClientBuilder<TestProvider>,
) -> Result<(Client<TestProvider>, tempfile::TempDir), Box<dyn std::error::Error>> {
    let (dir, path) = key_file(key)?;
    let builder = Client::<TestProvider>::builder()
        .environment(environment)
        .secrets(FileSecretProvider::new(path))
        .retry_policy(quick_retries())
        .ephemeral_journal();
    Ok((configure(builder).build().await?, dir))
}

#[tokio::test]
async fn an_operation_with_its_own_server_goes_there_in_production() -> TestResult {
    let live_key = "sk_live_alpha0123456789abcdef"; // audit:allow: a fake key
    let (production, _dir) = real_api_client(Environment::Production, live_key, |b| b).await?;
    let (test_mode, _dir) = real_api_client(Environment::TestMode, KEY_A, |b| b).await?;
    let on_files = RetrieveChargeOnFiles {
        charge: "ch_1".to_owned(),
    };
    let on_api = RetrieveCharge {
        charge: "ch_1".to_owned(),
    };
    for client in [&production, &test_mode] {
        assert_eq!(
            client.request_url(&on_files),
            format!("{FILES_SERVER}/v1/charges/ch_1")
        );
        assert_eq!(
            client.request_url(&on_api),
            "https://api.testpay.invalid/v1/charges/ch_1"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_base_url_override_takes_every_server_and_a_server_override_one() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let on_files = || RetrieveChargeOnFiles {
        charge: "ch_9".to_owned(),
    };
    // A sandbox, a base URL override, and the files server alone moved to the stand-in.
    let sandbox = Environment::Sandbox {
        base_url: server.base_url.clone(),
    };
    let (in_sandbox, _a) = real_api_client(sandbox, KEY_A, |b| b).await?;
    let base = server.base_url.clone();
    let (overridden, _b) =
        real_api_client(Environment::TestMode, KEY_A, |b| b.base_url(base)).await?;
    let base = server.base_url.clone();
    let (files_moved, _c) = real_api_client(Environment::TestMode, KEY_A, |b| {
        b.server_url(FILES_SERVER, base)
    })
    .await?;
    for client in [&in_sandbox, &overridden, &files_moved] {
        assert_eq!(
            client.request_url(&on_files()),
            format!("{}/v1/charges/ch_9", server.base_url)
        );
        assert_eq!(client.send(on_files()).await?.id, "ch_9");
    }
    assert_eq!(server.seen().len(), 3);
    // Moving the files server leaves the others where they were.
    let on_api = RetrieveCharge {
        charge: "ch_9".to_owned(),
    };
    assert_eq!(
        files_moved.request_url(&on_api),
        "https://api.testpay.invalid/v1/charges/ch_9"
    );
    Ok(())
}

#[tokio::test]
async fn a_refusal_gives_its_status_and_request_id_whatever_the_provider() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    let decline =
        Fault::error(402, "card_error", "card_declined").with_header("request-id", "req_decline_1");
    server.queue([decline]);

    let error = match client.send(CreateCharge::new(900)).await {
        Err(error) => error,
        Ok(charge) => return Err(format!("charged {charge:?}").into()),
    };

    assert_eq!(error.status(), Some(http::StatusCode::PAYMENT_REQUIRED));
    assert_eq!(error.request_id(), Some("req_decline_1"));
    assert!(matches!(error.api_error(), Some(TestError::Card { .. })));
    let connect: Error<TestError> = Error::Connect {
        attempts: 1,
        message: "refused".to_owned(),
    };
    assert_eq!((connect.status(), connect.request_id()), (None, None));
    Ok(())
}

#[tokio::test]
async fn a_response_without_a_required_field_names_the_field_and_its_type() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::Respond {
        status: 200,
        headers: Vec::new(),
        body: r#"{"id":"ch_1"}"#.to_owned(),
    }]);

    let result = client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await;

    match result {
        Err(Error::Decode { reason, .. }) => assert!(
            reason.starts_with("missing field `amount` of `Charge`"),
            "{reason}"
        ),
        other => return Err(format!("expected a decode error, got {other:?}").into()),
    }
    Ok(())
}
