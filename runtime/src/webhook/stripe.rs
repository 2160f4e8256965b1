//! Stripe's `Stripe-Signature` scheme.
//!
//! The header reads `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. Each `v1` is the
//! lowercase hex HMAC-SHA256 of `<t>.<raw body>`, keyed with the UTF-8 bytes of the whole
//! endpoint secret *including* its `whsec_` prefix. During a secret roll Stripe signs with the
//! old and the new secret, so a delivery is valid when any `v1` matches any active secret.

use std::fmt;

use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;

use super::error::{SecretError, VerificationError};
use super::scheme::{SignatureScheme, SignedMessage, Tolerance, header_text};
use crate::Sensitive;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Builds an HMAC-SHA256 keyed with `key`.
pub(crate) fn keyed_mac(key: &[u8]) -> HmacSha256 {
    // HMAC pads or hashes its key to the block size, so every key length is valid and this
    // constructor cannot fail.
    #[allow(clippy::expect_used)]
    HmacSha256::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length")
}

/// The parsed `Stripe-Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripeSignatureHeader {
    /// The signing timestamp, `t`.
    pub timestamp: i64,
    /// Every `v1` entry that decodes as a 32-byte hex digest.
    pub v1: Vec<[u8; 32]>,
    /// How many `v1` entries were present but not 32 bytes of hex (they can never match).
    pub unreadable_v1: usize,
    /// Entries under other schemes (`v0` and any future label), by label.
    pub other_schemes: Vec<String>,
}

impl StripeSignatureHeader {
    /// The header's name.
    pub const NAME: &'static str = "Stripe-Signature";

    /// Parses a header value. Every comma-separated item must be `key=value` and exactly one
    /// integer `t` must be present, as in Stripe's own libraries; unreadable `v1` values are
    /// counted, not fatal, because another `v1` may still match.
    pub fn parse(value: &str) -> Result<Self, VerificationError> {
        let malformed = |reason| VerificationError::MalformedHeader {
            header: Self::NAME,
            reason,
        };
        if value.trim().is_empty() {
            return Err(VerificationError::MissingHeader { header: Self::NAME });
        }
        let mut timestamp = None;
        let mut header = Self {
            timestamp: 0,
            v1: Vec::new(),
            unreadable_v1: 0,
            other_schemes: Vec::new(),
        };
        for item in value.split(',') {
            let (key, item_value) = item
                .trim()
                .split_once('=')
                .ok_or(malformed("an item is not `key=value`"))?;
            match key {
                "t" => {
                    let parsed = item_value
                        .parse::<i64>()
                        .map_err(|_| malformed("`t` is not an integer"))?;
                    if timestamp.replace(parsed).is_some() {
                        return Err(malformed("`t` appears more than once"));
                    }
                }
                "v1" => match decode_digest(item_value) {
                    Some(digest) => header.v1.push(digest),
                    None => header.unreadable_v1 += 1,
                },
                other => header.other_schemes.push(other.to_owned()),
            }
        }
        header.timestamp = timestamp.ok_or(malformed("no `t=<timestamp>` item"))?;
        Ok(header)
    }

    /// Whether the header carries any `v1` entry at all, readable or not.
    pub fn has_v1(&self) -> bool {
        !self.v1.is_empty() || self.unreadable_v1 > 0
    }
}

/// Decodes a `v1` value. Stripe sends lowercase hex and its libraries compare the strings,
/// so uppercase is refused too: a changed byte in the header never verifies.
fn decode_digest(text: &str) -> Option<[u8; 32]> {
    if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
        return None;
    }
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text, &mut digest).ok()?;
    Some(digest)
}

/// Verifies Stripe's `Stripe-Signature` header against one or more endpoint secrets.
#[derive(Clone)]
pub struct StripeSignature {
    keys: Vec<HmacSha256>,
    tolerance: Tolerance,
}

