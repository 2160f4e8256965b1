//! `#[derive(WebhookEvent)]`: events decode by type into typed objects; unknown types are
//! kept raw.

use payforge::webhook::EventPayload;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct PaymentIntent {
    id: String,
    amount: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Customer {
    id: String,
}

#[derive(Clone, Debug, PartialEq, payforge::WebhookEvent)]
enum EventObject {
    #[event("payment_intent.succeeded")]
    PaymentIntentSucceeded(PaymentIntent),
    #[event("payment_intent.payment_failed")]
    PaymentIntentPaymentFailed(PaymentIntent),
    #[event("customer.created")]
    CustomerCreated(Customer),
    #[event(unknown)]
    Unknown { event_type: String, object: Value },
}

#[test]
fn a_known_type_decodes_its_object() -> Result<(), serde_json::Error> {
    let object = json!({"id": "pi_1", "amount": 2000, "currency": "usd"});
    let event = EventObject::decode("payment_intent.payment_failed", object)?;
    let intent = PaymentIntent {
        id: "pi_1".to_owned(),
        amount: 2000,
    };
    assert_eq!(event, EventObject::PaymentIntentPaymentFailed(intent));
    assert_eq!(event.event_type(), "payment_intent.payment_failed");
    Ok(())
}

#[test]
fn an_unknown_type_keeps_the_raw_object() -> Result<(), serde_json::Error> {
    let object = json!({"id": "tc_1", "frozen_time": 1});
    let event = EventObject::decode("test_helpers.test_clock.ready", object.clone())?;
    let expected = EventObject::Unknown {
        event_type: "test_helpers.test_clock.ready".to_owned(),
        object,
    };
    assert_eq!(event, expected);
    assert_eq!(event.event_type(), "test_helpers.test_clock.ready");
    Ok(())
}

#[test]
fn a_known_type_with_a_mismatched_object_is_an_error() {
    let decoded = EventObject::decode("customer.created", json!({"id": 7}));
    assert!(decoded.is_err(), "{decoded:?}");
}

#[test]
fn known_types_lists_every_declared_type_in_order() {
    assert_eq!(
        EventObject::known_types(),
        [
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "customer.created"
        ]
    );
}
