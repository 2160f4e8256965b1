//! The contract every webhook signature scheme fulfils, and the timestamp tolerance.

use futures::future::BoxFuture;
use http::HeaderMap;

use super::envelope::EnvelopeConvention;
use super::error::VerificationError;

/// A provider's way of signing webhook deliveries.
///
/// A scheme holds its own keys (the active secrets during a rotation, or the certificates it
/// trusts) and checks one delivery from its headers and the *raw* body bytes exactly as they
/// arrived. It never reads the clock: `now` (Unix seconds) is a parameter, so tests and the
/// `cargo xtask webhook verify` debugger can replay a delivery at any moment.
///
/// The shape fits the schemes payforge knows: Stripe's header signature
/// ([`StripeSignature`](super::StripeSignature)), Standard Webhooks
/// ([`StandardWebhooks`](super::StandardWebhooks)), Adyen's HMAC (whose signature sits in the
/// JSON body's notification items, so the scheme reads `body`) and PayPal's certificate
/// signatures (whose scheme holds the certificates it has already fetched and pinned, so
/// verification itself stays synchronous and free of network I/O).
pub trait SignatureScheme: Send + Sync + 'static {
    /// A short name for logs (`stripe-v1`, `standard-webhooks-v1`).
    fn name(&self) -> &'static str;

    /// Checks one delivery. `Ok` means some active key signed exactly these bytes within the
    /// tolerance; the returned facts are what the signature covered besides the body.
    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError>;

    /// Obtains what [`verify`](Self::verify) needs before it runs, asynchronously, from the
    /// delivery's headers and raw body: PayPal's local scheme fetches and caches the
    /// delivery's certificate; PayPal's API strategy asks PayPal to verify the delivery and
    /// remembers the verdict. The default needs nothing.
    fn prepare<'a>(
        &'a self,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> BoxFuture<'a, Result<(), VerificationError>> {
        let _ = (headers, body);
        Box::pin(std::future::ready(Ok(())))
    }

    /// Where the events of a verified delivery are and how each is identified. The default
    /// is one event per delivery with string `id`, `type` and `api_version` fields; a scheme
    /// whose signatures cover the items of a batch returns that batch's convention. A
    /// [`WebhookVerifier`](super::WebhookVerifier) may replace it with the profile's.
    fn envelope(&self) -> EnvelopeConvention {
        EnvelopeConvention::default()
    }

    /// How the provider expects a stored delivery to be acknowledged.
    fn acknowledgement(&self) -> Acknowledgement {
        Acknowledgement::Outcome
    }
}

/// How a receiver answers a delivery it stored (or had already stored).
///
/// Every provider payforge knows takes a 2xx status as the acknowledgement; some also expect
/// a fixed body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Acknowledgement {
    /// `200` with a word naming the outcome: `stored`, or `duplicate` for a redelivery.
    Outcome,
    /// `200` with this exact body whatever the outcome (Adyen's `[accepted]`).
    FixedBody(String),
}

/// What a verified signature vouches for besides the body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedMessage {
    /// The signing timestamp (Unix seconds), when the scheme signs one.
    pub timestamp: Option<i64>,
    /// The message id the scheme signs (Standard Webhooks' `webhook-id`), when it signs one.
    /// Used as the event id when the body carries none.
    pub message_id: Option<String>,
}

impl SignedMessage {
    /// Facts of a scheme that signs a timestamp and, optionally, a message id.
    pub fn new(timestamp: Option<i64>, message_id: Option<String>) -> Self {
        Self {
            timestamp,
            message_id,
        }
    }
}

/// How far a signature's timestamp may lie from `now`.
///
/// Stripe's libraries reject only timestamps that are too *old* (a clock running ahead on the
/// provider's side still verifies); Standard Webhooks rejects both directions. `None` on a side
/// disables that check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    /// The largest accepted age, in seconds.
    pub past: Option<u64>,
    /// The largest accepted distance into the future, in seconds.
    pub future: Option<u64>,
}

impl Tolerance {
    /// The default window of both schemes: five minutes.
    pub const DEFAULT_SECONDS: u64 = 300;

    /// No timestamp check at all (only for replaying stored fixtures).
    pub const DISABLED: Self = Self {
        past: None,
        future: None,
    };

    /// Rejects timestamps more than `seconds` old; accepts any future timestamp.
    pub const fn past_only(seconds: u64) -> Self {
        Self {
            past: Some(seconds),
            future: None,
        }
    }

    /// Rejects timestamps more than `seconds` away from now in either direction.
    pub const fn symmetric(seconds: u64) -> Self {
        Self {
            past: Some(seconds),
            future: Some(seconds),
        }
    }

    /// Checks `timestamp` against `now` (both Unix seconds). A distance equal to the tolerance
    /// is accepted, as in the providers' own libraries.
    pub fn check(&self, timestamp: i64, now: i64) -> Result<(), VerificationError> {
        let age = i128::from(now) - i128::from(timestamp);
        if let Some(tolerance) = self.past
            && age > i128::from(tolerance)
        {
            return Err(VerificationError::TimestampTooOld {
                age: saturate(age),
                tolerance,
            });
        }
        if let Some(tolerance) = self.future
            && -age > i128::from(tolerance)
        {
            return Err(VerificationError::TimestampTooNew {
                ahead: saturate(-age),
                tolerance,
            });
        }
        Ok(())
    }
}

fn saturate(seconds: i128) -> u64 {
    u64::try_from(seconds).unwrap_or(u64::MAX)
}

/// The value of a header as text, or `None` when it is absent, empty or not visible ASCII.
pub(crate) fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_accepts_the_boundary_and_rejects_one_past_it() {
        let cases: &[(Tolerance, i64, Result<(), VerificationError>)] = &[
            (Tolerance::past_only(300), -300, Ok(())),
            (
                Tolerance::past_only(300),
                -301,
                Err(VerificationError::TimestampTooOld {
                    age: 301,
                    tolerance: 300,
                }),
            ),
            (Tolerance::past_only(300), 3_600, Ok(())),
            (Tolerance::symmetric(300), 300, Ok(())),
            (
                Tolerance::symmetric(300),
                301,
                Err(VerificationError::TimestampTooNew {
                    ahead: 301,
                    tolerance: 300,
                }),
            ),
            (Tolerance::DISABLED, i64::MIN / 2, Ok(())),
        ];
        let now = 1_700_000_000;
        for (tolerance, offset, expected) in cases {
            assert_eq!(
                &tolerance.check(now + offset, now),
                expected,
                "{tolerance:?} {offset}"
            );
        }
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let result = Tolerance::symmetric(300).check(i64::MIN, i64::MAX);
        assert_eq!(
            result,
            Err(VerificationError::TimestampTooOld {
                age: u64::MAX,
                tolerance: 300
            })
        );
    }
}
