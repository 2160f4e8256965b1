//! PayPal's second verification strategy: ask PayPal.
//!
//! [`PaypalApiVerification`] sends each delivery's five signature headers, the webhook id
//! and the *raw* event to `POST /v1/notifications/verify-webhook-signature` through a
//! [`Client`] (so with its cached OAuth2 access token: one token for many deliveries,
//! renewed before it expires, and a 401 answered by one new token and one retry), and reads
//! `verification_status`. It is a [`SignatureScheme`] like [`PaypalSignature`]: the call
//! happens in [`prepare`](SignatureScheme::prepare), which remembers a `SUCCESS` for
//! exactly those headers and bytes; [`verify`](SignatureScheme::verify) then finds that
//! verdict and checks the transmission time against the tolerance, without I/O.
//!
//! The event is passed as the body's exact bytes (a [`RawValue`]): an event parsed and
//! serialised again would change PayPal's bytes (key order, number forms, escapes) and fail.
//!
//! [`PaypalSignature`]: super::PaypalSignature

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};

use futures::future::BoxFuture;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::headers::{AUTH_ALGO_HEADER, CERT_URL_HEADER, PaypalHeaders, TRANSMISSION_SIG_HEADER};
use crate::client::Client;
use crate::endpoint::{BodyEncoding, EncodeError, Endpoint, RequestBody};
use crate::webhook::envelope::EnvelopeConvention;
use crate::webhook::error::VerificationError;
use crate::webhook::scheme::{SignatureScheme, SignedMessage, Tolerance, header_text};
use crate::{Error, Provider};

/// The path of PayPal's verification API.
pub const VERIFY_WEBHOOK_SIGNATURE_PATH: &str = "/v1/notifications/verify-webhook-signature";

/// The `verification_status` of a valid delivery.
const SUCCESS: &str = "SUCCESS";

/// Verifies PayPal deliveries by asking PayPal's verification API, with the OAuth2 client
/// of provider `P` (the SDK's marker, `payforge_paypal::Paypal`).
///
/// Choose it when the application cannot fetch and check certificates itself; it costs
/// one API call per new delivery (a redelivery of the very same transmission is answered
/// from the remembered verdict) and depends on PayPal's API being up: a timeout or a 5xx
/// is [`VerificationApiUnavailable`](VerificationError::VerificationApiUnavailable) or
/// [`VerificationApiFailed`](VerificationError::VerificationApiFailed), refused with a 503
/// so that PayPal redelivers, never taken for a forgery.
pub struct PaypalApiVerification<P: Provider> {
    client: Client<P>,
    webhook_id: String,
    tolerance: Tolerance,
    verdicts: Verdicts,
}

impl<P: Provider> std::fmt::Debug for PaypalApiVerification<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaypalApiVerification")
            .field("client", &self.client)
            .field("webhook_id", &self.webhook_id)
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl<P: Provider> PaypalApiVerification<P> {
    /// How many successful verdicts are remembered (the oldest are forgotten first).
    pub const REMEMBERED_VERDICTS: usize = 4096;

    /// A verifier for the webhook `webhook_id` (its id in the app's configuration) that asks
    /// PayPal through `client`, with the default tolerance of five minutes both ways.
    pub fn new(client: Client<P>, webhook_id: impl Into<String>) -> Self {
        Self {
            client,
            webhook_id: webhook_id.into(),
            tolerance: Tolerance::symmetric(Tolerance::DEFAULT_SECONDS),
            verdicts: Verdicts::new(Self::REMEMBERED_VERDICTS),
        }
    }

    /// Replaces the transmission-time tolerance (checked locally, after PayPal's verdict).
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The webhook id sent with every verification.
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// Asks PayPal about one delivery: `Ok` only for `verification_status: SUCCESS`.
    pub async fn ask(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerificationError> {
        let parsed = PaypalHeaders::parse(headers)?;
        let event = std::str::from_utf8(body)
            .ok()
            .and_then(|text| RawValue::from_string(text.to_owned()).ok())
            .ok_or_else(|| VerificationError::BodyNotJson {
                reason: "the body is not UTF-8 JSON, so PayPal cannot be asked about it".to_owned(),
            })?;
        let call = VerifyWebhookSignature::<P> {
            request: VerifyRequest {
                auth_algo: parsed.auth_algo,
                cert_url: parsed.cert_url,
                transmission_id: parsed.transmission_id,
                transmission_sig: raw_header(headers, TRANSMISSION_SIG_HEADER)?.to_owned(),
                transmission_time: parsed.transmission_time,
                webhook_id: self.webhook_id.clone(),
                webhook_event: event,
            },
            provider: PhantomData,
        };
        let answer = self.client.send(call).await.map_err(api_error)?;
        if answer.verification_status == SUCCESS {
            Ok(())
        } else {
            tracing::warn!(
                status = %answer.verification_status,
                "PayPal's verification API rejected a webhook signature"
            );
            Err(VerificationError::RejectedByProvider {
                status: answer.verification_status,
            })
        }
    }
}

impl<P: Provider> SignatureScheme for PaypalApiVerification<P> {
    fn name(&self) -> &'static str {
        "paypal-verify-api"
    }

    /// Finds PayPal's `SUCCESS` for exactly these headers and bytes (obtained by
    /// [`prepare`](SignatureScheme::prepare)), then checks the transmission time.
    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        let parsed = PaypalHeaders::parse(headers)?;
        let digest = delivery_digest(headers, body)?;
        if !self.verdicts.contains(&digest) {
            return Err(VerificationError::VerificationApiUnavailable {
                reason: "PayPal was not asked about this delivery before verification \
                         (call prepare first)"
                    .to_owned(),
            });
        }
        self.tolerance.check(parsed.timestamp, now)?;
        Ok(SignedMessage::new(Some(parsed.timestamp), None))
    }

    /// Asks PayPal, unless it already said `SUCCESS` for these exact headers and bytes.
    fn prepare<'a>(
        &'a self,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> BoxFuture<'a, Result<(), VerificationError>> {
        Box::pin(async move {
            let digest = delivery_digest(headers, body)?;
            if self.verdicts.contains(&digest) {
                return Ok(());
            }
            self.ask(headers, body).await?;
            self.verdicts.insert(digest);
            Ok(())
        })
    }

    /// The same envelope as the local scheme: `id`, `event_type`, `resource_version`.
    fn envelope(&self) -> EnvelopeConvention {
        super::paypal_envelope()
    }
}

