//! [`Verified`]: the type-state that proves a delivery passed signature verification, and
//! the [`WebhookVerifier`] that is the only public way to obtain one.

use std::ops::Deref;

use bytes::Bytes;
use http::HeaderMap;
use serde::Deserialize;

use super::envelope::EnvelopeConvention;
use super::error::VerificationError;
use super::event::{DecodeError, EventEnvelope};
use super::scheme::SignatureScheme;

/// A value derived from a delivery whose signature was verified.
///
/// There is no public constructor: a `Verified` comes out of [`WebhookVerifier::verify`], or
/// out of a worker reading bytes that were verified before the inbox stored them. A handler
/// that takes `Verified<Event<E>>` therefore cannot be fed a forged or unchecked event.
///
/// ```compile_fail,E0451
/// use payforge::webhook::Verified;
/// // The field is private: a `Verified` cannot be built outside payforge.
/// let forged = Verified { inner: 42 };
/// ```
///
/// ```compile_fail,E0624
/// use payforge::webhook::Verified;
/// // Neither can it be built through a constructor.
/// let forged = Verified::assume_verified(42);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Verified<E> {
    inner: E,
}

impl<E> Verified<E> {
    /// Wraps a value whose bytes were verified. Only payforge's verifier and its inbox
    /// workers may call this.
    pub(crate) fn assume_verified(inner: E) -> Self {
        Self { inner }
    }

    /// The verified value.
    pub fn get(&self) -> &E {
        &self.inner
    }

    /// Unwraps the verified value (it stays trustworthy, but loses the type-level proof).
    pub fn into_inner(self) -> E {
        self.inner
    }
}

impl<E> Deref for Verified<E> {
    type Target = E;

    fn deref(&self) -> &E {
        &self.inner
    }
}

impl Verified<VerifiedPayload> {
    /// Decodes the verified event into a typed envelope, keeping the proof.
    pub fn decode<Env: EventEnvelope>(&self) -> Result<Verified<Env>, DecodeError> {
        Env::decode_payload(&self.inner).map(Verified::assume_verified)
    }
}

/// The raw bytes of a verified delivery and the few envelope facts the receiver needs before
/// any typed decoding (which happens later, in a worker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPayload {
    provider: String,
    event_id: String,
    event_type: Option<String>,
    api_version: Option<String>,
    signed_at: Option<i64>,
    body: Bytes,
}

impl VerifiedPayload {
    /// Rebuilds a payload from bytes an inbox stored after verifying them, with the event
    /// type the receiver's envelope convention read (or, for rows stored without one, the
    /// body's `type`).
    pub(crate) fn from_stored(
        provider: String,
        event_id: String,
        event_type: Option<String>,
        body: Bytes,
    ) -> Self {
        let summary = serde_json::from_slice::<EnvelopeSummary>(&body).unwrap_or_default();
        Self {
            provider,
            event_id,
            event_type: event_type.or(summary.event_type),
            api_version: summary.api_version,
            signed_at: None,
            body,
        }
    }

    /// The provider's name (`stripe`).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The event id, as the envelope convention reads it: by default the body's `id`, or the
    /// signed message id when the body has none.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// The event type, as the envelope convention reads it, if the event names one.
    pub fn event_type(&self) -> Option<&str> {
        self.event_type.as_deref()
    }

    /// The API version the event was rendered with, if the convention reads one.
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The signature's timestamp (Unix seconds), if the scheme signs one and this payload
    /// came straight from verification.
    pub fn signed_at(&self) -> Option<i64> {
        self.signed_at
    }

    /// The exact bytes of this event: the whole verified body, or its item's slice of it.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// The fields a stored row's body may name, read leniently when an old row has no stored
/// event type.
#[derive(Debug, Default, Deserialize)]
struct EnvelopeSummary {
    #[serde(default, rename = "type", deserialize_with = "lenient_string")]
    event_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    api_version: Option<String>,
}

/// Reads a string field, treating any other JSON value as absent: the summary must never
/// reject a body that verified.
fn lenient_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Some(text),
        _ => None,
    })
}

