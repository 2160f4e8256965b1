#[derive(Debug, payforge::ProviderError)]
#[provider_error(top_level, tag = "errorType")]
pub enum ShopError {
    #[provider_error(result = "resultCode", refused = ["Refused"], class = card_decline)]
    Refused {
        #[provider_error(decline, rename = "refusalReasonCode")]
        reason_code: Option<String>,
    },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {}
