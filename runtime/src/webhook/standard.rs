//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>), also Svix's.
//!
//! Three headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
//! space-separated list of `<version>,<base64 signature>`. The signed content is
//! `<id>.<timestamp>.<raw body>`. `v1` is HMAC-SHA256 keyed with the base64-decoded secret
//! (`whsec_` prefix and padding optional); `v1a` is an Ed25519 signature checked with a
//! `whpk_` public key. Unknown versions are ignored. The `svix-` header names are accepted too.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use hmac::Mac as _;
use http::HeaderMap;

use super::error::{SecretError, VerificationError};
use super::scheme::{SignatureScheme, SignedMessage, Tolerance, header_text};
use super::stripe::{HmacSha256, keyed_mac};

/// Standard base64 that accepts missing padding and non-zero trailing bits, as the reference
/// libraries (Python's `b64decode`) do for secrets.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

const ID_HEADERS: [&str; 2] = ["webhook-id", "svix-id"];
const TIMESTAMP_HEADERS: [&str; 2] = ["webhook-timestamp", "svix-timestamp"];
const SIGNATURE_HEADERS: [&str; 2] = ["webhook-signature", "svix-signature"];

/// The parsed Standard Webhooks headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardSignatureHeaders {
    /// The message id (`webhook-id`).
    pub message_id: String,
    /// The signing timestamp (`webhook-timestamp`).
    pub timestamp: i64,
    /// Decoded `v1` (HMAC) signatures.
    pub v1: Vec<Vec<u8>>,
    /// Decoded `v1a` (Ed25519) signatures.
    pub v1a: Vec<Vec<u8>>,
}

impl StandardSignatureHeaders {
    /// Reads and parses the three headers. Entries that are not `<version>,<base64>` or use
    /// an unknown version are skipped, as in the reference libraries.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, VerificationError> {
        let message_id = first_header(headers, ID_HEADERS)?;
        let timestamp_text = first_header(headers, TIMESTAMP_HEADERS)?;
        let signatures = first_header(headers, SIGNATURE_HEADERS)?;
        let timestamp =
            timestamp_text
                .parse::<i64>()
                .map_err(|_| VerificationError::InvalidTimestamp {
                    header: TIMESTAMP_HEADERS[0],
                })?;
        let mut parsed = Self {
            message_id: message_id.to_owned(),
            timestamp,
            v1: Vec::new(),
            v1a: Vec::new(),
        };
        parsed.add_signatures(signatures);
        Ok(parsed)
    }

    /// Parses a `webhook-signature` value into `v1` and `v1a` lists.
    pub fn add_signatures(&mut self, value: &str) {
        for entry in value.split_whitespace() {
            let Some((version, encoded)) = entry.split_once(',') else {
                continue;
            };
            let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
                continue;
            };
            match version {
                "v1" => self.v1.push(signature),
                "v1a" => self.v1a.push(signature),
                _ => {}
            }
        }
    }
}

fn first_header<'h>(
    headers: &'h HeaderMap,
    names: [&'static str; 2],
) -> Result<&'h str, VerificationError> {
    names
        .iter()
        .find_map(|name| header_text(headers, name))
        .ok_or(VerificationError::MissingHeader { header: names[0] })
}

/// One active key of a Standard Webhooks verifier.
#[derive(Clone)]
enum VerificationKey {
    /// A symmetric `whsec_` secret, checked against `v1` entries.
    Symmetric(HmacSha256),
    /// An Ed25519 `whpk_` public key, checked against `v1a` entries.
    Ed25519(VerifyingKey),
}

/// Verifies Standard Webhooks signatures against one or more active keys.
#[derive(Clone)]
pub struct StandardWebhooks {
    keys: Vec<VerificationKey>,
    tolerance: Tolerance,
}

