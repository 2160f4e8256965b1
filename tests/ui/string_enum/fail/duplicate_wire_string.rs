#[derive(payforge::StringEnum)]
pub enum Status {
    #[wire("succeeded")]
    Succeeded,
    #[wire("succeeded")]
    Done,
    Unknown(String),
}

fn main() {}
