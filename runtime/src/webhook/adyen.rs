//! Adyen's HMAC-SHA256 signatures, in their two placements.
//!
//! Both key the HMAC with the *hex-decoded* HMAC key of the webhook and carry the digest in
//! base64. Classic notifications (the `Webhooks` API) are batches in which every item is
//! signed on its own: the signed string is
//! `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`
//! (raw values, absent ones empty, nothing escaped) and the signature travels in the item's
//! `additionalData.hmacSignature`. Management and Tokenization webhooks sign the exact raw body
//! and send the signature in the `HmacSignature` header. Neither signs a timestamp.
//!
//! A signature that does not decode to 32 bytes can never match: it is
//! [`NoMatchingSignature`](VerificationError::NoMatchingSignature), not a parse failure.
//! Comparison is the MAC's own constant-time `verify_slice`. Several keys may be active at
//! once (a key rotation): a signature is valid when any key made it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac as _;
use http::HeaderMap;

use super::envelope::EnvelopeConvention;
use super::error::{SecretError, VerificationError};
use super::notification::{NotificationBatch, NotificationItem};
use super::scheme::{Acknowledgement, SignatureScheme, SignedMessage, header_text};
use super::stripe::{HmacSha256, keyed_mac};
use crate::Sensitive;

/// Where an Adyen webhook carries its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HmacPlacement {
    /// In each notification item's `additionalData.hmacSignature` (classic notifications).
    NotificationItems,
    /// In the `HmacSignature` header, over the raw body (Management, Tokenization).
    BodyHeader,
}

/// Verifies Adyen's HMAC signatures against one or more active hex keys.
#[derive(Clone)]
pub struct AdyenHmac {
    keys: Vec<HmacSha256>,
    placement: HmacPlacement,
}

impl fmt::Debug for AdyenHmac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdyenHmac")
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("placement", &self.placement)
            .finish()
    }
}

/// The header that carries the body signature.
pub const HMAC_SIGNATURE_HEADER: &str = "HmacSignature";

impl AdyenHmac {
    /// The body an Adyen endpoint answers to acknowledge a delivery.
    pub const ACCEPTED: &'static str = "[accepted]";

