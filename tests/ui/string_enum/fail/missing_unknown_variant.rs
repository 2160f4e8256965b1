#[derive(payforge::StringEnum)]
pub enum Status {
    #[wire("succeeded")]
    Succeeded,
}

fn main() {}
