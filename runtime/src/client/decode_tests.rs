//! The decode path of declines, with hand-declared error enums of the two envelope shapes:
//! one wrapped (`{"error": {...}}`, declines as HTTP errors) and one at the top of the body
//! with refusals reported in a 200 (`resultCode: Refused`). Both give the same `Decline`.

use http::StatusCode;
use serde::Deserialize;

use super::decode::{BodyKind, decode_response};
use crate::{ApiError, Decline, DeclineCategory, Error, ErrorClass};

/// A wrapped provider's decline codes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, crate::ProviderError)]
enum WrappedDeclineCode {
    #[provider_error(code = "insufficient_funds", class = card_decline, category = insufficient_funds)]
    InsufficientFunds,
    Unknown(String),
}

/// A wrapped provider's error codes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, crate::ProviderError)]
enum WrappedCode {
    #[provider_error(code = "card_declined", class = card_decline, category = generic)]
    CardDeclined,
    #[provider_error(code = "expired_card", class = card_decline, category = expired_card)]
    ExpiredCard,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, crate::ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
enum WrappedError {
    #[provider_error(tag = "card_error", class = card_decline)]
    Card {
        #[provider_error(classify)]
        code: WrappedCode,
        #[provider_error(classify, decline, rename = "decline_code")]
        decline: Option<WrappedDeclineCode>,
        message: Option<String>,
    },
    #[provider_error(unknown)]
    Unknown {
        tag: String,
        message: Option<String>,
    },
}

/// A top-level provider's error codes: strings, never numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, crate::ProviderError)]
enum TopCode {
    #[provider_error(code = "101", class = card_decline, category = incorrect_number)]
    InvalidCardNumber,
    #[provider_error(code = "14_030", class = invalid_request)]
    ReturnUrlMissing,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, crate::ProviderError)]
enum ResultCode {
    #[provider_error(code = "Authorised", class = unknown)]
    Authorised,
    #[provider_error(code = "Refused", class = card_decline, category = generic)]
    Refused,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, crate::ProviderError)]
enum RefusalReason {
    #[provider_error(code = "12", class = card_decline, category = insufficient_funds)]
    NotEnoughBalance,
    #[provider_error(code = "6", class = card_decline, category = expired_card)]
    ExpiredCard,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, crate::ProviderError)]
#[provider_error(top_level, tag = "errorType")]
enum TopError {
    #[provider_error(tag = "validation", class = invalid_request)]
    Validation {
        status: Option<i64>,
        #[provider_error(classify, rename = "errorCode")]
        code: Option<TopCode>,
        message: Option<String>,
        #[provider_error(reference, rename = "pspReference")]
        psp_reference: Option<String>,
        #[provider_error(rest)]
        details: serde_json::Map<String, serde_json::Value>,
    },
    #[provider_error(tag = "security", class = authentication)]
    Security {
        #[provider_error(classify, rename = "errorCode")]
        code: Option<TopCode>,
        message: Option<String>,
    },
    #[provider_error(result = "resultCode", refused = ["Refused"], class = card_decline)]
    Refused {
        #[provider_error(rename = "resultCode")]
        result_code: ResultCode,
        #[provider_error(classify, decline, rename = "refusalReasonCode")]
        refusal_reason_code: Option<RefusalReason>,
        #[provider_error(message, rename = "refusalReason")]
        refusal_reason: Option<String>,
        #[provider_error(reference, rename = "pspReference")]
        psp_reference: Option<String>,
        #[provider_error(rest)]
        details: serde_json::Map<String, serde_json::Value>,
    },
    #[provider_error(unknown)]
    Unknown {
        tag: String,
        #[provider_error(classify, rename = "errorCode")]
        code: Option<TopCode>,
        message: Option<String>,
        #[provider_error(reference, rename = "pspReference")]
        psp_reference: Option<String>,
    },
}

/// A payment output, as a generated response type.
#[derive(Debug, Deserialize)]
struct PaymentResponse {
    #[serde(rename = "resultCode")]
    result_code: String,
}

fn decode<E: ApiError>(status: u16, body: &str) -> Result<PaymentResponse, Error<E>> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    decode_response(status, Some("req_1"), BodyKind::Json, body.as_bytes())
}

fn decline(category: DeclineCategory, code: &str, message: Option<&str>) -> Option<Decline> {
    Some(Decline {
        category,
        code: code.to_owned(),
        message: message.map(str::to_owned),
    })
}

#[test]
fn a_refused_200_is_an_api_error_with_its_decline() {
    let body = r#"{"pspReference":"V4HZ4RBFJGXXGN82","resultCode":"Refused",
        "refusalReason":"Not enough balance","refusalReasonCode":"12","merchantReference":"o-1"}"#;
    let error = match decode::<TopError>(200, body) {
        Err(error) => error,
        Ok(output) => panic!("a refusal decoded as an output: {output:?}"),
    };
    assert_eq!(
        error.decline(),
        decline(
            DeclineCategory::InsufficientFunds,
            "12",
            Some("Not enough balance")
        )
    );
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert!(!error.is_retry_safe());
    let Error::Api { error: api, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.reference(), Some("V4HZ4RBFJGXXGN82"));
    match api {
        TopError::Refused {
            result_code: ResultCode::Refused,
            refusal_reason_code: Some(RefusalReason::NotEnoughBalance),
            details,
            ..
        } => assert_eq!(details.get("merchantReference"), Some(&"o-1".into())),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        api.to_string(),
        "refused refusalReasonCode=12: Not enough balance"
    );
}

