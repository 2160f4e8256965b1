//! PayPal's five signature headers, parsed into [`PaypalHeaders`], and the message they sign.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::super::error::VerificationError;
use super::super::scheme::header_text;

/// The delivery's unique id (`PAYPAL-TRANSMISSION-ID`).
pub const TRANSMISSION_ID_HEADER: &str = "paypal-transmission-id";
/// When PayPal signed the delivery, RFC 3339 (`PAYPAL-TRANSMISSION-TIME`).
pub const TRANSMISSION_TIME_HEADER: &str = "paypal-transmission-time";
/// The base64 RSA signature (`PAYPAL-TRANSMISSION-SIG`).
pub const TRANSMISSION_SIG_HEADER: &str = "paypal-transmission-sig";
/// Where the signing certificate chain is served (`PAYPAL-CERT-URL`).
pub const CERT_URL_HEADER: &str = "paypal-cert-url";
/// The signature algorithm (`PAYPAL-AUTH-ALGO`), `SHA256withRSA`.
pub const AUTH_ALGO_HEADER: &str = "paypal-auth-algo";
/// The only algorithm PayPal signs with, as its header names it.
pub const SHA256_WITH_RSA: &str = "SHA256withRSA";

/// The signature headers of one PayPal delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaypalHeaders {
    /// `PAYPAL-TRANSMISSION-ID`, signed verbatim.
    pub transmission_id: String,
    /// `PAYPAL-TRANSMISSION-TIME`, signed verbatim.
    pub transmission_time: String,
    /// The transmission time as Unix seconds.
    pub timestamp: i64,
    /// The decoded `PAYPAL-TRANSMISSION-SIG`.
    pub signature: Vec<u8>,
    /// `PAYPAL-CERT-URL`.
    pub cert_url: String,
    /// `PAYPAL-AUTH-ALGO`.
    pub auth_algo: String,
}

impl PaypalHeaders {
    /// Reads the five headers (names are case-insensitive). An absent or empty header is
    /// [`MissingHeader`](VerificationError::MissingHeader); a time that is not RFC 3339, a
    /// signature that is not base64, or a `|` in a signed field is
    /// [`MalformedHeader`](VerificationError::MalformedHeader).
    pub fn parse(headers: &HeaderMap) -> Result<Self, VerificationError> {
        let transmission_id = signed_field(headers, TRANSMISSION_ID_HEADER)?;
        let transmission_time = signed_field(headers, TRANSMISSION_TIME_HEADER)?;
        let timestamp = OffsetDateTime::parse(&transmission_time, &Rfc3339)
            .map_err(|_| VerificationError::MalformedHeader {
                header: TRANSMISSION_TIME_HEADER,
                reason: "not an RFC 3339 date-time",
            })?
            .unix_timestamp();
        let signature = STANDARD
            .decode(required(headers, TRANSMISSION_SIG_HEADER)?)
            .map_err(|_| VerificationError::MalformedHeader {
                header: TRANSMISSION_SIG_HEADER,
                reason: "not base64",
            })?;
        Ok(Self {
            transmission_id,
            transmission_time,
            timestamp,
            signature,
            cert_url: required(headers, CERT_URL_HEADER)?.to_owned(),
            auth_algo: required(headers, AUTH_ALGO_HEADER)?.to_owned(),
        })
    }

    /// The exact message PayPal signs for this delivery:
    /// `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body>`, the
    /// CRC32 as an unsigned decimal. `webhook_id` is the id of the webhook in the app's
    /// configuration, never the event's id.
    pub fn signed_message(&self, webhook_id: &str, body: &[u8]) -> String {
        format!(
            "{}|{}|{}|{}",
            self.transmission_id,
            self.transmission_time,
            webhook_id,
            body_crc32(body)
        )
    }
}

/// The CRC32 (IEEE) of the raw body, as PayPal puts it in the signed message.
pub fn body_crc32(body: &[u8]) -> u32 {
    crc32fast::hash(body)
}

fn required<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, VerificationError> {
    header_text(headers, name).ok_or(VerificationError::MissingHeader { header: name })
}

/// A header that becomes one field of the `|`-separated signed message: a `|` inside it
/// would make two different deliveries sign the same message.
fn signed_field(headers: &HeaderMap, name: &'static str) -> Result<String, VerificationError> {
    let text = required(headers, name)?;
    if text.contains('|') {
        return Err(VerificationError::MalformedHeader {
            header: name,
            reason: "contains `|`, the separator of the signed message",
        });
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(value) {
                map.insert(*name, value);
            }
        }
        map
    }

    const COMPLETE: [(&str, &str); 5] = [
        (TRANSMISSION_ID_HEADER, "69cd13f0"),
        (TRANSMISSION_TIME_HEADER, "2024-01-15T10:00:01Z"),
        (TRANSMISSION_SIG_HEADER, "AAEC"),
        (
            CERT_URL_HEADER,
            "https://api.paypal.com/v1/notifications/certs/CERT-1",
        ),
        (AUTH_ALGO_HEADER, SHA256_WITH_RSA),
    ];

    #[test]
    fn parses_the_five_headers_and_builds_the_signed_message() -> Result<(), VerificationError> {
        let parsed = PaypalHeaders::parse(&headers(&COMPLETE))?;
        assert_eq!(parsed.timestamp, 1_705_312_801);
        assert_eq!(parsed.signature, vec![0, 1, 2]);
        assert_eq!(
            parsed.signed_message("WH1", b"abc"),
            "69cd13f0|2024-01-15T10:00:01Z|WH1|891568578"
        );
        Ok(())
    }

    #[test]
    fn each_missing_or_malformed_header_is_named() {
        for (index, (name, _)) in COMPLETE.iter().enumerate() {
            let mut pairs = COMPLETE.to_vec();
            pairs.remove(index);
            assert_eq!(
                PaypalHeaders::parse(&headers(&pairs)),
                Err(VerificationError::MissingHeader { header: name })
            );
        }
        let malformed = [
            (TRANSMISSION_TIME_HEADER, "yesterday"),
            (TRANSMISSION_SIG_HEADER, "not base64!"),
            (TRANSMISSION_ID_HEADER, "a|b"),
        ];
        for (name, value) in malformed {
            let mut pairs = COMPLETE.to_vec();
            pairs.retain(|(other, _)| *other != name);
            pairs.push((name, value));
            let result = PaypalHeaders::parse(&headers(&pairs));
            assert!(
                matches!(result, Err(VerificationError::MalformedHeader { header, .. }) if header == name),
                "{name}: {result:?}"
            );
        }
    }
}
