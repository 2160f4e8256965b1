//! Why a delivery was rejected, and why a secret was refused.

/// Why a webhook delivery was rejected before it reached the inbox.
///
/// Every variant is a reason a provider or an operator can act on; none carries a secret or
/// the expected signature, so the message is safe to log and to return in a 400 response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationError {
    /// A header the scheme needs is absent or empty.
    #[error("the `{header}` header is missing or empty")]
    MissingHeader {
        /// The header's name.
        header: &'static str,
    },
    /// The signature header could not be parsed.
    #[error("the `{header}` header is malformed: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A timestamp header is not an integer number of seconds.
    #[error("the `{header}` header is not a Unix timestamp in seconds")]
    InvalidTimestamp {
        /// The header's name.
        header: &'static str,
    },
    /// The header carries signatures, but none under the scheme this verifier checks
    /// (for example only Stripe's legacy `v0`).
    #[error("the signature header has no `{scheme}` signature")]
    NoSignatureWithExpectedScheme {
        /// The expected scheme label (`v1`).
        scheme: &'static str,
    },
    /// Signatures are present but none matches any active secret.
    #[error("no signature matches any active secret")]
    NoMatchingSignature,
    /// The signature is older than the tolerance allows: a replay, or a delivery that waited
    /// too long in a queue.
    #[error("the signature timestamp is {age} s old, over the tolerance of {tolerance} s")]
    TimestampTooOld {
        /// Seconds between the signature timestamp and now.
        age: u64,
        /// The tolerance in force, in seconds.
        tolerance: u64,
    },
    /// The signature timestamp lies further in the future than the tolerance allows.
    #[error(
        "the signature timestamp is {ahead} s in the future, over the tolerance of {tolerance} s"
    )]
    TimestampTooNew {
        /// Seconds between now and the signature timestamp.
        ahead: u64,
        /// The tolerance in force, in seconds.
        tolerance: u64,
    },
    /// The body is correctly signed but is not a JSON object.
    #[error("the body is not a JSON object: {reason}")]
    BodyNotJson {
        /// The JSON parser's message.
        reason: String,
    },
    /// The body is JSON but carries no event id, and the scheme supplied none either.
    #[error("the body carries no string `id` and the signature headers carry no message id")]
    MissingEventId,
    /// A signature the scheme carries inside the body (Adyen's
    /// `additionalData.hmacSignature`) is absent or empty.
    #[error("the `{location}` signature is missing or empty")]
    MissingSignature {
        /// Where the signature should be.
        location: &'static str,
    },
    /// One item of a batch delivery failed; the whole batch is rejected and nothing of it is
    /// stored. The index counts from 0 in the order the items arrived.
    #[error("item {index} of the batch: {reason}")]
    BatchItem {
        /// The item's position in the batch, from 0.
        index: usize,
        /// Why the item was rejected.
        reason: Box<VerificationError>,
    },
    /// A caller asked for a single event, but the delivery is a batch of another size.
    #[error("the delivery holds {items} events, not one; verify it as a batch")]
    NotASingleEvent {
        /// How many events the delivery holds.
        items: usize,
    },
    /// The certificate URL a delivery names is not https on an allowlisted host (PayPal).
    #[error("certificate URL `{url}` refused: {reason}")]
    CertificateUrlRefused {
        /// The URL.
        url: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The signing certificate could not be obtained (fetch failed, or never loaded); the
    /// delivery may verify on a retry.
    #[error("signing certificate unavailable: {reason}")]
    CertificateUnavailable {
        /// What failed, naming the URL.
        reason: String,
    },
    /// The signing certificate does not parse or does not chain to a configured root.
    #[error("signing certificate untrusted: {reason}")]
    CertificateUntrusted {
        /// Which certificate and why, naming the URL.
        reason: String,
    },
    /// A certificate of the signing chain is outside its validity period at `now`.
    #[error(
        "certificate `{subject}` is not valid now (valid from {not_before} to {not_after}, Unix seconds)"
    )]
    CertificateExpired {
        /// The certificate's subject.
        subject: String,
        /// Start of its validity (Unix seconds).
        not_before: i64,
        /// End of its validity (Unix seconds).
        not_after: i64,
    },
    /// The provider's verification API examined the delivery and answered that its
    /// signature is not valid (PayPal's `verification_status: FAILURE`): a forgery, a
    /// tampered body, or a delivery for another webhook id.
    #[error("the provider's verification API rejected the signature (`{status}`)")]
    RejectedByProvider {
        /// The verification status it answered (`FAILURE`, or a status payforge does not
        /// know, which is never taken for a success).
        status: String,
    },
    /// The provider's verification API answered with an error status (a 4xx after a
    /// renewed token, a 5xx), or an answer that is not a verdict. Nothing is known of the
    /// signature: the delivery is refused with a retryable status, never acknowledged.
    #[error("the provider's verification API failed (HTTP {status}): {reason}")]
    VerificationApiFailed {
        /// The HTTP status of its answer.
        status: u16,
        /// The provider's error, or what is wrong with the answer.
        reason: String,
    },
    /// The provider's verification API could not be reached or did not answer in time (or
    /// no access token could be obtained for it). Nothing is known of the signature: the
    /// delivery is refused with a retryable status, never acknowledged.
    #[error("the provider's verification API is unavailable: {reason}")]
    VerificationApiUnavailable {
        /// What failed.
        reason: String,
    },
    /// The body exceeds the configured size limit; it was not verified.
    #[error("the body is {size} bytes, over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The body's size (or its declared `Content-Length`).
        size: u64,
        /// The limit in force.
        limit: u64,
    },
}