impl fmt::Debug for StripeSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeSignature")
            .field("secrets", &format_args!("[{} redacted]", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl StripeSignature {
    /// A verifier for the given active endpoint secrets (`whsec_…`), with the default
    /// tolerance: signatures more than 300 s old are rejected.
    pub fn new<I, S>(secrets: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: Into<Sensitive<String>>,
    {
        let keys = secrets
            .into_iter()
            .map(|secret| {
                let secret = secret.into();
                if secret.expose().is_empty() {
                    return Err(SecretError::Empty);
                }
                if secret.expose().trim() != secret.expose() {
                    // Stripe's Node library refuses such secrets; the others simply never
                    // match. Accept it (the vectors expect a mismatch, not a refusal) but say so.
                    tracing::warn!("a Stripe webhook secret has leading or trailing whitespace");
                }
                Ok(keyed_mac(secret.expose().as_bytes()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(SecretError::NoSecrets);
        }
        Ok(Self {
            keys,
            tolerance: Tolerance::past_only(Tolerance::DEFAULT_SECONDS),
        })
    }

    /// Replaces the tolerance (Stripe's libraries check only the past side).
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Signs `body` as Stripe would at `timestamp`, returning the `Stripe-Signature` value.
    /// For fixtures and local sandboxes: `StripeSignature::sign("whsec_…", now, body)`.
    pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
        let digest = signed_payload_mac(&keyed_mac(secret.as_bytes()), timestamp, body)
            .finalize()
            .into_bytes();
        format!("t={timestamp},v1={}", hex::encode(digest))
    }

    /// Checks an already-parsed header against `body`; the header-reading part of
    /// [`SignatureScheme::verify`], exposed for the diagnosis tool.
    pub fn verify_parsed(
        &self,
        header: &StripeSignatureHeader,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerificationError> {
        if !header.has_v1() {
            return Err(VerificationError::NoSignatureWithExpectedScheme { scheme: "v1" });
        }
        let matched = self.keys.iter().any(|key| {
            let mac = signed_payload_mac(key, header.timestamp, body);
            header
                .v1
                .iter()
                .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
        });
        if !matched {
            return Err(VerificationError::NoMatchingSignature);
        }
        self.tolerance.check(header.timestamp, now)
    }
}

/// The MAC state after absorbing `<timestamp>.<body>`, ready to finalise or verify.
fn signed_payload_mac(key: &HmacSha256, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = key.clone();
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

impl SignatureScheme for StripeSignature {
    fn name(&self) -> &'static str {
        "stripe-v1"
    }

    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        let value = header_text(headers, StripeSignatureHeader::NAME).ok_or(
            VerificationError::MissingHeader {
                header: StripeSignatureHeader::NAME,
            },
        )?;
        let header = StripeSignatureHeader::parse(value)?;
        self.verify_parsed(&header, body, now)?;
        Ok(SignedMessage::new(Some(header.timestamp), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(v1 entries, unreadable v1 entries, other schemes)` of a parsed header, or its error kind.
    fn summary(value: &str) -> Result<(usize, usize, String), &'static str> {
        StripeSignatureHeader::parse(value)
            .map(|h| (h.v1.len(), h.unreadable_v1, h.other_schemes.join(" ")))
            .map_err(|error| error.kind())
    }

    #[test]
    fn header_parsing_follows_stripes_libraries() {
        let digest = "3bfab77baf5f7b6991a46c9b53b6547d7afc56148b10468fcad9f35c1992ffbd";
        let cases = [
            (format!("t=1,v1={digest}"), Ok((1, 0, String::new()))),
            (
                format!("t=1,v1={}", digest.to_uppercase()),
                Ok((0, 1, String::new())),
            ),
            ("t=1,v1=bad".to_owned(), Ok((0, 1, String::new()))),
            (
                "t=1,v0=00,v1=zz,v2=x".to_owned(),
                Ok((0, 1, "v0 v2".to_owned())),
            ),
            ("t=1".to_owned(), Ok((0, 0, String::new()))),
            ("v1,t=1".to_owned(), Err("malformed_header")),
            ("t=".to_owned(), Err("malformed_header")),
            ("t=1,t=2".to_owned(), Err("malformed_header")),
            ("  ".to_owned(), Err("missing_header")),
        ];
        for (value, expected) in cases {
            assert_eq!(summary(&value), expected, "{value}");
        }
    }

    #[test]
    fn signing_then_verifying_round_trips() -> Result<(), Box<dyn std::error::Error>> {
        let scheme = StripeSignature::new(["whsec_a"])?;
        let header = StripeSignatureHeader::parse(&StripeSignature::sign("whsec_a", 10, b"{}"))?;
        assert_eq!(scheme.verify_parsed(&header, b"{}", 10), Ok(()));
        assert_eq!(
            scheme.verify_parsed(&header, b"{ }", 10),
            Err(VerificationError::NoMatchingSignature)
        );
        Ok(())
    }

    #[test]
    fn a_verifier_needs_a_non_empty_secret() {
        assert_eq!(
            StripeSignature::new(Vec::<String>::new()).err(),
            Some(SecretError::NoSecrets)
        );
        assert_eq!(StripeSignature::new([""]).err(), Some(SecretError::Empty));
    }
}
