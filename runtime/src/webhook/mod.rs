//! Webhooks: signature verification, typed events, the receiver, the inbox and workers.
//!
//! The path of a delivery: the [`WebhookReceiver`] (axum) limits the body and checks the
//! source address; a [`WebhookVerifier`] checks the signature over the raw bytes with a
//! [`SignatureScheme`] ([`StripeSignature`], [`StandardWebhooks`]); the verified bytes are
//! stored once in a [`WebhookInbox`]; a [`Worker`] decodes them into a typed [`Event`] and
//! hands a [`Verified`] event to the application's handler. See `docs/webhooks.md`.

pub mod diagnosis;
mod error;
mod event;
mod inbox;
mod named;
#[cfg(feature = "axum")]
mod receiver;
mod scheme;
mod source;
mod standard;
mod stripe;
#[cfg(feature = "postgres")]
mod transactional;
mod verified;
mod worker;

pub use error::{SecretError, VerificationError};
pub use event::{
    DecodeError, Event, EventData, EventEnvelope, EventPayload, EventRequest, RawObject,
};
#[cfg(feature = "postgres")]
pub use inbox::PgInbox;
#[cfg(feature = "sqlite")]
pub use inbox::SqliteInbox;
pub use inbox::{
    Arrival, ClaimedEvent, InboxEntry, InboxError, InboxState, LeaseOutcome, StoreOutcome,
    WebhookInbox,
};
pub use named::{SCHEME_NAMES, SchemeSelectionError, scheme_by_name};
#[cfg(feature = "axum")]
pub use receiver::WebhookReceiver;
pub use scheme::{SignatureScheme, SignedMessage, Tolerance};
pub use source::{InvalidNetwork, IpNetwork, SourceFilter, stripe_webhook_ips};
pub use standard::{StandardSignatureHeaders, StandardWebhooks};
pub use stripe::{StripeSignature, StripeSignatureHeader};
#[cfg(feature = "postgres")]
pub use transactional::{TransactionalHandler, TransactionalWorker};
pub use verified::{Verified, VerifiedPayload, WebhookVerifier};
pub use worker::{
    Backoff, HandlerError, Processed, WebhookHandler, Worker, WorkerConfig, unix_millis,
};
