//! Shared helpers of the integration suites.
//!
//! [`flows`] holds the pieces the payment-flow suites and the chaos test share. The macros'
//! UI cases and their `Shop` provider marker live in their own package, `tests/ui`.

pub mod flows;
