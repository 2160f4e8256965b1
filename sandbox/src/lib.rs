//! payforge-sandbox: a local, stateful stand-in for Stripe's API (version 2023-08-16).
//!
//! It speaks Stripe's wire protocol at `/v1/...` (bracket-style form bodies, JSON objects
//! of the spec's shapes, Stripe's error object and status codes, `Idempotency-Key`
//! semantics), keeps real state (customers, payment methods, payment intents, charges,
//! refunds, products, prices, subscriptions, invoices, test clocks, events, webhook
//! endpoints), sends signed webhooks with retries, and exposes an admin surface under
//! `/_sandbox/` that injects faults and reports the ledger of money actually moved.
//! See `sandbox/README.md` for the endpoints, test cards, admin API and billing rules.
//!
//! ```no_run
//! # async fn run() -> Result<(), payforge_sandbox::SandboxError> {
//! let sandbox = payforge_sandbox::Sandbox::builder().start().await?;
//! println!("point the client at {}", sandbox.url());
//! sandbox.shutdown().await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
// The invoice object has more than 80 fields; `json!` needs the deeper recursion.
#![recursion_limit = "256"]

mod api;
mod calendar;
mod cards;
mod currencies;
mod error;
mod faults;
mod form;
mod ids;
mod ledger;
mod params;
mod persist;
mod server;
mod spec_tables;
mod store;
mod webhooks;

pub use api::routes;
pub use error::{ApiError, ErrorType};
pub use faults::{FaultKind, FaultSpec};
pub use ledger::{ChargeEntry, IntentEntry, Ledger, Totals};
pub use persist::SnapshotError;
pub use server::{RunningSandbox, Sandbox, SandboxBuilder, SandboxError};
pub use webhooks::{WebhookFaults, signature_header};
