#[derive(payforge::ProviderError)]
pub enum DeclineCode {
    #[provider_error(code = "insufficient_funds")]
    InsufficientFunds,
    Unknown(String),
}

fn main() {}
