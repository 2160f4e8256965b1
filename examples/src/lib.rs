//! Runnable examples of payforge; see `examples/README.md`. The library is empty: each
//! example is a file of its own, run with `cargo run -p payforge-examples --example NAME`.
#![forbid(unsafe_code)]
