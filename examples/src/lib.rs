//! Runnable examples of payforge; see `examples/README.md`.
//!
//! - [`checkout`]: a checkout server (orders paid by card, webhooks moving them forward),
//!   run with `cargo run -p payforge-examples --example checkout_server`.
//! - `hand_declared` (an example file of its own): endpoints the SDK does not cover,
//!   declared with the same macros.
//! - [`report`]: how the example binaries report a failure (one line, no `Debug` print).
#![forbid(unsafe_code)]

pub mod checkout;
pub mod report;
