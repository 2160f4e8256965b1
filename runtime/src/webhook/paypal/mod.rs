//! PayPal's certificate-signed webhooks, verified locally.
//!
//! PayPal signs `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body>`
//! with SHA256withRSA (RSASSA-PKCS1-v1_5) and sends the base64 signature with the URL of its
//! certificate chain. [`PaypalSignature`] accepts that URL only over https from an allowlist
//! ([`CertUrlPolicy`]), gets the chain through a [`CertificateFetcher`] once per URL
//! ([`PaypalCertificates`] caches it), checks that it chains to a configured root
//! ([`TrustAnchors`]) and that every certificate is valid at `now`, verifies the signature
//! with the `rsa` crate, and rejects a transmission time outside the [`Tolerance`].
//!
//! Verification itself is synchronous and never fetches: [`SignatureScheme::prepare`]
//! loads the delivery's certificate first (the receiver and
//! [`WebhookVerifier::prepare`](super::WebhookVerifier::prepare) call it).
//!
//! The second strategy, behind the same trait, asks PayPal instead:
//! `PaypalApiVerification` (feature `client`) sends the delivery to
//! `POST /v1/notifications/verify-webhook-signature` with the client's OAuth2 token.

#[cfg(feature = "client")]
mod api;
mod chain;
mod headers;
mod store;

use std::sync::Arc;

use futures::future::BoxFuture;
use http::HeaderMap;

#[cfg(feature = "client")]
pub use api::{PaypalApiVerification, VERIFY_WEBHOOK_SIGNATURE_PATH};
pub use chain::{CertificateError, TrustAnchors, VerifiedChain};
pub use headers::{
    AUTH_ALGO_HEADER, CERT_URL_HEADER, PaypalHeaders, SHA256_WITH_RSA, TRANSMISSION_ID_HEADER,
    TRANSMISSION_SIG_HEADER, TRANSMISSION_TIME_HEADER, body_crc32,
};
#[cfg(feature = "client")]
pub use store::ReqwestFetcher;
pub use store::{
    CertUrlPolicy, CertificateFetcher, CertificateLoadError, FetchError, PAYPAL_CERT_HOSTS,
    PaypalCertificates,
};

use super::envelope::EnvelopeConvention;
use super::error::VerificationError;
use super::scheme::{SignatureScheme, SignedMessage, Tolerance};

/// Verifies PayPal's SHA256withRSA webhook signatures for one webhook id.
#[derive(Clone, Debug)]
pub struct PaypalSignature {
    webhook_id: String,
    certificates: Arc<PaypalCertificates>,
    tolerance: Tolerance,
}

impl PaypalSignature {
    /// A verifier for the webhook `webhook_id` (its id in the app's configuration, not an
    /// event id), with the default tolerance of five minutes both ways.
    pub fn new(webhook_id: impl Into<String>, certificates: Arc<PaypalCertificates>) -> Self {
        Self {
            webhook_id: webhook_id.into(),
            certificates,
            tolerance: Tolerance::symmetric(Tolerance::DEFAULT_SECONDS),
        }
    }

    /// Replaces the transmission-time tolerance.
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The certificates this verifier trusts and has cached.
    pub fn certificates(&self) -> &Arc<PaypalCertificates> {
        &self.certificates
    }

    /// The webhook id signed into every message.
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// Checks parsed headers and the raw body against an already verified chain, at `now`.
    pub fn verify_with(
        &self,
        headers: &PaypalHeaders,
        chain: &VerifiedChain,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        if headers.auth_algo != SHA256_WITH_RSA {
            return Err(VerificationError::NoSignatureWithExpectedScheme {
                scheme: SHA256_WITH_RSA,
            });
        }
        if let Some((subject, not_before, not_after)) = chain.invalid_at(now) {
            return Err(VerificationError::CertificateExpired {
                subject: subject.to_owned(),
                not_before,
                not_after,
            });
        }
        let message = headers.signed_message(&self.webhook_id, body);
        if !chain.verifies(message.as_bytes(), &headers.signature) {
            return Err(VerificationError::NoMatchingSignature);
        }
        self.tolerance.check(headers.timestamp, now)?;
        Ok(SignedMessage::new(Some(headers.timestamp), None))
    }
}

impl SignatureScheme for PaypalSignature {
    fn name(&self) -> &'static str {
        "paypal-sha256withrsa"
    }

    /// Parses the headers, refuses a URL off the allowlist, and verifies with the cached
    /// chain (loaded by [`prepare`](SignatureScheme::prepare)).
    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        let parsed = PaypalHeaders::parse(headers)?;
        self.certificates
            .check_url(&parsed.cert_url)
            .map_err(certificate_error)?;
        let chain = self.certificates.get(&parsed.cert_url).ok_or_else(|| {
            VerificationError::CertificateUnavailable {
                reason: format!("`{}` was not loaded before verification", parsed.cert_url),
            }
        })?;
        self.verify_with(&parsed, &chain, body, now)
    }

    /// Fetches (once per URL) and verifies the delivery's certificate chain.
    fn prepare<'a>(
        &'a self,
        headers: &'a HeaderMap,
        _body: &'a [u8],
    ) -> BoxFuture<'a, Result<(), VerificationError>> {
        Box::pin(async move {
            let parsed = PaypalHeaders::parse(headers)?;
            self.certificates
                .load(&parsed.cert_url)
                .await
                .map(drop)
                .map_err(certificate_error)
        })
    }

    /// One event per delivery: `id`, `event_type`, and the `resource_version` PayPal renders
    /// the resource with.
    fn envelope(&self) -> EnvelopeConvention {
        paypal_envelope()
    }
}

/// PayPal's event envelope `{id, event_type, resource_type, resource, ...}`: one event per
/// delivery, deduplicated by `id`.
pub fn paypal_envelope() -> EnvelopeConvention {
    EnvelopeConvention::single_event("id", "event_type").with_api_version_field("resource_version")
}

/// The verification error for a certificate that could not be used.
fn certificate_error(error: CertificateLoadError) -> VerificationError {
    match error {
        CertificateLoadError::UrlRefused { url, reason } => {
            VerificationError::CertificateUrlRefused { url, reason }
        }
        CertificateLoadError::Fetch { .. } => VerificationError::CertificateUnavailable {
            reason: error.to_string(),
        },
        CertificateLoadError::Certificate { .. } => VerificationError::CertificateUntrusted {
            reason: error.to_string(),
        },
    }
}
