//! The sandbox server binary (work in progress).
fn main() {}
