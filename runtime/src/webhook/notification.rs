//! Adyen's classic notification batch, read for its signatures: the body
//! `{"live": "…", "notificationItems": [{"NotificationRequestItem": {…}}, …]}`, and for each
//! item the eight fields its HMAC signs and the signature in `additionalData.hmacSignature`.
//!
//! Only what the signature covers is read here; the item's other fields stay in its raw
//! bytes for the typed decoding a worker does later.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::error::VerificationError;

/// A batch of notification items, in the order they arrived.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct NotificationBatch {
    /// The items; an absent array is an empty batch.
    #[serde(rename = "notificationItems", default)]
    pub items: Vec<NotificationElement>,
}

/// One element of `notificationItems`: the item wrapped in its one-key object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct NotificationElement {
    /// The wrapped item.
    #[serde(rename = "NotificationRequestItem")]
    pub item: NotificationItem,
}

impl NotificationBatch {
    /// Parses a body. A body that is not a JSON object with (at most) a `notificationItems`
    /// array of wrapped items, or whose signed fields are not scalars or appear twice, is
    /// `BodyNotJson`.
    pub fn parse(body: &[u8]) -> Result<Self, VerificationError> {
        let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(VerificationError::BodyNotJson {
                reason: "the top-level value is not an object".to_owned(),
            });
        }
        serde_json::from_slice(body).map_err(|error| VerificationError::BodyNotJson {
            reason: error.to_string(),
        })
    }
}

/// The signed fields of one `NotificationRequestItem` and its signature. Absent fields read
/// as the empty string, as in Adyen's libraries; numbers and booleans read as their JSON text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationItem {
    /// `pspReference`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub psp_reference: String,
    /// `originalReference`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub original_reference: String,
    /// `merchantAccountCode`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub merchant_account_code: String,
    /// `merchantReference`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub merchant_reference: String,
    /// `amount` (`value` and `currency`); absent or `null` reads as empty fields.
    #[serde(default)]
    pub amount: Option<NotificationAmount>,
    /// `eventCode`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub event_code: String,
    /// `success` (`"true"` or `"false"`).
    #[serde(default, deserialize_with = "scalar_text")]
    pub success: String,
    /// `additionalData`, of which only the signature is read.
    #[serde(default)]
    pub additional_data: Option<SignatureData>,
}

/// The `amount` of an item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct NotificationAmount {
    /// `value`, in minor units, as its JSON text.
    #[serde(default, deserialize_with = "scalar_text")]
    pub value: String,
    /// `currency`.
    #[serde(default, deserialize_with = "scalar_text")]
    pub currency: String,
}

/// The signature in an item's `additionalData`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SignatureData {
    /// `hmacSignature`: base64 of the HMAC-SHA256, when present.
    #[serde(rename = "hmacSignature", default, deserialize_with = "scalar_text")]
    pub hmac_signature: String,
}

impl NotificationItem {
    /// The signature, or `""` when the item carries none.
    pub fn hmac_signature(&self) -> &str {
        self.additional_data
            .as_ref()
            .map_or("", |data| data.hmac_signature.as_str())
    }

    /// Where the signature of an item sits, for error messages.
    pub const SIGNATURE_LOCATION: &'static str = "additionalData.hmacSignature";

    /// The string the HMAC signs:
    /// `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`,
    /// the raw values joined with `:`, nothing escaped.
    pub fn signing_string(&self) -> String {
        let amount = self.amount.as_ref();
        [
            self.psp_reference.as_str(),
            &self.original_reference,
            &self.merchant_account_code,
            &self.merchant_reference,
            amount.map_or("", |amount| amount.value.as_str()),
            amount.map_or("", |amount| amount.currency.as_str()),
            &self.event_code,
            &self.success,
        ]
        .join(":")
    }
}

/// Reads a JSON scalar as text: a string as it is, a number or a boolean as its JSON text,
/// `null` as the empty string. Objects and arrays are refused.
fn scalar_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(ScalarText)
}

struct ScalarText;

impl Visitor<'_> for ScalarText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_string_joins_raw_values_and_empties_absent_ones() -> Result<(), VerificationError>
    {
        let cases = [
            (
                r#"{"pspReference":"p","originalReference":"o","merchantAccountCode":"m","merchantReference":"a:b\\c","amount":{"value":1000,"currency":"EUR"},"eventCode":"E","success":"true"}"#,
                "p:o:m:a:b\\c:1000:EUR:E:true",
            ),
            (r#"{"pspReference":"p","success":true}"#, "p:::::::true"),
            (r#"{"amount":{"value":"12"},"eventCode":null}"#, "::::12:::"),
            (r#"{"amount":null,"additionalData":null}"#, ":::::::"),
        ];
        for (item, expected) in cases {
            let body = format!(r#"{{"notificationItems":[{{"NotificationRequestItem":{item}}}]}}"#);
            let batch = NotificationBatch::parse(body.as_bytes())?;
            assert_eq!(batch.items[0].item.signing_string(), expected, "{item}");
        }
        Ok(())
    }

    #[test]
    fn malformed_batches_are_refused_without_echoing_the_body() {
        let cases = [
            "[]",
            "",
            r#"{"notificationItems":{}}"#,
            r#"{"notificationItems":[{"NotificationRequestItem":{"eventCode":{}}}]}"#,
            r#"{"notificationItems":[{}]}"#,
        ];
        for body in cases {
            let error = NotificationBatch::parse(body.as_bytes()).err();
            assert_eq!(
                error.as_ref().map(VerificationError::kind),
                Some("body_not_json"),
                "{body}"
            );
        }
    }
}
