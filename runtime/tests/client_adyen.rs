//! The client against a small Adyen-shaped server on 127.0.0.1: a provider whose key goes
//! in an `X-API-Key` header, whose keys carry no test/live prefix, whose live host is a
//! template with a per-merchant prefix, and which answers 422 with errorCode 704 while a
//! request with the same idempotency key is still in progress.
//!
//! The provider marker is declared here by hand with the values of
//! `specs/adyen/provider.toml`, so the suite depends on the runtime alone.
#![cfg(all(feature = "axum", feature = "sqlite"))]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use payforge::client::{Client, ClientBuilder, Environment};
use payforge::journal::{
    Fingerprint, IdempotencyJournal, IdempotencyKey, LogicalKey, NewEntry, SqliteJournal,
    UnixMillis,
};
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use payforge::{
    ApiError, AuthScheme, BaseUrlVariable, ConfigError, Endpoint, Error, ErrorClass,
    InProgressSignal, KeyModeRule, Provider,
};
use serde::Deserialize;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An Adyen API key: no mode prefix.
const API_KEY: &str = "AQEyhmfxK4vJbhFLw0m"; // audit:allow: a fake key
/// The environment variable of the live prefix; never set, so a missing prefix is missing.
const PREFIX_ENV: &str = "PAYFORGE_TEST_CHECKOUT_LIVE_PREFIX_UNSET";

/// The provider marker, with Adyen's conventions.
#[derive(Clone, Copy, Debug)]
pub struct Checkout;

impl Provider for Checkout {
    const NAME: &'static str = "checkout-test";
    const API_VERSION: &'static str = "72";
    const API_VERSION_HEADER: Option<&'static str> = None;
    const IDEMPOTENCY_HEADER: &'static str = "Idempotency-Key";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 2_678_400;
    const REQUEST_ID_HEADER: &'static str = "pspReference";
    const SHOULD_RETRY_HEADER: Option<&'static str> = None;
    const LIVE_BASE_URL: &'static str =
        "https://{prefix}-checkout-live.adyenpayments.com/checkout/v72";
    const SECRET_KEY_ENV: &'static str = "PAYFORGE_TEST_CHECKOUT_API_KEY";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &[];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &[];
    type Error = ServiceError;
    const AUTH: AuthScheme = AuthScheme::ApiKeyHeader {
        header: "X-API-Key",
    };
    const KEY_MODE: KeyModeRule = KeyModeRule::Environment;
    const TEST_BASE_URL: &'static str = "https://checkout-test.adyen.com/v72";
    const BASE_URL_VARIABLES: &'static [BaseUrlVariable] = &[BaseUrlVariable {
        name: "prefix",
        env: PREFIX_ENV,
    }];
    const IDEMPOTENCY_KEY_MAX_LEN: usize = 64;
    const IDEMPOTENCY_IN_PROGRESS: Option<InProgressSignal> = Some(InProgressSignal {
        statuses: &[409, 422],
        code_pointer: Some("/errorCode"),
        codes: &["704"],
    });
}

/// Adyen's `ServiceError`, at the top level of the body.
#[derive(Debug, Clone, PartialEq, Deserialize, thiserror::Error)]
#[error("{error_type} error {error_code}: {message}")]
#[serde(rename_all = "camelCase")]
pub struct ServiceError {
    error_code: String,
    error_type: String,
    message: String,
}

impl ApiError for ServiceError {
    fn from_response(_status: http::StatusCode, body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }

    fn class(&self) -> ErrorClass {
        match self.error_type.as_str() {
            "validation" => ErrorClass::InvalidRequest,
            "security" => ErrorClass::Authentication,
            "internal" => ErrorClass::ProviderFault,
            _ => ErrorClass::Unknown,
        }
    }
}

/// A payment's outcome.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResult {
    psp_reference: String,
    result_code: String,
}

/// The amount of a payment.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Amount {
    /// The amount in minor units.
    pub value: i64,
    /// The ISO 4217 code.
    pub currency: String,
}

/// Starts a payment (`POST /payments`).
#[payforge::endpoint(
    provider = Checkout,
    method = POST,
    path = "/payments",
    encoding = json,
    output = PaymentResult,
    idempotent
)]
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePayment {
    /// The amount.
    pub amount: Amount,
    /// The merchant account.
    pub merchant_account: String,
    /// The merchant's reference.
    pub reference: String,
}

fn payment(reference: &str) -> CreatePayment {
    CreatePayment {
        amount: Amount {
            value: 1000,
            currency: "EUR".to_owned(),
        },
        merchant_account: "ShopECOM".to_owned(),
        reference: reference.to_owned(),
    }
}

