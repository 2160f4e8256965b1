//! `#[derive(ProviderError)]` on a small hand-written Stripe catalogue: real Stripe error
//! bodies decode into distinct typed variants, unknown codes and types are kept, and the
//! class drives retries.

use payforge::{ApiError, ErrorCatalogue, ErrorClass, ProviderError};
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq, Hash, ProviderError)]
enum ErrorCode {
    #[provider_error(code = "card_declined", class = card_decline)]
    CardDeclined,
    #[provider_error(code = "expired_card", class = card_decline, user_message = "Your card has expired.")]
    ExpiredCard,
    #[provider_error(code = "incorrect_cvc", class = card_decline, user_message = "Your card's security code is incorrect.")]
    IncorrectCvc,
    #[provider_error(code = "lock_timeout", class = conflict)]
    LockTimeout,
    #[provider_error(code = "rate_limit", class = rate_limited)]
    RateLimit,
    #[provider_error(code = "resource_missing", class = invalid_request)]
    ResourceMissing,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, ProviderError)]
enum DeclineCode {
    #[provider_error(code = "insufficient_funds", class = card_decline, user_message = "Your card has insufficient funds.")]
    InsufficientFunds,
    #[provider_error(code = "generic_decline", class = card_decline, user_message = "Your card was declined.")]
    GenericDecline,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
enum StripeError {
    #[provider_error(tag = "card_error", class = card_decline)]
    Card {
        #[provider_error(classify)]
        code: ErrorCode,
        #[provider_error(classify, rename = "decline_code")]
        decline: Option<DeclineCode>,
        message: Option<String>,
        param: Option<String>,
        #[provider_error(rest)]
        details: Map<String, Value>,
    },
    #[provider_error(tag = "invalid_request_error", class = invalid_request)]
    InvalidRequest {
        #[provider_error(classify)]
        code: Option<ErrorCode>,
        message: Option<String>,
        param: Option<String>,
    },
    #[provider_error(tag = "api_error", class = provider_fault)]
    Api { message: Option<String> },
    #[provider_error(unknown)]
    Unknown {
        tag: String,
        #[provider_error(classify)]
        code: Option<ErrorCode>,
        message: Option<String>,
        #[provider_error(rest)]
        details: Map<String, Value>,
    },
}

fn decode(body: &str) -> Option<StripeError> {
    StripeError::from_response(http::StatusCode::PAYMENT_REQUIRED, body.as_bytes())
}

fn card_error(code: &str, decline_code: Option<&str>) -> String {
    let decline = decline_code.map_or_else(String::new, |d| format!(r#""decline_code": "{d}","#));
    format!(
        r#"{{"error": {{"type": "card_error", "code": "{code}", {decline}
            "message": "Declined.", "charge": "ch_1", "doc_url": "https://stripe.com/docs/error-codes/{code}"}}}}"#
    )
}

#[test]
fn each_card_failure_decodes_to_a_distinct_variant() {
    let cases = [
        (
            card_error("card_declined", Some("insufficient_funds")),
            ErrorCode::CardDeclined,
            Some(DeclineCode::InsufficientFunds),
        ),
        (
            card_error("expired_card", None),
            ErrorCode::ExpiredCard,
            None,
        ),
        (
            card_error("incorrect_cvc", None),
            ErrorCode::IncorrectCvc,
            None,
        ),
        (
            card_error("card_declined", Some("generic_decline")),
            ErrorCode::CardDeclined,
            Some(DeclineCode::GenericDecline),
        ),
    ];
    for (body, expected_code, expected_decline) in cases {
        match decode(&body) {
            Some(StripeError::Card {
                code,
                decline,
                message,
                details,
                ..
            }) => {
                assert_eq!((code, decline), (expected_code, expected_decline), "{body}");
                assert_eq!(message.as_deref(), Some("Declined."));
                assert_eq!(details.get("charge"), Some(&Value::from("ch_1")));
                assert!(!details.contains_key("type") && !details.contains_key("code"));
            }
            other => panic!("{body}: expected a card error, got {other:?}"),
        }
    }
}

