//! The Adyen SDK against Adyen's own JSON: a real PaymentResponse (from the pinned spec's
//! examples) decodes, and `paymentMethod`, a union tagged by `type`, encodes and decodes
//! by its tag, an unknown `type` kept as raw JSON.
#![cfg(all(feature = "payments", feature = "payment_methods"))]

use payforge_adyen::{
    CardDetails, IdealDetails, PaymentRequestPaymentMethod, PaymentResponse, PaymentResponseAction,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `post-payments-card-3d-secure-redirect-200` of the Checkout spec's examples.
const REDIRECT_RESPONSE: &str = r#"{
  "additionalData": {
    "cardSummary": "5454",
    "threeds2.cardEnrolled": "true",
    "paymentMethod": "mc",
    "fundingSource": "CREDIT",
    "merchantReference": "Your order number",
    "cardIssuingCountry": "PL"
  },
  "pspReference": "JLCMPCQ8HXSKGK82",
  "resultCode": "RedirectShopper",
  "action": {
    "paymentMethodType": "scheme",
    "url": "https://checkoutshopper-test.adyen.com/checkoutshopper/threeDS/redirect...",
    "method": "GET",
    "type": "redirect"
  }
}"#;

#[test]
fn a_payment_response_decodes_with_its_action_and_additional_data() -> TestResult {
    let response: PaymentResponse = serde_json::from_str(REDIRECT_RESPONSE)?;
    assert_eq!(response.psp_reference.as_deref(), Some("JLCMPCQ8HXSKGK82"));
    let additional = response.additional_data.clone().unwrap_or_default();
    assert_eq!(
        additional.get("cardSummary").map(String::as_str),
        Some("5454")
    );
    match &response.action {
        Some(PaymentResponseAction::CheckoutRedirectAction(action)) => {
            assert_eq!(
                action.url.as_deref(),
                Some("https://checkoutshopper-test.adyen.com/checkoutshopper/threeDS/redirect...")
            );
        }
        other => panic!("expected a redirect action, got {other:?}"),
    }
    // Nothing is lost on the way back.
    let back = serde_json::to_value(&response)?;
    assert_eq!(back, serde_json::from_str::<Value>(REDIRECT_RESPONSE)?);
    Ok(())
}

#[test]
fn payment_methods_decode_by_their_type_and_encode_as_themselves() -> TestResult {
    let cases = [
        (
            json!({"type": "scheme", "encryptedCardNumber": "test_4111111111111111", "holderName": "J. Smith"}),
            "CardDetails",
        ),
        (json!({"type": "ideal", "issuer": "1121"}), "IdealDetails"),
        (
            json!({"type": "a_method_from_the_future", "token": "abc"}),
            "Unknown",
        ),
    ];
    for (wire, expected) in cases {
        let method: PaymentRequestPaymentMethod = serde_json::from_value(wire.clone())?;
        let variant = match &method {
            PaymentRequestPaymentMethod::CardDetails(_) => "CardDetails",
            PaymentRequestPaymentMethod::IdealDetails(_) => "IdealDetails",
            PaymentRequestPaymentMethod::Unknown(_) => "Unknown",
            _ => "another member",
        };
        assert_eq!(variant, expected, "{wire}");
        assert_eq!(
            serde_json::to_value(&method)?,
            wire,
            "{expected} re-encodes"
        );
    }
    Ok(())
}

#[test]
fn a_member_of_the_wrong_shape_is_an_error_naming_it_not_an_unknown() {
    let wire = json!({"type": "ideal", "issuer": 1121});
    let decoded = serde_json::from_value::<PaymentRequestPaymentMethod>(wire);
    assert!(decoded.is_err(), "{decoded:?}");
}

#[test]
fn typed_members_build_and_encode() -> TestResult {
    let card: CardDetails = serde_json::from_value(json!({"type": "scheme"}))?;
    let ideal: IdealDetails = serde_json::from_value(json!({"type": "ideal"}))?;
    let encoded = serde_json::to_value([
        PaymentRequestPaymentMethod::CardDetails(card),
        PaymentRequestPaymentMethod::IdealDetails(ideal),
    ])?;
    assert_eq!(encoded, json!([{"type": "scheme"}, {"type": "ideal"}]));
    Ok(())
}
