//! Explaining a failing delivery: the precise rejection, and where it can be told, its
//! likely cause. Behind `cargo xtask webhook verify`.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::adyen::{AdyenHmac, HMAC_SIGNATURE_HEADER, HmacPlacement};
use super::error::{SecretError, VerificationError};
use super::scheme::{SignatureScheme, Tolerance};
use super::standard::StandardWebhooks;
use super::stripe::{StripeSignature, StripeSignatureHeader};
use super::verified::WebhookVerifier;

/// What a diagnosis found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The verdict: the event's id and type, or the precise rejection.
    pub verdict: Result<ValidEvent, VerificationError>,
    /// Likely causes of a rejection, most specific first (empty when valid or unknown).
    pub likely_causes: Vec<LikelyCause>,
}

/// A delivery that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidEvent {
    /// The event id.
    pub id: String,
    /// The event type, or `-` when the body names none.
    pub event_type: String,
}

/// A likely reason a delivery did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LikelyCause {
    /// The signature matches a transformed body: something between the provider and the
    /// verifier parsed and re-serialised (or re-encoded) the body.
    BodyModified {
        /// The transformation that makes the signature match.
        transformation: &'static str,
    },
    /// The signature is genuine but old: a replayed request, a delivery that sat in a queue,
    /// or a verifier clock that is behind.
    StaleDelivery {
        /// How old the signature is, in seconds.
        age_seconds: u64,
    },
    /// The signature is genuine but dated in the future: the verifier's clock is behind.
    ClockBehind {
        /// How far ahead the signature is, in seconds.
        ahead_seconds: u64,
    },
    /// A secret has surrounding whitespace (a copy-paste slip).
    SecretHasWhitespace,
    /// A secret does not look like a webhook signing secret (for example an API key).
    SecretNotASigningSecret {
        /// The prefix the secret should have.
        expected_prefix: &'static str,
    },
    /// Nothing else explains it: the secret belongs to another endpoint, or to the other mode
    /// (each endpoint, and test and live mode, has its own secret).
    SecretOfAnotherEndpoint {
        /// The body's `livemode`, when it has one, to compare with the secret's mode.
        livemode: Option<bool>,
    },
}

