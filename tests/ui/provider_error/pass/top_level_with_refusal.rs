use payforge::{ApiError, DeclineCategory, ProviderError};

#[derive(Clone, Debug, PartialEq, Eq, Hash, ProviderError)]
pub enum RefusalReason {
    #[provider_error(code = "12", class = card_decline, category = insufficient_funds)]
    NotEnoughBalance,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, ProviderError)]
#[provider_error(top_level, tag = "errorType")]
pub enum ShopError {
    #[provider_error(tag = "validation", class = invalid_request)]
    Validation {
        status: Option<i64>,
        message: Option<String>,
        #[provider_error(reference, rename = "pspReference")]
        psp_reference: Option<String>,
    },
    #[provider_error(result = "resultCode", refused = ["Refused"], class = card_decline)]
    Refused {
        #[provider_error(classify, decline, rename = "refusalReasonCode")]
        reason_code: Option<RefusalReason>,
        #[provider_error(message, rename = "refusalReason")]
        reason: Option<String>,
    },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {
    let body = br#"{"resultCode":"Refused","refusalReasonCode":"12"}"#;
    let refused = ShopError::from_refusal(payforge::__private::http::StatusCode::OK, body);
    let category = refused.and_then(|error| error.decline()).map(|decline| decline.category);
    assert_eq!(category, Some(DeclineCategory::InsufficientFunds));
}