/// What the server answers instead of processing the next request.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 422, errorCode 704: a request with this key is still in progress.
    InProgress,
    /// 422, errorCode 100: a validation error.
    Invalid,
    /// 500, an internal error.
    Internal,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    api_key: Option<String>,
    authorization: Option<String>,
    idempotency_key: Option<String>,
}

#[derive(Default)]
struct ServerState {
    answers: VecDeque<Answer>,
    seen: Vec<Seen>,
    /// Idempotency key -> pspReference of the processed payment, replayed on reuse.
    processed: Vec<(String, String)>,
}

/// The Adyen-shaped server on 127.0.0.1.
struct CheckoutServer {
    base_url: String,
    state: Arc<Mutex<ServerState>>,
    task: tokio::task::JoinHandle<()>,
}

impl CheckoutServer {
    async fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(ServerState::default()));
        let app = axum::Router::new()
            .route("/v72/payments", axum::routing::post(payments))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url: format!("http://{address}/v72"),
            state,
            task,
        })
    }

    fn queue(&self, answers: impl IntoIterator<Item = Answer>) {
        self.lock().answers.extend(answers);
    }

    fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for CheckoutServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn payments(State(state): State<Arc<Mutex<ServerState>>>, headers: HeaderMap) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = Seen {
        api_key: text("x-api-key"),
        authorization: text("authorization"),
        idempotency_key: text("idempotency-key"),
    };
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.seen.push(seen.clone());
    if seen.api_key.as_deref() != Some(API_KEY) {
        return service_error(
            StatusCode::UNAUTHORIZED,
            "000",
            "security",
            "HTTP Status Response - Unauthorized",
        );
    }
    match state.answers.pop_front() {
        Some(Answer::InProgress) => {
            return service_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "704",
                "validation",
                "request already processed or in progress",
            );
        }
        Some(Answer::Invalid) => {
            return service_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "100",
                "validation",
                "Required object 'amount' is not provided.",
            );
        }
        Some(Answer::Internal) => {
            return service_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "905",
                "internal",
                "Internal error",
            );
        }
        None => {}
    }
    let key = seen.idempotency_key.unwrap_or_default();
    let reference = match state.processed.iter().find(|(k, _)| *k == key) {
        Some((_, reference)) => reference.clone(),
        None => {
            let reference = format!("PSP{:04}", state.processed.len() + 1);
            state.processed.push((key, reference.clone()));
            reference
        }
    };
    let body = serde_json::json!({ "pspReference": reference, "resultCode": "Authorised" });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn service_error(status: StatusCode, code: &str, kind: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "status": status.as_u16(),
        "errorCode": code,
        "errorType": kind,
        "message": message,
        "pspReference": "PSPERR",
    });
    (status, axum::Json(body)).into_response()
}

/// A key file holding the API key, in a directory removed when the guard drops.
fn key_file() -> std::io::Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("adyen-key");
    std::fs::write(&path, format!("{API_KEY}\n"))?;
    Ok((dir, path))
}

fn builder(key: &std::path::Path) -> ClientBuilder<Checkout> {
    Client::<Checkout>::builder()
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
    key: &std::path::Path,
    journal: impl IdempotencyJournal,
) -> Result<Client<Checkout>, ConfigError> {
    builder(key)
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .journal(journal)
        .build()
        .await
}

#[tokio::test]
async fn the_key_goes_in_the_api_key_header() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, payforge::journal::MemoryJournal::new()).await?;

    let result = client.send(payment("order-1")).await?;

    assert_eq!(result.result_code, "Authorised");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].api_key.as_deref(), Some(API_KEY));
    assert_eq!(
        seen[0].authorization, None,
        "no bearer header besides the API key"
    );
    assert!(seen[0].idempotency_key.is_some());
    Ok(())
}

