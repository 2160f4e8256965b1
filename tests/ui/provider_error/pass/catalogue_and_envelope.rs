use payforge::ProviderError;

#[derive(Clone, Debug, PartialEq, Eq, Hash, ProviderError)]
pub enum DeclineCode {
    #[provider_error(code = "insufficient_funds", class = card_decline, user_message = "Your card has insufficient funds.")]
    InsufficientFunds,
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, ProviderError)]
#[provider_error(envelope = "error", tag = "type")]
pub enum ShopError {
    #[provider_error(tag = "card_error", class = card_decline)]
    Card {
        #[provider_error(classify, rename = "decline_code")]
        decline: Option<DeclineCode>,
        message: Option<String>,
        #[provider_error(rest)]
        details: serde_json::Map<String, serde_json::Value>,
    },
    #[provider_error(unknown)]
    Unknown { tag: String, message: Option<String> },
}

fn main() {}
