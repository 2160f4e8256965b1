//! PayPal's errors as a user of the SDK meets them: real-shaped error bodies decode into
//! `PaypalError` with its `name`, `debug_id`, typed `details` and the first detail's `issue`;
//! each reads its class, whether a retry is safe, and its provider-neutral decline; a card
//! capture declined in a 201 is an error too, with the processor's response code; and the
//! generated client, against a PayPal-shaped server on 127.0.0.1, returns the typed error
//! with the `Paypal-Debug-Id`.
#![cfg(all(feature = "orders", feature = "payments"))]

mod support;

use std::time::Duration;

use payforge::client::{Client, Environment};
use payforge::retry::RetryPolicy;
use payforge::secrets::FileSecretProvider;
use payforge::{ApiError, DeclineCategory, Error, ErrorCatalogue, ErrorClass};
use payforge_paypal::errors::{
    ErrorDetail, Issue, OrdersIssue, PaymentsIssue, PaypalError, ProcessorResponseCode,
};
use payforge_paypal::{CaptureAuthorization, CaptureOrder, Paypal};
use serde_json::json;
use support::{CREDENTIALS, Fault, PaypalServer, declined_capture};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An error response body as PayPal sends it.
fn decode(status: u16, body: serde_json::Value) -> Result<PaypalError, String> {
    let status = http::StatusCode::from_u16(status).map_err(|e| e.to_string())?;
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    PaypalError::from_response(status, &bytes).ok_or_else(|| format!("not decoded: {body}"))
}

/// PayPal's answer to capturing an order whose card was declined by the issuer.
fn instrument_declined() -> serde_json::Value {
    json!({
        "name": "UNPROCESSABLE_ENTITY",
        "details": [{
            "issue": "INSTRUMENT_DECLINED",
            "description": "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment."
        }],
        "message": "The requested action could not be performed, semantically incorrect, or failed business validation.",
        "debug_id": "f5ad2ec9e1a8e",
        "links": [{
            "href": "https://developer.paypal.com/docs/api/orders/v2/#error-INSTRUMENT_DECLINED",
            "rel": "information_link",
            "method": "GET"
        }]
    })
}

#[test]
fn a_declined_instrument_is_a_typed_issue_with_its_debug_id_and_decline() -> TestResult {
    let error = decode(422, instrument_declined())?;

    assert!(matches!(error, PaypalError::UnprocessableEntity { .. }));
    assert_eq!(error.issue(), Some(&Issue::InstrumentDeclined));
    assert_eq!(error.reference(), Some("f5ad2ec9e1a8e"), "debug_id");
    assert_eq!(error.class(), ErrorClass::CardDecline);
    assert!(!error.class().is_retry_safe());
    let decline = error.decline().ok_or("a decline")?;
    assert_eq!(decline.category, DeclineCategory::Generic);
    assert_eq!(decline.code, "INSTRUMENT_DECLINED");
    // The details and links are typed, the rest kept.
    let PaypalError::UnprocessableEntity {
        details,
        links,
        debug_id,
        ..
    } = &error
    else {
        return Err("UnprocessableEntity".into());
    };
    assert_eq!(debug_id.as_deref(), Some("f5ad2ec9e1a8e"));
    assert_eq!(details.len(), 1);
    assert_eq!(links[0].rel.as_deref(), Some("information_link"));
    // Read as the Orders API's own enum, or the Payments API's (which does not list it).
    let issue = error.issue().ok_or("an issue")?;
    assert_eq!(issue.view::<OrdersIssue>(), OrdersIssue::InstrumentDeclined);
    assert_eq!(
        issue.view::<PaymentsIssue>(),
        PaymentsIssue::Unknown("INSTRUMENT_DECLINED".to_owned())
    );
    assert_eq!(
        error.to_string(),
        "UNPROCESSABLE_ENTITY issue=INSTRUMENT_DECLINED: The requested action could not be \
         performed, semantically incorrect, or failed business validation."
    );
    Ok(())
}

