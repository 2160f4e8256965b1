//! Stripe's generated errors read through the provider-neutral decline view: a
//! `card_error` gives the same `Decline { category, code, message }` as any provider's.

use payforge::{ApiError, Decline, DeclineCategory, ErrorClass};
use payforge_stripe::errors::{DeclineCode, ErrorCode, StripeError};

fn decode(body: &str) -> Option<StripeError> {
    StripeError::from_response(http::StatusCode::PAYMENT_REQUIRED, body.as_bytes())
}

fn decline(category: DeclineCategory, code: &str, message: Option<&str>) -> Option<Decline> {
    Some(Decline {
        category,
        code: code.to_owned(),
        message: message.map(str::to_owned),
    })
}

#[test]
fn card_errors_give_the_provider_neutral_decline() {
    let cases = [
        (
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#,
            decline(
                DeclineCategory::InsufficientFunds,
                "insufficient_funds",
                Some("Your card has insufficient funds."),
            ),
        ),
        (
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"stolen_card"}}"#,
            decline(DeclineCategory::LostOrStolen, "stolen_card", None),
        ),
        (
            r#"{"error":{"type":"card_error","code":"incorrect_cvc","decline_code":"incorrect_cvc"}}"#,
            decline(DeclineCategory::IncorrectCvc, "incorrect_cvc", None),
        ),
        (
            r#"{"error":{"type":"card_error","code":"expired_card"}}"#,
            decline(DeclineCategory::ExpiredCard, "expired_card", None),
        ),
        (
            r#"{"error":{"type":"invalid_request_error","code":"resource_missing"}}"#,
            None,
        ),
    ];
    for (body, expected) in cases {
        let error = decode(body);
        assert_eq!(
            error.as_ref().and_then(ApiError::decline),
            expected,
            "{body}"
        );
    }
}

#[test]
fn the_typed_match_is_unchanged() {
    let body = r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}"#;
    match decode(body) {
        Some(
            error @ StripeError::Card {
                code: ErrorCode::CardDeclined,
                decline: Some(DeclineCode::InsufficientFunds),
                ..
            },
        ) => assert_eq!(error.class(), ErrorClass::CardDecline),
        other => panic!("{other:?}"),
    }
}
