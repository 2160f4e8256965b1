//! # payforge-paypal: the typed PayPal SDK
//!
//! Every item of this crate is generated at build time by `payforge-generator` from the
//! four pinned PayPal OpenAPI specs (`specs/paypal/provider.toml`: Orders v2, Payments v2,
//! Subscriptions v1, Webhooks Management v1); see `docs/generated-code.md` for the shape of
//! the code and `generator/README.md` for how it is made.
//!
//! - One cargo feature per API: `orders`, `payments`, `subscriptions`, `webhooks`, and
//!   `events` for typed webhook events (`EventObject`, the resource by its `resource_type`;
//!   `WebhookEventType`) (`full` for all).
//! - The client authenticates with OAuth2 client credentials (`PAYPAL_CLIENT_CREDENTIALS`
//!   holds `client_id:client_secret`): one cached token, refreshed before it expires.
//! - Every POST and PATCH of Orders, Payments and Subscriptions carries a journaled
//!   `PayPal-Request-Id`; Webhooks Management calls carry none.
//! - `Prefer`: operations that take it ask for the full object (`return=representation`)
//!   and return it; `op.minimal()` asks for `return=minimal` and returns a
//!   `payforge::wire::MinimalResponse` (id, status, links).
//! - HATEOAS links are `payforge::wire::Link` (typed `method`); every object with links
//!   implements `payforge::wire::Links`, and [`ApproveLink::approve_link`] finds the
//!   buyer-approval link of an order or subscription.
//! - `client.paginate(op)` pages plans by number and webhook events by their `next` link.
#![forbid(unsafe_code)]

mod approval;

pub use approval::{APPROVAL_RELATIONS, ApproveLink};

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