#[tokio::test]
async fn in_progress_and_server_errors_are_retried_with_the_same_key() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, payforge::journal::MemoryJournal::new()).await?;
    server.queue([Answer::InProgress, Answer::Internal, Answer::InProgress]);

    let result = client
        .send_with_key(payment("order-2"), LogicalKey::new("order-2/pay")?)
        .await?;

    assert_eq!(result.psp_reference, "PSP0001");
    let keys: Vec<Option<String>> = server
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 4, "three answers to retry, then the payment");
    assert!(keys[0].is_some());
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "one key for every attempt: {keys:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_validation_error_is_not_retried() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (_dir, key) = key_file()?;
    let client = local_client(&server, &key, payforge::journal::MemoryJournal::new()).await?;
    server.queue([Answer::Invalid]);

    let result = client.send(payment("order-3")).await;

    match result {
        Err(Error::Api { error, status, .. }) => {
            assert_eq!(status, http::StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(error.error_code, "100");
        }
        other => panic!("expected the validation error, got {other:?}"),
    }
    assert_eq!(server.seen().len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_key_survives_a_restart() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let path = dir.path().join("journal.sqlite");
    let logical = LogicalKey::new("order-4/pay")?;
    // The first process: the key stays in progress until the attempts run out.
    server.queue([Answer::InProgress; 4]);
    {
        let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
        let result = client
            .send_with_key(payment("order-4"), logical.clone())
            .await;
        assert!(
            matches!(result, Err(Error::OutcomeUnknown { .. })),
            "an in-progress key is unresolved, not failed: {result:?}"
        );
    }
    // The next process reopens the file and re-drives the same key.
    let client = local_client(&server, &key, SqliteJournal::open(&path).await?).await?;
    let result = client.send_with_key(payment("order-4"), logical).await?;

    assert_eq!(result.psp_reference, "PSP0001");
    let keys: Vec<Option<String>> = server
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 5);
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "one key across the restart: {keys:?}"
    );
    Ok(())
}

/// Writes an unresolved journal entry for `op` under `logical`, as a process that died
/// `age` ago after writing it would have left it.
async fn journal_entry(
    journal: &SqliteJournal,
    logical: &LogicalKey,
    idempotency_key: IdempotencyKey,
    age: Duration,
) -> TestResult {
    let op = payment("order-5");
    let path = op.path();
    journal
        .begin(NewEntry {
            provider: Checkout::NAME.to_owned(),
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
async fn the_retention_is_the_providers() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let path = dir.path().join("journal.sqlite");
    let journal = SqliteJournal::open(&path).await?;
    // Two days old: past a 24 h retention, well inside Adyen's 31 days.
    let logical = LogicalKey::new("order-5/pay")?;
    let old_key = IdempotencyKey::new("pf_two_days_old")?;
    journal_entry(&journal, &logical, old_key, Duration::from_secs(2 * 86_400)).await?;
    let client = local_client(&server, &key, journal).await?;

    client.send_with_key(payment("order-5"), logical).await?;

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].idempotency_key.as_deref(), Some("pf_two_days_old"));
    Ok(())
}

#[tokio::test]
async fn a_key_longer_than_the_provider_takes_is_refused_before_sending() -> TestResult {
    let server = CheckoutServer::start().await?;
    let (dir, key) = key_file()?;
    let journal = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
    let logical = LogicalKey::new("order-6/pay")?;
    let long = IdempotencyKey::new("k".repeat(65))?;
    journal_entry(&journal, &logical, long, Duration::ZERO).await?;
    let client = local_client(&server, &key, journal).await?;

    let result = client.send_with_key(payment("order-5"), logical).await;

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
async fn the_environment_decides_the_base_url_and_the_key_mode() -> TestResult {
    let (_dir, key) = key_file()?;
    let build = |environment: Environment, prefix: Option<&str>| {
        let mut builder = builder(&key).environment(environment).ephemeral_journal();
        if let Some(prefix) = prefix {
            builder = builder.base_url_variable("prefix", prefix);
        }
        builder.build()
    };
    let url = |client: Client<Checkout>| client.request_url(&payment("order-7"));

    // The same unprefixed key is taken in test mode and in production.
    let test = build(Environment::TestMode, None).await?;
    assert_eq!(url(test), "https://checkout-test.adyen.com/v72/payments");
    let live = build(Environment::Production, Some("1797a841fbb37ca7-ShopECOM")).await?;
    assert_eq!(
        url(live),
        "https://1797a841fbb37ca7-ShopECOM-checkout-live.adyenpayments.com/checkout/v72/payments"
    );

    // Live without its prefix, or with one that would move the host, is a typed error.
    match build(Environment::Production, None).await {
        Err(ConfigError::MissingBaseUrlVariable {
            variable,
            env,
            environment,
        }) => {
            assert_eq!(variable, "prefix");
            assert_eq!(env.as_deref(), Some(PREFIX_ENV));
            assert_eq!(environment, payforge::error::EnvironmentKind::Production);
        }
        other => panic!("expected a missing prefix, got {other:?}"),
    }
    assert!(matches!(
        build(Environment::Production, Some("evil.example/x?")).await,
        Err(ConfigError::InvalidBaseUrlVariable { .. })
    ));
    Ok(())
}