#[test]
fn catalogue_codes_carry_their_class_and_customer_message() {
    assert_eq!(DeclineCode::InsufficientFunds.code(), "insufficient_funds");
    assert_eq!(
        DeclineCode::InsufficientFunds.class(),
        ErrorClass::CardDecline
    );
    assert_eq!(
        DeclineCode::InsufficientFunds.user_message(),
        Some("Your card has insufficient funds.")
    );
    assert_eq!(ErrorCode::LockTimeout.user_message(), None);
    assert_eq!(ErrorCode::default(), ErrorCode::Unknown(String::new()));
    assert_eq!(
        ErrorCode::Unknown("new_code".to_owned()).class(),
        ErrorClass::Unknown
    );
    assert_eq!(ErrorCode::ExpiredCard.to_string(), "expired_card");
}

#[test]
fn an_unknown_code_or_type_is_kept_not_lost() {
    let unknown_code = decode(&card_error("card_velocity_exceeded_v2", None));
    assert!(
        matches!(&unknown_code, Some(StripeError::Card { code: ErrorCode::Unknown(code), .. }) if code == "card_velocity_exceeded_v2"),
        "{unknown_code:?}"
    );
    let unknown_type = decode(
        r#"{"error": {"type": "temporary_session_expired", "code": "rate_limit", "message": "Expired.", "extra": 1}}"#,
    );
    match unknown_type {
        Some(StripeError::Unknown {
            tag,
            code,
            message,
            details,
        }) => {
            assert_eq!(tag, "temporary_session_expired");
            assert_eq!(code, Some(ErrorCode::RateLimit));
            assert_eq!(message.as_deref(), Some("Expired."));
            assert_eq!(details.get("extra"), Some(&Value::from(1)));
        }
        other => panic!("expected the unknown variant, got {other:?}"),
    }
}

#[test]
fn a_missing_required_code_is_the_empty_unknown_code() {
    let decoded = decode(r#"{"error": {"type": "card_error"}}"#);
    assert!(
        matches!(decoded, Some(StripeError::Card { code: ErrorCode::Unknown(ref code), decline: None, .. }) if code.is_empty())
    );
}

#[test]
fn bodies_that_are_not_the_error_shape_give_none() {
    let cases = [
        "<html>502 Bad Gateway</html>",
        "",
        r#"{"message": "no envelope"}"#,
        r#"{"error": "a string"}"#,
        r#"{"error": {"type": "card_error", "code": 42}}"#,
    ];
    for body in cases {
        assert_eq!(decode(body), None, "{body}");
    }
}

#[test]
fn class_is_the_type_refined_by_the_codes() {
    let cases = [
        (
            card_error("card_declined", Some("insufficient_funds")),
            ErrorClass::CardDecline,
        ),
        (
            r#"{"error": {"type": "invalid_request_error", "code": "lock_timeout"}}"#.to_owned(),
            ErrorClass::Conflict,
        ),
        (
            r#"{"error": {"type": "invalid_request_error", "code": "rate_limit"}}"#.to_owned(),
            ErrorClass::RateLimited,
        ),
        (
            r#"{"error": {"type": "invalid_request_error", "code": "never_seen"}}"#.to_owned(),
            ErrorClass::InvalidRequest,
        ),
        (
            r#"{"error": {"type": "invalid_request_error"}}"#.to_owned(),
            ErrorClass::InvalidRequest,
        ),
        (
            r#"{"error": {"type": "api_error"}}"#.to_owned(),
            ErrorClass::ProviderFault,
        ),
        (
            r#"{"error": {"type": "brand_new"}}"#.to_owned(),
            ErrorClass::Unknown,
        ),
    ];
    for (body, expected) in cases {
        let class = decode(&body).map(|error| error.class());
        assert_eq!(class, Some(expected), "{body}");
    }
}

#[test]
fn display_names_type_codes_and_message_but_never_the_raw_body() {
    let body = card_error("card_declined", Some("insufficient_funds"));
    let shown = decode(&body)
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert_eq!(
        shown,
        "card_error code=card_declined decline_code=insufficient_funds: Declined."
    );
    assert!(!shown.contains("ch_1"));
    let unknown = decode(r#"{"error": {"type": "brand_new"}}"#).map(|error| error.to_string());
    assert_eq!(unknown.as_deref(), Some("brand_new"));
}