    /// A verifier of classic notification batches, each item signed, for the given active
    /// hex keys.
    pub fn notification_items<I, S>(keys: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: Into<Sensitive<String>>,
    {
        Self::new(keys, HmacPlacement::NotificationItems)
    }

    /// A verifier of body-signed webhooks (`HmacSignature` header), for the given active
    /// hex keys.
    pub fn body_header<I, S>(keys: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: Into<Sensitive<String>>,
    {
        Self::new(keys, HmacPlacement::BodyHeader)
    }

    fn new<I, S>(keys: I, placement: HmacPlacement) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: Into<Sensitive<String>>,
    {
        let keys = keys
            .into_iter()
            .map(|key| hex_key(key.into().expose()).map(|bytes| keyed_mac(&bytes)))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(SecretError::NoSecrets);
        }
        Ok(Self { keys, placement })
    }

    /// Where this verifier looks for signatures.
    pub fn placement(&self) -> HmacPlacement {
        self.placement
    }

    /// Signs a notification item as Adyen would: the base64 HMAC of its signing string. For
    /// fixtures and local sandboxes; put the result in `additionalData.hmacSignature`.
    pub fn sign_item(key_hex: &str, item: &NotificationItem) -> Result<String, SecretError> {
        let mut mac = keyed_mac(&hex_key(key_hex)?);
        mac.update(item.signing_string().as_bytes());
        Ok(STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// Signs a raw body as Adyen would: the `HmacSignature` header's value.
    pub fn sign_body(key_hex: &str, body: &[u8]) -> Result<String, SecretError> {
        let mut mac = keyed_mac(&hex_key(key_hex)?);
        mac.update(body);
        Ok(STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// Checks one notification item's signature.
    pub fn verify_item(&self, item: &NotificationItem) -> Result<(), VerificationError> {
        let signature = item.hmac_signature().trim();
        if signature.is_empty() {
            return Err(VerificationError::MissingSignature {
                location: NotificationItem::SIGNATURE_LOCATION,
            });
        }
        self.check(signature, item.signing_string().as_bytes())
    }

    /// Checks every item of a parsed batch; the first bad item rejects the batch, named by
    /// its index. Returns how many items verified.
    pub fn verify_batch(&self, batch: &NotificationBatch) -> Result<usize, VerificationError> {
        for (index, element) in batch.items.iter().enumerate() {
            self.verify_item(&element.item)
                .map_err(|reason| VerificationError::BatchItem {
                    index,
                    reason: Box::new(reason),
                })?;
        }
        Ok(batch.items.len())
    }

    /// Checks a raw body against the value of its `HmacSignature` header.
    pub fn verify_body(&self, signature: &str, body: &[u8]) -> Result<(), VerificationError> {
        self.check(signature.trim(), body)
    }

    /// Whether any active key signed `message` with the base64 `signature`.
    fn check(&self, signature: &str, message: &[u8]) -> Result<(), VerificationError> {
        // A signature that is not base64 or not 32 bytes cannot match any key; the MAC's
        // `verify_slice` refuses a wrong length in constant time as well.
        let Ok(decoded) = STANDARD.decode(signature) else {
            return Err(VerificationError::NoMatchingSignature);
        };
        let matched = self.keys.iter().any(|key| {
            let mut mac = key.clone();
            mac.update(message);
            mac.verify_slice(&decoded).is_ok()
        });
        if matched {
            Ok(())
        } else {
            Err(VerificationError::NoMatchingSignature)
        }
    }
}

/// Decodes a hex HMAC key (Adyen shows 64 hex digits; any even length is accepted).
fn hex_key(key: &str) -> Result<Vec<u8>, SecretError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(SecretError::Empty);
    }
    hex::decode(key).map_err(|_| SecretError::NotHex)
}

impl SignatureScheme for AdyenHmac {
    fn name(&self) -> &'static str {
        match self.placement {
            HmacPlacement::NotificationItems => "adyen-hmac-v1",
            HmacPlacement::BodyHeader => "adyen-hmac-body-v1",
        }
    }

    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        _now: i64,
    ) -> Result<SignedMessage, VerificationError> {
        match self.placement {
            HmacPlacement::NotificationItems => {
                self.verify_batch(&NotificationBatch::parse(body)?)?;
            }
            HmacPlacement::BodyHeader => {
                let signature = header_text(headers, HMAC_SIGNATURE_HEADER).ok_or(
                    VerificationError::MissingHeader {
                        header: HMAC_SIGNATURE_HEADER,
                    },
                )?;
                self.verify_body(signature, body)?;
            }
        }
        Ok(SignedMessage::default())
    }

    /// Classic notifications are batches keyed as Adyen advises (`pspReference`,
    /// `eventCode`, `success`); body-signed webhooks are single events keyed by their
    /// `eventId`, or by their digest when they have none (Management webhooks).
    fn envelope(&self) -> EnvelopeConvention {
        match self.placement {
            HmacPlacement::NotificationItems => EnvelopeConvention::batch(
                "notificationItems",
                Some("NotificationRequestItem"),
                &["pspReference", "eventCode", "success"],
                "eventCode",
            ),
            HmacPlacement::BodyHeader => {
                EnvelopeConvention::single_event("eventId", "type").with_digest_id()
            }
        }
    }

    /// Adyen takes any 2xx as an acknowledgement; its classic integration expects the body
    /// `[accepted]`.
    fn acknowledgement(&self) -> Acknowledgement {
        Acknowledgement::FixedBody(Self::ACCEPTED.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)

    #[test]
    fn keys_must_be_hex_and_present() {
        assert_eq!(
            AdyenHmac::notification_items(Vec::<String>::new()).err(),
            Some(SecretError::NoSecrets)
        );
        assert_eq!(
            AdyenHmac::notification_items(["zz"]).err(),
            Some(SecretError::NotHex)
        );
        assert_eq!(AdyenHmac::body_header([""]).err(), Some(SecretError::Empty));
    }

    #[test]
    fn any_active_key_verifies_and_a_wrong_length_signature_does_not()
    -> Result<(), Box<dyn std::error::Error>> {
        let other = "00".repeat(32);
        let scheme = AdyenHmac::body_header([other.as_str(), KEY])?;
        let signature = AdyenHmac::sign_body(KEY, b"{}")?;
        assert_eq!(scheme.verify_body(&signature, b"{}"), Ok(()));
        for forged in ["", "AAAA", "not base64!", &"A".repeat(44), &signature[1..]] {
            assert_eq!(
                scheme.verify_body(forged, b"{}"),
                Err(VerificationError::NoMatchingSignature),
                "{forged}"
            );
        }
        Ok(())
    }
}
