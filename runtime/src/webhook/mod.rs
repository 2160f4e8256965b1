//! Webhooks: signature verification, typed events, the receiver, the inbox and workers.

mod event;

pub use event::EventPayload;
