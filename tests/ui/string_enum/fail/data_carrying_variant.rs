#[derive(payforge::StringEnum)]
pub enum Status {
    #[wire("failed")]
    Failed { reason: String },
    Unknown(String),
}

fn main() {}