#[test]
fn validation_authentication_and_unknown_issues_are_typed_and_never_retried() -> TestResult {
    let invalid = decode(
        400,
        json!({
            "name": "INVALID_REQUEST",
            "message": "Request is not well-formed, syntactically incorrect, or violates schema.",
            "debug_id": "b1d1f06c7246c",
            "details": [{
                "field": "/purchase_units/0/amount/value",
                "value": 10.001,
                "location": "body",
                "issue": "DECIMAL_PRECISION",
                "description": "If the currency supports decimals, only two decimal place precision is supported."
            }]
        }),
    )?;
    assert_eq!(invalid.issue(), Some(&Issue::DecimalPrecision));
    assert_eq!(invalid.class(), ErrorClass::InvalidRequest);
    assert_eq!(invalid.decline(), None);
    let PaypalError::InvalidRequest { details, .. } = &invalid else {
        return Err("InvalidRequest".into());
    };
    let first: &ErrorDetail = details.first().ok_or("a detail")?;
    assert_eq!(
        first.field.as_deref(),
        Some("/purchase_units/0/amount/value")
    );
    assert_eq!(first.value, Some(json!(10.001)), "a value of any JSON type");

    let unauthenticated = decode(
        401,
        json!({
            "name": "AUTHENTICATION_FAILURE",
            "message": "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
            "debug_id": "a41e3c5c0b8e1",
            "links": [{"href": "https://developer.paypal.com/docs/api/overview/#error", "rel": "information_link"}]
        }),
    )?;
    assert!(matches!(
        unauthenticated,
        PaypalError::AuthenticationFailure { .. }
    ));
    assert_eq!(unauthenticated.issue(), None);
    assert_eq!(unauthenticated.class(), ErrorClass::Authentication);
    assert_eq!(unauthenticated.reference(), Some("a41e3c5c0b8e1"));

    // An issue (and a name) newer than the SDK: kept as received, never retried.
    let newer = decode(
        422,
        json!({
            "name": "UNPROCESSABLE_ENTITY",
            "debug_id": "c0ffee",
            "details": [{"issue": "SOMETHING_NEW"}]
        }),
    )?;
    assert_eq!(
        newer.issue(),
        Some(&Issue::Unknown("SOMETHING_NEW".to_owned()))
    );
    assert_eq!(newer.class(), ErrorClass::InvalidRequest);
    assert!(!newer.class().is_retry_safe());
    let unknown_name = decode(418, json!({"name": "TEAPOT", "debug_id": "d"}))?;
    assert!(matches!(&unknown_name, PaypalError::Unknown { tag, .. } if tag == "TEAPOT"));
    assert_eq!(unknown_name.reference(), Some("d"));
    Ok(())
}

#[test]
fn declines_read_the_same_categories_as_stripe_and_adyen() -> TestResult {
    // (issue, category)
    let cases = [
        ("INSTRUMENT_DECLINED", DeclineCategory::Generic),
        (
            "PAYER_ACTION_REQUIRED",
            DeclineCategory::AuthenticationRequired,
        ),
        ("TRANSACTION_REFUSED", DeclineCategory::Generic),
        ("CARD_EXPIRED", DeclineCategory::ExpiredCard),
        (
            "PAYMENT_SOURCE_DECLINED_BY_PROCESSOR",
            DeclineCategory::Generic,
        ),
        (
            "REFUND_FAILED_INSUFFICIENT_FUNDS",
            DeclineCategory::InsufficientFunds,
        ),
    ];
    for (issue, category) in cases {
        let error = decode(
            422,
            json!({"name": "UNPROCESSABLE_ENTITY", "debug_id": "x", "details": [{"issue": issue}]}),
        )?;
        assert_eq!(
            error.decline().map(|d| d.category),
            Some(category),
            "{issue}"
        );
    }
    // The in-progress answers are conflicts: retried with the same PayPal-Request-Id.
    let in_progress = decode(
        409,
        json!({"name": "RESOURCE_CONFLICT", "debug_id": "x", "details": [{"issue": "PREVIOUS_REQUEST_IN_PROGRESS"}]}),
    )?;
    assert_eq!(in_progress.class(), ErrorClass::Conflict);
    assert!(in_progress.class().is_retry_safe());
    for (name, class) in [
        ("RATE_LIMIT_REACHED", ErrorClass::RateLimited),
        ("INTERNAL_SERVER_ERROR", ErrorClass::ProviderFault),
        ("SERVICE_UNAVAILABLE", ErrorClass::ProviderFault),
    ] {
        let error = decode(500, json!({"name": name, "debug_id": "x"}))?;
        assert_eq!(error.class(), class, "{name}");
        assert!(error.class().is_retry_safe(), "{name}");
    }
    Ok(())
}