/// The request body of `POST /v1/notifications/verify-webhook-signature`.
#[derive(Serialize)]
struct VerifyRequest {
    auth_algo: String,
    cert_url: String,
    transmission_id: String,
    transmission_sig: String,
    transmission_time: String,
    webhook_id: String,
    /// The event exactly as delivered.
    webhook_event: Box<RawValue>,
}

/// The verification call, for provider `P`'s client.
struct VerifyWebhookSignature<P> {
    request: VerifyRequest,
    provider: PhantomData<fn() -> P>,
}

impl<P> Serialize for VerifyWebhookSignature<P> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.request.serialize(serializer)
    }
}

/// PayPal's answer: `{"verification_status": "SUCCESS" | "FAILURE"}`.
#[derive(Debug, Deserialize)]
struct VerifyAnswer {
    verification_status: String,
}

impl<P: Provider> Endpoint for VerifyWebhookSignature<P> {
    type Provider = P;
    type Output = VerifyAnswer;
    const METHOD: http::Method = http::Method::POST;
    const PATH_TEMPLATE: &'static str = VERIFY_WEBHOOK_SIGNATURE_PATH;
    // Webhooks Management takes no PayPal-Request-Id; asking twice is harmless.
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Json;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(VERIFY_WEBHOOK_SIGNATURE_PATH)
    }

    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Json(serde_json::to_vec(&self.request)?))
    }
}

/// The verification error of a failed call: an answer with an error status, or none.
fn api_error<E: crate::ApiError>(error: Error<E>) -> VerificationError {
    match error.status() {
        Some(status) => VerificationError::VerificationApiFailed {
            status: status.as_u16(),
            reason: error.to_string(),
        },
        None => VerificationError::VerificationApiUnavailable {
            reason: error.to_string(),
        },
    }
}

/// A header as received, or [`VerificationError::MissingHeader`].
fn raw_header<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<&'h str, VerificationError> {
    header_text(headers, name).ok_or(VerificationError::MissingHeader { header: name })
}

/// The SHA-256 of everything PayPal's verdict covers: the five signature headers and the
/// body, each length-prefixed so that no two deliveries share a digest.
fn delivery_digest(headers: &HeaderMap, body: &[u8]) -> Result<Digest, VerificationError> {
    let parsed = PaypalHeaders::parse(headers)?;
    let mut hasher = Sha256::new();
    for field in [
        parsed.transmission_id.as_bytes(),
        parsed.transmission_time.as_bytes(),
        raw_header(headers, TRANSMISSION_SIG_HEADER)?.as_bytes(),
        raw_header(headers, CERT_URL_HEADER)?.as_bytes(),
        raw_header(headers, AUTH_ALGO_HEADER)?.as_bytes(),
        body,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field);
    }
    Ok(hasher.finalize().into())
}

/// A delivery's digest ([`delivery_digest`]).
type Digest = [u8; 32];

/// The digests of deliveries PayPal said `SUCCESS` for, the oldest forgotten first.
struct Verdicts {
    capacity: usize,
    inner: Mutex<Remembered>,
}

/// The remembered digests, as a set and in the order they came.
#[derive(Default)]
struct Remembered {
    set: HashSet<Digest>,
    order: VecDeque<Digest>,
}

impl Verdicts {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Remembered::default()),
        }
    }

    fn contains(&self, digest: &Digest) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .set
            .contains(digest)
    }

    fn insert(&self, digest: Digest) {
        let mut remembered = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if remembered.set.insert(digest) {
            remembered.order.push_back(digest);
        }
        while remembered.order.len() > self.capacity {
            if let Some(oldest) = remembered.order.pop_front() {
                remembered.set.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_verdicts_are_forgotten_first() {
        let verdicts = Verdicts::new(2);
        for byte in 1..=3 {
            verdicts.insert([byte; 32]);
        }
        assert!(!verdicts.contains(&[1; 32]));
        assert!(verdicts.contains(&[2; 32]) && verdicts.contains(&[3; 32]));
    }

    #[test]
    fn the_event_is_sent_byte_for_byte() -> Result<(), Box<dyn std::error::Error>> {
        // Key order, spacing, a float's form and an escape all survive.
        let raw = r#"{"z":1, "a":1.50,"s":"\u00e9"}"#;
        let request = VerifyRequest {
            auth_algo: "SHA256withRSA".into(),
            cert_url: "https://api.paypal.com/c".into(),
            transmission_id: "t".into(),
            transmission_sig: "c2ln".into(),
            transmission_time: "2024-01-15T10:00:01Z".into(),
            webhook_id: "WH".into(),
            webhook_event: RawValue::from_string(raw.to_owned())?,
        };
        let text = serde_json::to_string(&request)?;
        assert!(
            text.ends_with(&format!(r#""webhook_event":{raw}}}"#)),
            "{text}"
        );
        Ok(())
    }
}