impl fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl StandardWebhooks {
    /// A verifier for the given active keys: `whsec_<base64>` (or bare base64) secrets for
    /// `v1`, `whpk_<base64>` public keys for `v1a`. Tolerance: 300 s in both directions.
    pub fn new<I, S>(keys: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys = keys
            .into_iter()
            .map(|key| parse_key(key.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(SecretError::NoSecrets);
        }
        Ok(Self {
            keys,
            tolerance: Tolerance::symmetric(Tolerance::DEFAULT_SECONDS),
        })
    }

    /// Replaces the tolerance.
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Signs a message as a sender would, returning one `webhook-signature` entry: `v1,…` for
    /// a `whsec_` secret, `v1a,…` for a `whsk_` Ed25519 seed.
    pub fn sign(
        key: &str,
        message_id: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Result<String, SecretError> {
        let engine = base64::engine::general_purpose::STANDARD;
        if let Some(seed) = key.strip_prefix("whsk_") {
            let seed = decode_key_bytes(seed, "whsk_")?;
            let seed: [u8; 32] = seed
                .try_into()
                .map_err(|_| SecretError::InvalidEd25519Key { prefix: "whsk_" })?;
            let signature =
                SigningKey::from_bytes(&seed).sign(&signed_content(message_id, timestamp, body));
            return Ok(format!("v1a,{}", engine.encode(signature.to_bytes())));
        }
        let VerificationKey::Symmetric(mac) = parse_key(key)? else {
            return Err(SecretError::InvalidEd25519Key { prefix: "whpk_" });
        };
        let digest = content_mac(&mac, message_id, timestamp, body)
            .finalize()
            .into_bytes();
        Ok(format!("v1,{}", engine.encode(digest)))
    }

    /// Checks parsed headers against `body`.
    pub fn verify_parsed(
        &self,
        headers: &StandardSignatureHeaders,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerificationError> {
        let (id, timestamp) = (headers.message_id.as_str(), headers.timestamp);
        let mut content = None;
        let matched = self.keys.iter().any(|key| match key {
            VerificationKey::Symmetric(mac) => {
                let mac = content_mac(mac, id, timestamp, body);
                headers
                    .v1
                    .iter()
                    .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
            }
            VerificationKey::Ed25519(public) => {
                let content = content.get_or_insert_with(|| signed_content(id, timestamp, body));
                headers.v1a.iter().any(|candidate| {
                    ed25519_dalek::Signature::from_slice(candidate)
                        .is_ok_and(|signature| public.verify(content, &signature).is_ok())
                })
            }
        });
        if !matched {
            return Err(VerificationError::NoMatchingSignature);
        }
        self.tolerance.check(timestamp, now)
    }
}

fn parse_key(key: &str) -> Result<VerificationKey, SecretError> {
    if key.is_empty() {
        return Err(SecretError::Empty);
    }
    if let Some(public) = key.strip_prefix("whpk_") {
        let bytes: [u8; 32] = decode_key_bytes(public, "whpk_")?
            .try_into()
            .map_err(|_| SecretError::InvalidEd25519Key { prefix: "whpk_" })?;
        let public = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| SecretError::InvalidEd25519Key { prefix: "whpk_" })?;
        return Ok(VerificationKey::Ed25519(public));
    }
    let secret = decode_key_bytes(key.strip_prefix("whsec_").unwrap_or(key), "whsec_")?;
    if secret.is_empty() {
        return Err(SecretError::Empty);
    }
    Ok(VerificationKey::Symmetric(keyed_mac(&secret)))
}

fn decode_key_bytes(encoded: &str, prefix: &'static str) -> Result<Vec<u8>, SecretError> {
    LENIENT_BASE64
        .decode(encoded)
        .map_err(|_| SecretError::NotBase64 { prefix })
}

fn signed_content(message_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{message_id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    content
}

fn content_mac(key: &HmacSha256, message_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = key.clone();
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

impl SignatureScheme for StandardWebhooks {
    fn name(&self) -> &'static str {
        "standard-webhooks-v1"
    }

    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        let parsed = StandardSignatureHeaders::from_headers(headers)?;
        self.verify_parsed(&parsed, body, now)?;
        Ok(SignedMessage::new(
            Some(parsed.timestamp),
            Some(parsed.message_id),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_refused_with_a_reason() {
        let cases: &[(&str, SecretError)] = &[
            ("", SecretError::Empty),
            ("whsec_", SecretError::Empty),
            ("whsec_!!!", SecretError::NotBase64 { prefix: "whsec_" }),
            (
                "whpk_AAAA",
                SecretError::InvalidEd25519Key { prefix: "whpk_" },
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(
                StandardWebhooks::new([key]).err().as_ref(),
                Some(expected),
                "{key}"
            );
        }
    }

    #[test]
    fn a_signature_list_keeps_known_versions_only() {
        let mut headers = StandardSignatureHeaders {
            message_id: "msg".into(),
            timestamp: 0,
            v1: vec![],
            v1a: vec![],
        };
        headers.add_signatures("v1,AAAA v1a,AAAA v2,AAAA junk v1,!!! v1,");
        assert_eq!((headers.v1.len(), headers.v1a.len()), (2, 1));
    }
}
