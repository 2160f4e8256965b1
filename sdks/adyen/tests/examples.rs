//! Every request and response example embedded in the pinned Checkout spec (the `examples`
//! of its JSON media types, `$ref`s to `components/examples`) decodes into the generated type
//! of its body's schema and re-encodes with no field lost or changed; a mismatch is reported
//! with the example, the schema and the JSON path. Needs every type: run with
//! `--all-features`.
#![cfg(feature = "full")]

use std::path::PathBuf;

use payforge::wire::{BodyExample, body_examples, round_trip_losses};
use serde_json::Value;

/// Defines `round_trip(schema, value)`: decode `value` as the generated type of the
/// component schema of the same name and encode it again; `None` for a schema the table
/// does not list (the test then fails, naming it).
macro_rules! schema_table {
    ($($ty:ident,)*) => {
        fn round_trip(schema: &str, value: &Value) -> Option<Result<Value, serde_json::Error>> {
            match schema {
                $(stringify!($ty) => Some(
                    serde_json::from_value::<payforge_adyen::$ty>(value.clone())
                        .and_then(|typed| serde_json::to_value(&typed)),
                ),)*
                _ => None,
            }
        }
    };
}

// Every schema that a media type with examples names.
schema_table! {
    ApplePaySessionRequest,
    ApplePaySessionResponse,
    BalanceCheckRequest,
    BalanceCheckResponse,
    CancelOrderRequest,
    CancelOrderResponse,
    CardDetailsRequest,
    CardDetailsResponse,
    CheckoutForwardRequest,
    CheckoutForwardResponse,
    CreateCheckoutSessionRequest,
    CreateCheckoutSessionResponse,
    CreateOrderRequest,
    CreateOrderResponse,
    DonationCampaignsRequest,
    DonationCampaignsResponse,
    DonationPaymentRequest,
    DonationPaymentResponse,
    ListStoredPaymentMethodsResponse,
    PaymentAmountUpdateRequest,
    PaymentAmountUpdateResponse,
    PaymentCancelRequest,
    PaymentCancelResponse,
    PaymentCaptureRequest,
    PaymentCaptureResponse,
    PaymentDetailsRequest,
    PaymentDetailsResponse,
    PaymentLinkRequest,
    PaymentLinkResponse,
    PaymentMethodsRequest,
    PaymentMethodsResponse,
    PaymentRefundRequest,
    PaymentRefundResponse,
    PaymentRequest,
    PaymentResponse,
    PaymentReversalRequest,
    PaymentReversalResponse,
    PaypalUpdateOrderRequest,
    PaypalUpdateOrderResponse,
    ServiceError,
    SessionResultResponse,
    StandalonePaymentCancelRequest,
    StandalonePaymentCancelResponse,
    StoredPaymentMethodRequest,
    StoredPaymentMethodResource,
    UpdatePaymentLinkRequest,
    UtilityRequest,
    UtilityResponse,
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The pinned Checkout spec, as JSON.
fn checkout_spec() -> Result<Value, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::var("PAYFORGE_SPECS_DIR")?);
    let text = std::fs::read_to_string(dir.join("adyen/CheckoutService-v72.json"))?;
    Ok(serde_json::from_str(&text)?)
}

#[test]
fn every_example_of_the_checkout_spec_round_trips_through_its_generated_type() -> TestResult {
    let examples = body_examples(&checkout_spec()?)?;
    assert_eq!(examples.len(), 200, "the pinned spec has 200 body examples");
    let mut failures = Vec::new();
    for example in &examples {
        let BodyExample {
            place,
            schema,
            value,
        } = example;
        match round_trip(schema, value) {
            None => failures.push(format!(
                "{place}: no generated type for `{schema}` in the table"
            )),
            Some(Err(error)) => {
                failures.push(format!("{place}: does not decode as `{schema}`: {error}"))
            }
            Some(Ok(encoded)) => failures.extend(round_trip_losses(
                &format!("{place} ({schema}) $"),
                value,
                &encoded,
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{failures:#?}",
        failures.len()
    );
    Ok(())
}
