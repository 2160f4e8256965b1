//! Webhooks: signature verification, typed events, the receiver, the inbox and workers.
//!
//! The path of a delivery: the [`WebhookReceiver`] (axum) limits the body and checks the
//! source address; a [`WebhookVerifier`] checks the signature over the raw bytes with a
//! [`SignatureScheme`] ([`StripeSignature`], [`StandardWebhooks`], [`AdyenHmac`],
//! [`PaypalSignature`], or PayPal's verification API) and splits it into its events with an
//! [`EnvelopeConvention`] (one event, or every item of a batch); each event's verified bytes
//! are stored once in a [`WebhookInbox`]; a [`Worker`] decodes them into a typed [`Event`],
//! [`ItemEvent`] or [`ResourceEvent`] and hands a [`Verified`] event to the application's
//! handler. See `docs/webhooks.md`.

mod adyen;
pub mod diagnosis;
mod envelope;
mod error;
mod event;
mod inbox;
mod named;
mod notification;
pub mod paypal;
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

pub use adyen::{AdyenHmac, HMAC_SIGNATURE_HEADER, HmacPlacement};
pub use envelope::{EnvelopeConvention, EnvelopeItem};
pub use error::{SecretError, VerificationError};
pub use event::{
    DecodeError, Event, EventData, EventEnvelope, EventPayload, EventRequest, ItemEvent, RawObject,
    ResourceEvent,
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
pub use notification::{
    NotificationAmount, NotificationBatch, NotificationElement, NotificationItem, SignatureData,
};
#[cfg(feature = "client")]
pub use paypal::PaypalApiVerification;
pub use paypal::{PaypalCertificates, PaypalSignature, paypal_envelope};
#[cfg(feature = "axum")]
pub use receiver::WebhookReceiver;
pub use scheme::{Acknowledgement, SignatureScheme, SignedMessage, Tolerance};
pub use source::{InvalidNetwork, IpNetwork, SourceFilter, stripe_webhook_ips};
pub use standard::{StandardSignatureHeaders, StandardWebhooks};
pub use stripe::{StripeSignature, StripeSignatureHeader};
#[cfg(feature = "postgres")]
pub use transactional::{TransactionalHandler, TransactionalWorker};
pub use verified::{Verified, VerifiedBatch, VerifiedPayload, WebhookVerifier};
pub use worker::{
    Backoff, HandlerError, Processed, WebhookHandler, Worker, WorkerConfig, unix_millis,
};
