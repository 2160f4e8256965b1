//! Every request and response example embedded in the pinned Checkout spec (the `examples`
//! of its JSON media types, `$ref`s to `components/examples`) decodes into the generated type
//! of its body's schema and re-encodes with no field lost or changed; a mismatch is reported
//! with the example, the schema and the JSON path. Needs every type: run with
//! `--all-features`.
#![cfg(feature = "full")]

use std::path::PathBuf;

use payforge::wire::round_trip_losses;
use serde_json::{Map, Value};

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

/// One example of a body: where it is, the schema of its body and its value.
struct Example {
    place: String,
    schema: String,
    value: Value,
}

/// Every example of every JSON request and response body of the spec, its `$ref`s to
/// `components/examples` followed.
fn examples(spec: &Value) -> Result<Vec<Example>, String> {
    let shared = spec
        .pointer("/components/examples")
        .and_then(Value::as_object);
    let mut out = Vec::new();
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no paths")?;
    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let mut bodies: Vec<(String, &Value)> = Vec::new();
            if let Some(body) = operation.get("requestBody") {
                bodies.push(("request".to_owned(), body));
            }
            for (status, response) in operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                bodies.push((format!("response {status}"), response));
            }
            for (which, body) in bodies {
                let Some(media) = body.pointer("/content/application~1json") else {
                    continue;
                };
                let schema = media
                    .pointer("/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .unwrap_or("(inline)");
                for (name, example) in media
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let place =
                        format!("{} {path} {which} example `{name}`", method.to_uppercase());
                    let value =
                        resolve(example, shared).ok_or_else(|| format!("{place}: no value"))?;
                    out.push(Example {
                        place,
                        schema: schema.to_owned(),
                        value: value.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// An example's value, through its `$ref` to `components/examples` if it has one.
fn resolve<'a>(example: &'a Value, shared: Option<&'a Map<String, Value>>) -> Option<&'a Value> {
    let example = match example.get("$ref").and_then(Value::as_str) {
        Some(reference) => shared?.get(reference.strip_prefix("#/components/examples/")?)?,
        None => example,
    };
    example.get("value")
}

#[test]
fn every_example_of_the_checkout_spec_round_trips_through_its_generated_type() -> TestResult {
    let examples = examples(&checkout_spec()?)?;
    assert_eq!(examples.len(), 200, "the pinned spec has 200 body examples");
    let mut failures = Vec::new();
    for example in &examples {
        let Example {
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