#[test]
fn success_bodies_that_are_no_refusal_decode_into_the_output() {
    let cases = [
        r#"{"resultCode":"Authorised","pspReference":"X"}"#,
        r#"{"resultCode":"RedirectShopper"}"#,
    ];
    for body in cases {
        match decode::<TopError>(200, body) {
            Ok(output) => assert!(body.contains(&output.result_code)),
            Err(error) => panic!("{body}: {error}"),
        }
    }
}

#[test]
fn a_refusal_is_kept_whatever_shape_its_fields_have() {
    // A reason code sent as a number and an unknown reason: still a refusal, the odd value
    // kept in `details`, the category the fallback.
    let cases = [
        (r#"{"resultCode":"Refused","refusalReasonCode":12}"#, ""),
        (r#"{"resultCode":"Refused","refusalReasonCode":"99"}"#, "99"),
    ];
    for (body, code) in cases {
        let error = decode::<TopError>(200, body).err();
        let found = error.as_ref().and_then(Error::decline);
        assert_eq!(
            found,
            decline(DeclineCategory::Unknown, code, None),
            "{body}"
        );
    }
    if let Some(Error::Api {
        error: TopError::Refused { details, .. },
        ..
    }) = decode::<TopError>(200, cases[0].0).err()
    {
        assert_eq!(details.get("refusalReasonCode"), Some(&12.into()));
    } else {
        panic!("not a refusal");
    }
}

#[test]
fn service_errors_at_the_top_of_the_body_decode_by_type() {
    let cases: [(u16, &str, ErrorClass, Option<Decline>); 5] = [
        // The spec's own 401 example: a generic code, classed by its type.
        (
            401,
            r#"{"status":401,"errorCode":"000","message":"HTTP Status Response - Unauthorized","errorType":"security"}"#,
            ErrorClass::Authentication,
            None,
        ),
        (
            422,
            r#"{"status":422,"errorCode":"14_030","message":"Return URL is missing.","errorType":"validation","pspReference":"8816118280275544"}"#,
            ErrorClass::InvalidRequest,
            None,
        ),
        (
            422,
            r#"{"status":422,"errorCode":"101","message":"Invalid card number","errorType":"validation"}"#,
            ErrorClass::CardDecline,
            decline(
                DeclineCategory::IncorrectNumber,
                "101",
                Some("Invalid card number"),
            ),
        ),
        // An error code newer than the catalogue: kept as received.
        (
            422,
            r#"{"status":422,"errorCode":"99_999","message":"New","errorType":"validation"}"#,
            ErrorClass::InvalidRequest,
            None,
        ),
        // An error type newer than the catalogue.
        (
            500,
            r#"{"status":500,"errorCode":"905","message":"x","errorType":"quantum"}"#,
            ErrorClass::Unknown,
            None,
        ),
    ];
    for (status, body, class, expected) in cases {
        let error = match decode::<TopError>(status, body) {
            Err(Error::Api { error, .. }) => error,
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(error.class(), class, "{body}");
        assert_eq!(error.decline(), expected, "{body}");
    }
    match decode::<TopError>(
        422,
        r#"{"errorType":"validation","errorCode":"99_999","status":422}"#,
    ) {
        Err(Error::Api {
            error:
                TopError::Validation {
                    code: Some(TopCode::Unknown(code)),
                    status,
                    ..
                },
            ..
        }) => assert_eq!((code.as_str(), status), ("99_999", Some(422))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bodies_that_are_no_error_object_are_decode_failures() {
    for body in [
        "<html>502</html>",
        r#"{"error":{"type":"card_error"}}"#,
        "[]",
    ] {
        match decode::<TopError>(502, body) {
            Err(Error::Decode { .. }) => {}
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn a_wrapped_card_error_gives_the_same_decline_shape() {
    let cases = [
        (
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#,
            decline(
                DeclineCategory::InsufficientFunds,
                "insufficient_funds",
                Some("Your card has insufficient funds."),
            ),
        ),
        // No decline code: the error code is the decline's code.
        (
            r#"{"error":{"type":"card_error","code":"expired_card"}}"#,
            decline(DeclineCategory::ExpiredCard, "expired_card", None),
        ),
        (
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"brand_new"}}"#,
            decline(DeclineCategory::Unknown, "brand_new", None),
        ),
        (r#"{"error":{"type":"api_error","message":"x"}}"#, None),
    ];
    for (body, expected) in cases {
        let error = decode::<WrappedError>(402, body).err();
        assert_eq!(error.as_ref().and_then(Error::decline), expected, "{body}");
    }
}

/// The user's side: one function handles insufficient funds for both providers.
#[test]
fn insufficient_funds_is_handled_once_for_both_shapes() {
    fn wants_another_card<E: ApiError>(error: &Error<E>) -> bool {
        error.decline().map(|d| d.category) == Some(DeclineCategory::InsufficientFunds)
    }
    let refused = decode::<TopError>(200, r#"{"resultCode":"Refused","refusalReasonCode":"12"}"#);
    let card = decode::<WrappedError>(
        402,
        r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}"#,
    );
    assert!(refused.as_ref().err().is_some_and(wants_another_card));
    assert!(card.as_ref().err().is_some_and(wants_another_card));
}