impl fmt::Display for LikelyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyModified { transformation } => write!(
                f,
                "the body was changed after signing ({transformation}); verify the raw request bytes, not a parsed and re-serialised body"
            ),
            Self::StaleDelivery { age_seconds } => write!(
                f,
                "the signature is genuine but {} old: a replayed or long-queued delivery, or this machine's clock is behind",
                human_duration(*age_seconds)
            ),
            Self::ClockBehind { ahead_seconds } => write!(
                f,
                "the signature is genuine but dated {ahead_seconds} s in the future: this machine's clock is behind"
            ),
            Self::SecretHasWhitespace => {
                write!(f, "a secret has leading or trailing whitespace")
            }
            Self::SecretNotASigningSecret { expected_prefix } => write!(
                f,
                "a secret does not start with `{expected_prefix}`: is it an API key instead of the endpoint's signing secret?"
            ),
            Self::SecretOfAnotherEndpoint { livemode } => {
                write!(
                    f,
                    "the secret is not the one of the endpoint that signed this delivery (each endpoint, and test and live mode, has its own)"
                )?;
                match livemode {
                    Some(true) => write!(f, "; the event is a live-mode event"),
                    Some(false) => write!(f, "; the event is a test-mode event"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// `12 min 34 s`, `3 h 5 min`, `1104 d 23 h`: precise enough to recognise a replay.
fn human_duration(seconds: u64) -> String {
    match seconds {
        0..3_600 => format!("{} min {} s", seconds / 60, seconds % 60),
        3_600..86_400 => format!("{} h {} min", seconds / 3_600, seconds % 3_600 / 60),
        _ => format!("{} d {} h", seconds / 86_400, seconds % 86_400 / 3_600),
    }
}

/// Diagnoses one delivery. `secrets` are the verifier's secrets, read only for hints about
/// their shape; `secret_prefix` is the prefix a signing secret has (`whsec_`).
pub fn diagnose<S: SignatureScheme>(
    verifier: &WebhookVerifier<S>,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    secrets: &[String],
    secret_prefix: &'static str,
) -> Diagnosis {
    let verdict = verifier
        .verify(headers, Bytes::copy_from_slice(body), now)
        .map(|payload| ValidEvent {
            id: payload.event_id().to_owned(),
            event_type: payload.event_type().unwrap_or("-").to_owned(),
        });
    let likely_causes = match &verdict {
        Ok(_) => Vec::new(),
        Err(VerificationError::TimestampTooOld { age, .. }) => {
            vec![LikelyCause::StaleDelivery { age_seconds: *age }]
        }
        Err(VerificationError::TimestampTooNew { ahead, .. }) => {
            vec![LikelyCause::ClockBehind {
                ahead_seconds: *ahead,
            }]
        }
        Err(VerificationError::NoMatchingSignature) => mismatch_causes(
            verifier.scheme(),
            headers,
            body,
            now,
            secrets,
            secret_prefix,
        ),
        Err(_) => Vec::new(),
    };
    Diagnosis {
        verdict,
        likely_causes,
    }
}

fn mismatch_causes<S: SignatureScheme>(
    scheme: &S,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    secrets: &[String],
    secret_prefix: &'static str,
) -> Vec<LikelyCause> {
    let signature_matches = |candidate: &[u8]| match scheme.verify(headers, candidate, now) {
        Ok(_) => true,
        Err(error) => matches!(
            error,
            VerificationError::TimestampTooOld { .. } | VerificationError::TimestampTooNew { .. }
        ),
    };
    let mut causes: Vec<LikelyCause> = body_variants(body)
        .into_iter()
        .filter(|(_, candidate)| signature_matches(candidate))
        .map(|(transformation, _)| LikelyCause::BodyModified { transformation })
        .take(1)
        .collect();
    if secrets.iter().any(|secret| secret.trim() != secret) {
        causes.push(LikelyCause::SecretHasWhitespace);
    }
    if secrets
        .iter()
        .any(|secret| !secret.trim().starts_with(secret_prefix))
    {
        causes.push(LikelyCause::SecretNotASigningSecret {
            expected_prefix: secret_prefix,
        });
    }
    if causes.is_empty() {
        let livemode = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value.get("livemode")?.as_bool());
        causes.push(LikelyCause::SecretOfAnotherEndpoint { livemode });
    }
    causes
}

/// Plausible originals of a body that some middleware changed: its compact and pretty
/// re-serialisations, and line-ending and trailing-newline edits.
fn body_variants(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut variants = Vec::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Ok(compact) = serde_json::to_vec(&value) {
            variants.push(("the signed body was the JSON's compact form", compact));
        }
        if let Ok(pretty) = serde_json::to_vec_pretty(&value) {
            variants.push(("the signed body was the JSON's pretty-printed form", pretty));
        }
    }
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    variants.push(("a trailing newline was removed", with_newline));
    if let Some(stripped) = body.strip_suffix(b"\n") {
        variants.push(("a trailing newline was added", stripped.to_vec()));
    }
    if body.windows(2).any(|pair| pair == b"\r\n") {
        let lf = String::from_utf8_lossy(body)
            .replace("\r\n", "\n")
            .into_bytes();
        variants.push(("line endings were converted to CRLF", lf));
    } else if body.contains(&b'\n') {
        let crlf = String::from_utf8_lossy(body)
            .replace('\n', "\r\n")
            .into_bytes();
        variants.push(("line endings were converted from CRLF", crlf));
    }
    variants.retain(|(_, candidate)| candidate.as_slice() != body);
    variants
}

/// Diagnoses a Stripe delivery from its `Stripe-Signature` value (`None`: header absent).
/// `tolerance` is in seconds (`None`: the default 300 s, `Some(0)`: no timestamp check).
pub fn diagnose_stripe(
    secrets: &[String],
    signature_header: Option<&str>,
    body: &[u8],
    now: i64,
    tolerance: Option<u64>,
) -> Result<Diagnosis, SecretError> {
    let tolerance = match tolerance {
        Some(0) => Tolerance::DISABLED,
        Some(seconds) => Tolerance::past_only(seconds),
        None => Tolerance::past_only(Tolerance::DEFAULT_SECONDS),
    };
    let scheme = StripeSignature::new(secrets.iter().cloned())?.with_tolerance(tolerance);
    let verifier = WebhookVerifier::new("stripe", scheme).with_max_body_bytes(usize::MAX);
    let mut headers = HeaderMap::new();
    if let Some(value) = signature_header {
        // A value HTTP cannot carry is reported as malformed rather than dropped silently.
        let Ok(value) = HeaderValue::from_str(value) else {
            return Ok(Diagnosis {
                verdict: Err(VerificationError::MalformedHeader {
                    header: StripeSignatureHeader::NAME,
                    reason: "the value holds characters a header cannot carry",
                }),
                likely_causes: Vec::new(),
            });
        };
        headers.insert(StripeSignatureHeader::NAME, value);
    }
    Ok(diagnose(&verifier, &headers, body, now, secrets, "whsec_"))
}

/// Diagnoses a Standard Webhooks delivery from its headers as `(name, value)` pairs.
pub fn diagnose_standard_webhooks(
    secrets: &[String],
    header_pairs: &[(String, String)],
    body: &[u8],
    now: i64,
    tolerance: Option<u64>,
) -> Result<Diagnosis, SecretError> {
    let tolerance = match tolerance {
        Some(0) => Tolerance::DISABLED,
        Some(seconds) => Tolerance::symmetric(seconds),
        None => Tolerance::symmetric(Tolerance::DEFAULT_SECONDS),
    };
    let scheme = StandardWebhooks::new(secrets)?.with_tolerance(tolerance);
    let verifier =
        WebhookVerifier::new("standard-webhooks", scheme).with_max_body_bytes(usize::MAX);
    let mut headers = HeaderMap::new();
    for (name, value) in header_pairs {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().to_ascii_lowercase().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    // Standard Webhooks secrets may come without a prefix, so no prefix hint applies.
    Ok(diagnose(&verifier, &headers, body, now, secrets, ""))
}

/// What a diagnosis of a batch delivery found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchDiagnosis {
    /// The verdict: every event of the delivery, or the precise rejection (for a batch, a
    /// [`VerificationError::BatchItem`] naming the first bad item).
    pub verdict: Result<Vec<ValidEvent>, VerificationError>,
    /// Likely causes of a rejection, most specific first (empty when valid or unknown).
    pub likely_causes: Vec<LikelyCause>,
}

/// Diagnoses an Adyen delivery: a classic notification batch (each item signed inside) or,
/// with `signature_header` (the `HmacSignature` value), a body-signed webhook. `secrets` are
/// the hex HMAC keys.
pub fn diagnose_adyen(
    secrets: &[String],
    signature_header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<BatchDiagnosis, SecretError> {
    let (scheme, headers) = match signature_header {
        None => (
            AdyenHmac::notification_items(secrets.iter().cloned())?,
            HeaderMap::new(),
        ),
        Some(value) => {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(value.trim()) {
                headers.insert(HMAC_SIGNATURE_HEADER, value);
            }
            (AdyenHmac::body_header(secrets.iter().cloned())?, headers)
        }
    };
    let placement = scheme.placement();
    let verifier = WebhookVerifier::new("adyen", scheme).with_max_body_bytes(usize::MAX);
    let verdict = verifier
        .verify_batch(&headers, Bytes::copy_from_slice(body), now)
        .map(|batch| {
            batch
                .items()
                .iter()
                .map(|item| ValidEvent {
                    id: item.event_id().to_owned(),
                    event_type: item.event_type().unwrap_or("-").to_owned(),
                })
                .collect()
        });
    let likely_causes = match (&verdict, placement) {
        (Err(VerificationError::NoMatchingSignature), HmacPlacement::BodyHeader) => {
            mismatch_causes(verifier.scheme(), &headers, body, now, secrets, "")
        }
        (Err(VerificationError::BatchItem { reason, .. }), _)
            if **reason == VerificationError::NoMatchingSignature =>
        {
            // An item's signature covers its fields, not the body's bytes: a re-serialised
            // body still verifies, so only the key (or a changed signed field) remains.
            vec![LikelyCause::SecretOfAnotherEndpoint { livemode: None }]
        }
        _ => Vec::new(),
    };
    Ok(BatchDiagnosis {
        verdict,
        likely_causes,
    })
}
