#[derive(Clone, Debug, PartialEq, Eq, Hash, payforge::StringEnum)]
pub enum Status {
    #[wire("requires_payment_method")]
    RequiresPaymentMethod,
    #[wire("succeeded")]
    Succeeded,
    Unknown(String),
}

fn main() {
    let status: Status = "succeeded".parse().unwrap_or(Status::Unknown(String::new()));
    assert_eq!(status.as_str(), "succeeded");
}
