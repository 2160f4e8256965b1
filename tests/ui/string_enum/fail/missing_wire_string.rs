#[derive(payforge::StringEnum)]
pub enum Status {
    #[wire("succeeded")]
    Succeeded,
    Canceled,
    Unknown(String),
}

fn main() {}
