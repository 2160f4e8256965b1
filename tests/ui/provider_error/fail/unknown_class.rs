#[derive(payforge::ProviderError)]
pub enum DeclineCode {
    #[provider_error(code = "insufficient_funds", class = declined)]
    InsufficientFunds,
    Unknown(String),
}

fn main() {}