impl VerificationError {
    /// A stable snake_case identifier of the variant, for metrics and log fields. A
    /// [`BatchItem`](Self::BatchItem) reports the kind of its item's failure (its index is in
    /// the message).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MissingHeader { .. } => "missing_header",
            Self::MalformedHeader { .. } => "malformed_header",
            Self::InvalidTimestamp { .. } => "invalid_timestamp",
            Self::NoSignatureWithExpectedScheme { .. } => "no_signatures_with_expected_scheme",
            Self::NoMatchingSignature => "no_matching_signature",
            Self::TimestampTooOld { .. } => "timestamp_too_old",
            Self::TimestampTooNew { .. } => "timestamp_too_new",
            Self::BodyNotJson { .. } => "body_not_json",
            Self::MissingEventId => "missing_event_id",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::MissingSignature { .. } => "missing_signature",
            Self::BatchItem { reason, .. } => reason.kind(),
            Self::NotASingleEvent { .. } => "not_a_single_event",
            Self::CertificateUrlRefused { .. } => "certificate_url_refused",
            Self::CertificateUnavailable { .. } => "certificate_unavailable",
            Self::CertificateUntrusted { .. } => "certificate_untrusted",
            Self::CertificateExpired { .. } => "certificate_expired",
            Self::RejectedByProvider { .. } => "rejected_by_provider",
            Self::VerificationApiFailed { .. } => "verification_api_failed",
            Self::VerificationApiUnavailable { .. } => "verification_api_unavailable",
        }
    }

    /// Whether the delivery may verify if the provider sends it again: what verification
    /// needs (a certificate, the provider's verification API) could not be obtained now.
    /// The receiver answers these with 503, so the provider redelivers; every other error
    /// is a 400.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::CertificateUnavailable { .. }
            | Self::VerificationApiFailed { .. }
            | Self::VerificationApiUnavailable { .. } => true,
            Self::BatchItem { reason, .. } => reason.is_retryable(),
            _ => false,
        }
    }
}

/// Why a signing secret or key was refused when a scheme was configured.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// No secret was given: a verifier without a secret would reject everything.
    #[error("at least one signing secret is required")]
    NoSecrets,
    /// A secret is the empty string.
    #[error("a signing secret is empty")]
    Empty,
    /// A secret that must be base64 (after its prefix) is not.
    #[error("a `{prefix}` secret is not valid base64")]
    NotBase64 {
        /// The secret's prefix (`whsec_`, `whpk_`, `whsk_`).
        prefix: &'static str,
    },
    /// A key that must be hexadecimal (an Adyen HMAC key) is not.
    #[error("a hex signing key is not valid hexadecimal of an even length")]
    NotHex,
    /// A certificate-signed scheme (PayPal's) was given no root certificate to trust.
    #[error("at least one trusted root certificate (PEM) is required")]
    NoTrustRoot,
    /// A root certificate given to a certificate-signed scheme does not parse.
    #[error("a trusted root certificate is unusable: {0}")]
    TrustRoot(String),
    /// An Ed25519 key does not have 32 bytes or is not a valid curve point.
    #[error("a `{prefix}` key is not a valid 32-byte Ed25519 key")]
    InvalidEd25519Key {
        /// The key's prefix (`whpk_` or `whsk_`).
        prefix: &'static str,
    },
}
