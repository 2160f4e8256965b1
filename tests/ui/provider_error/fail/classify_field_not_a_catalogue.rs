#[derive(Debug, payforge::ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
pub enum ShopError {
    #[provider_error(tag = "card_error", class = card_decline)]
    Card {
        #[provider_error(classify)]
        code: Option<String>,
    },
    #[provider_error(unknown)]
    Unknown { tag: String },
}

fn main() {}
