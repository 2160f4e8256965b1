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
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
