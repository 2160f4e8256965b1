#[derive(Debug, payforge::ProviderError)]
#[provider_error(top_level, tag = "errorType")]
pub enum ShopError {
    #[provider_error(result = "resultCode", class = card_decline)]
    Refused { reason: Option<String> },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {}
