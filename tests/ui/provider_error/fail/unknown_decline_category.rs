#[derive(Clone, Debug, PartialEq, Eq, Hash, payforge::ProviderError)]
pub enum DeclineCode {
    #[provider_error(code = "insufficient_funds", class = card_decline, category = broke)]
    InsufficientFunds,
    Unknown(String),
}

fn main() {}
