#[derive(Debug, payforge::ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
pub enum ShopError {
    #[provider_error(tag = "api_error", class = provider_fault)]
    Api { message: Option<String> },
    #[provider_error(tag = "api_error", class = invalid_request)]
    Invalid { message: Option<String> },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {}
