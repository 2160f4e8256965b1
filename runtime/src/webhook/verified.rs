//! [`Verified`]: the type-state that proves a delivery passed signature verification, and
//! the [`WebhookVerifier`] that is the only public way to obtain one.

use std::ops::Deref;

use bytes::Bytes;
use http::HeaderMap;
use serde::Deserialize;

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
    /// Decodes the verified bytes into a typed envelope, keeping the proof.
    pub fn decode<Env: EventEnvelope>(&self) -> Result<Verified<Env>, DecodeError> {
        Env::decode(&self.inner.body).map(Verified::assume_verified)
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
    /// Rebuilds a payload from bytes an inbox stored after verifying them.
    pub(crate) fn from_stored(provider: String, event_id: String, body: Bytes) -> Self {
        let summary = serde_json::from_slice::<EnvelopeSummary>(&body).unwrap_or_default();
        Self {
            provider,
            event_id,
            event_type: summary.event_type,
            api_version: summary.api_version,
            signed_at: None,
            body,
        }
    }

    /// The provider's name (`stripe`).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The event id: the body's `id`, or the signed message id when the body has none.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// The body's `type`, if it has one.
    pub fn event_type(&self) -> Option<&str> {
        self.event_type.as_deref()
    }

    /// The body's `api_version`, if it has one.
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The signature's timestamp (Unix seconds), if the scheme signs one and this payload
    /// came straight from verification.
    pub fn signed_at(&self) -> Option<i64> {
        self.signed_at
    }

    /// The exact bytes that were verified.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// The fields of an envelope the receiver reads without knowing the payload type.
#[derive(Debug, Default, Deserialize)]
struct EnvelopeSummary {
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
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

/// Reads the envelope summary in one pass, insisting on a top-level JSON object.
fn summarise(body: &[u8]) -> Result<EnvelopeSummary, VerificationError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(VerificationError::BodyNotJson {
            reason: "the top-level value is not an object".to_owned(),
        });
    }
    serde_json::from_slice::<EnvelopeSummary>(body).map_err(|error| {
        VerificationError::BodyNotJson {
            reason: error.to_string(),
        }
    })
}

/// Checks deliveries for one provider endpoint: size, signature, JSON shape.
#[derive(Clone, Debug)]
pub struct WebhookVerifier<S> {
    provider: String,
    scheme: S,
    max_body_bytes: usize,
}

impl<S: SignatureScheme> WebhookVerifier<S> {
    /// The default body limit: 1 MiB, well above any Stripe event.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

    /// A verifier for `provider` (its short name, `stripe`) using `scheme`.
    pub fn new(provider: impl Into<String>, scheme: S) -> Self {
        Self {
            provider: provider.into(),
            scheme,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
        }
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

    /// Verifies one delivery at `now` (Unix seconds): the body's size, then its signature
    /// over the exact bytes received, then that it is a JSON object with an event id.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: Bytes,
        now: i64,
    ) -> Result<Verified<VerifiedPayload>, VerificationError> {
        if body.len() > self.max_body_bytes {
            return Err(VerificationError::BodyTooLarge {
                size: body.len() as u64,
                limit: self.max_body_bytes as u64,
            });
        }
        let signed = self.scheme.verify(headers, &body, now)?;
        let summary = summarise(&body)?;
        let event_id = summary
            .id
            .or(signed.message_id)
            .ok_or(VerificationError::MissingEventId)?;
        Ok(Verified::assume_verified(VerifiedPayload {
            provider: self.provider.clone(),
            event_id,
            event_type: summary.event_type,
            api_version: summary.api_version,
            signed_at: signed.timestamp,
            body,
        }))
    }
}