/// The events of one verified delivery, in the order they arrived: one for a provider that
/// sends one event per delivery, several for a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBatch {
    items: Vec<VerifiedPayload>,
}

impl VerifiedBatch {
    /// How many events the delivery holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the delivery holds no event (an empty batch).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The events.
    pub fn items(&self) -> &[VerifiedPayload] {
        &self.items
    }
}

impl Verified<VerifiedBatch> {
    /// The events, each keeping the proof of verification.
    pub fn into_items(self) -> Vec<Verified<VerifiedPayload>> {
        self.into_inner()
            .items
            .into_iter()
            .map(Verified::assume_verified)
            .collect()
    }
}

/// Checks deliveries for one provider endpoint: size, signature, JSON shape.
#[derive(Clone, Debug)]
pub struct WebhookVerifier<S> {
    provider: String,
    scheme: S,
    envelope: EnvelopeConvention,
    max_body_bytes: usize,
}

impl<S: SignatureScheme> WebhookVerifier<S> {
    /// The default body limit: 1 MiB, well above any Stripe event.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

    /// A verifier for `provider` (its short name, `stripe`) using `scheme`, reading events
    /// with the scheme's envelope convention.
    pub fn new(provider: impl Into<String>, scheme: S) -> Self {
        Self {
            provider: provider.into(),
            envelope: scheme.envelope(),
            scheme,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Reads events with `envelope` (the provider profile's) instead of the scheme's.
    pub fn with_envelope(mut self, envelope: EnvelopeConvention) -> Self {
        self.envelope = envelope;
        self
    }

    /// The envelope convention in force.
    pub fn envelope(&self) -> &EnvelopeConvention {
        &self.envelope
    }

    /// Sets the largest accepted body.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The largest accepted body.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The provider's short name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The signature scheme.
    pub fn scheme(&self) -> &S {
        &self.scheme
    }

    /// Lets the scheme obtain what verification needs (PayPal's certificate, or PayPal's
    /// verdict on the delivery), before [`verify`](Self::verify) or
    /// [`verify_batch`](Self::verify_batch) of the same headers and body. The receiver
    /// calls it; a caller verifying by hand calls it first. A body over the limit is refused
    /// here too, before any network call.
    pub async fn prepare(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerificationError> {
        if body.len() > self.max_body_bytes {
            return Err(VerificationError::BodyTooLarge {
                size: body.len() as u64,
                limit: self.max_body_bytes as u64,
            });
        }
        self.scheme.prepare(headers, body).await
    }

    /// Verifies one delivery that holds exactly one event (the usual case of providers that
    /// send one event per delivery); see [`verify_batch`](Self::verify_batch).
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: Bytes,
        now: i64,
    ) -> Result<Verified<VerifiedPayload>, VerificationError> {
        let mut items = self.verify_batch(headers, body, now)?.into_items();
        match (items.pop(), items.len()) {
            (Some(item), 0) => Ok(item),
            (last, others) => Err(VerificationError::NotASingleEvent {
                items: others + usize::from(last.is_some()),
            }),
        }
    }

    /// Verifies one delivery at `now` (Unix seconds): the body's size, then its signature
    /// over the exact bytes received (for a batch, every item's), then splits it into its
    /// events with the envelope convention. One bad item rejects the whole delivery.
    pub fn verify_batch(
        &self,
        headers: &HeaderMap,
        body: Bytes,
        now: i64,
    ) -> Result<Verified<VerifiedBatch>, VerificationError> {
        if body.len() > self.max_body_bytes {
            return Err(VerificationError::BodyTooLarge {
                size: body.len() as u64,
                limit: self.max_body_bytes as u64,
            });
        }
        let signed = self.scheme.verify(headers, &body, now)?;
        let items = self
            .envelope
            .split(&body, signed.message_id.as_deref())?
            .into_iter()
            .map(|item| VerifiedPayload {
                provider: self.provider.clone(),
                event_id: item.id,
                event_type: item.event_type,
                api_version: item.api_version,
                signed_at: signed.timestamp,
                body: item.bytes,
            })
            .collect();
        Ok(Verified::assume_verified(VerifiedBatch { items }))
    }
}
