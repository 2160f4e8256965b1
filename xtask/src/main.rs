//! `cargo xtask`: payforge maintenance tasks (work in progress).
fn main() {}
