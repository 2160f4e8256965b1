#[derive(Debug, payforge::ProviderError)]
#[provider_error(envelope = "error", top_level, tag = "type")]
pub enum ShopError {
    #[provider_error(tag = "card_error", class = card_decline)]
    Card { message: Option<String> },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {}