#[test]
fn a_capture_declined_in_a_201_is_a_decline_by_processor_response_code() -> TestResult {
    let cases = [
        ("5120", DeclineCategory::InsufficientFunds),
        ("5400", DeclineCategory::ExpiredCard),
        ("0500", DeclineCategory::Generic),
        ("00N7", DeclineCategory::IncorrectCvc),
        ("5110", DeclineCategory::IncorrectCvc),
        ("ZZZZ", DeclineCategory::Unknown),
    ];
    for (code, category) in cases {
        let body = serde_json::to_vec(&declined_capture(code))?;
        let error = PaypalError::from_refusal(http::StatusCode::CREATED, &body)
            .ok_or("a declined capture is a refusal")?;
        let decline = error.decline().ok_or("a decline")?;
        assert_eq!((decline.code.as_str(), decline.category), (code, category));
        assert_eq!(error.class(), ErrorClass::CardDecline);
    }
    // Inside an order (Orders' capture), and only in a 201: reading it later is no error.
    let order = json!({
        "id": "5O190127TN364715T",
        "status": "COMPLETED",
        "purchase_units": [{"reference_id": "default", "payments": {"captures": [declined_capture("5120")]}}]
    });
    let body = serde_json::to_vec(&order)?;
    let error = PaypalError::from_refusal(http::StatusCode::CREATED, &body).ok_or("refused")?;
    let PaypalError::Declined {
        processor_response_response_code,
        details,
        ..
    } = &error
    else {
        return Err("Declined".into());
    };
    assert_eq!(
        processor_response_response_code.as_ref(),
        Some(&ProcessorResponseCode::InsufficientFunds)
    );
    assert_eq!(details.get("id"), Some(&json!("2GG279541U471931P")));
    assert!(PaypalError::from_refusal(http::StatusCode::OK, &body).is_none());
    let completed = serde_json::to_vec(&json!({"id": "C", "status": "COMPLETED"}))?;
    assert!(PaypalError::from_refusal(http::StatusCode::CREATED, &completed).is_none());
    Ok(())
}

fn credentials() -> std::io::Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("paypal-credentials");
    std::fs::write(&path, format!("{CREDENTIALS}\n"))?;
    Ok((dir, path))
}

async fn client(
    server: &PaypalServer,
    credentials: &std::path::Path,
) -> Result<Client<Paypal>, payforge::ConfigError> {
    Client::<Paypal>::builder()
        .secrets(FileSecretProvider::new(credentials))
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            max_elapsed: Duration::from_secs(10),
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .ephemeral_journal()
        .build()
        .await
}

/// The `PayPal-Request-Id` of every API request the server saw.
fn request_ids(server: &PaypalServer) -> Vec<Option<String>> {
    server
        .seen()
        .into_iter()
        .map(|seen| seen.request_id)
        .collect()
}

#[tokio::test]
async fn the_client_returns_a_422_issue_typed_with_its_debug_id_and_does_not_retry() -> TestResult {
    let server = PaypalServer::start().await?;
    server.queue([Fault::Issue {
        status: 422,
        name: "UNPROCESSABLE_ENTITY",
        issue: "INSTRUMENT_DECLINED",
    }]);
    let (_dir, path) = credentials()?;
    let client = client(&server, &path).await?;

    let result = client.send(CaptureOrder::new("5O190127TN364715T")).await;

    let Err(error) = result else {
        return Err("a declined capture is an error".into());
    };
    assert!(matches!(&error, Error::Api { status, .. } if status.as_u16() == 422));
    assert_eq!(error.request_id(), Some("f1a2b3c4d5e6"), "Paypal-Debug-Id");
    let paypal = error.api_error().ok_or("PayPal's error")?;
    assert_eq!(paypal.issue(), Some(&Issue::InstrumentDeclined));
    assert_eq!(paypal.reference(), Some("f1a2b3c4d5e6"), "debug_id");
    assert_eq!(
        error.decline().map(|d| d.category),
        Some(DeclineCategory::Generic)
    );
    let ids = request_ids(&server);
    assert_eq!(ids.len(), 1, "a 4xx issue is never retried");
    assert!(ids[0].is_some(), "the capture carried a PayPal-Request-Id");
    assert!(server.done().is_empty(), "nothing captured");
    Ok(())
}

#[tokio::test]
async fn the_client_turns_a_declined_capture_into_a_decline() -> TestResult {
    let server = PaypalServer::start().await?;
    server.queue([Fault::DeclinedCapture("5400")]);
    let (_dir, path) = credentials()?;
    let client = client(&server, &path).await?;

    let result = client
        .send(CaptureAuthorization::new("0VF52814937998046"))
        .await;

    let Err(error) = result else {
        return Err("a declined capture is no Ok".into());
    };
    assert!(matches!(&error, Error::Api { status, .. } if status.as_u16() == 201));
    let decline = error.decline().ok_or("a decline")?;
    assert_eq!(decline.category, DeclineCategory::ExpiredCard);
    assert_eq!(decline.code, "5400");
    assert_eq!(server.seen().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_408_is_retried_with_the_same_paypal_request_id() -> TestResult {
    let server = PaypalServer::start().await?;
    server.queue([Fault::RequestTimeout, Fault::RequestTimeout]);
    let (_dir, path) = credentials()?;
    let client = client(&server, &path).await?;

    let order = client.send(CaptureOrder::new("O-7")).await?;

    assert_eq!(order.id.as_deref(), Some("O-7"));
    let ids = request_ids(&server);
    assert_eq!(ids.len(), 3, "two timeouts, then the capture");
    assert!(ids[0].is_some());
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(server.done(), ["captured O-7"], "captured once");
    Ok(())
}
