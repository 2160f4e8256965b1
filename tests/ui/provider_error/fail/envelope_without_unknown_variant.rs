#[derive(Debug, payforge::ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
pub enum ShopError {
    #[provider_error(tag = "api_error", class = provider_fault)]
    Api { message: Option<String> },
}

fn main() {}
