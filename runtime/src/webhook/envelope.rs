//! The event envelope convention: where a verified delivery's events sit, and which fields
//! give each event's id and type.
//!
//! A provider either sends one event per delivery (a batch of one: the body is the event) or
//! a batch of events in an array of the body (each element possibly wrapped in an object of
//! one key). The convention is data a provider profile states (`[webhooks.envelope]` of
//! `provider.toml`); the receiver, the inbox and the workers only follow it.

use std::fmt;

use bytes::Bytes;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::error::VerificationError;

/// Where a delivery's events are and how each one's id and type are read.
///
/// Built from the provider profile's envelope section, or with the constructors:
///
/// ```
/// use payforge::webhook::EnvelopeConvention;
///
/// // One event per delivery, identified by its `id`, typed by its `type`.
/// let single = EnvelopeConvention::single_event("id", "type").with_api_version_field("api_version");
/// // A batch in `items`, each element wrapped as `{"Item": {...}}`, identified by three fields.
/// let batch = EnvelopeConvention::batch("items", Some("Item"), &["ref", "code", "ok"], "code");
/// assert!(batch.is_batch() && !single.is_batch());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeConvention {
    items: Option<ItemList>,
    id_fields: Vec<String>,
    type_field: String,
    api_version_field: Option<String>,
    digest_id: bool,
}

/// Where the items of a batch are.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ItemList {
    /// The top-level field holding the array of items.
    array_field: String,
    /// The key that wraps each element (`{"<wrapper>": item}`), if any.
    wrapper: Option<String>,
}

impl Default for EnvelopeConvention {
    /// One event per delivery with string fields `id`, `type` and `api_version` (the shape
    /// payforge's receiver has always read, kept as the default for compatibility).
    fn default() -> Self {
        Self::single_event("id", "type").with_api_version_field("api_version")
    }
}

impl EnvelopeConvention {
    /// The body is one event; `id_field` and `type_field` are its top-level string fields.
    pub fn single_event(id_field: &str, type_field: &str) -> Self {
        Self {
            items: None,
            id_fields: vec![id_field.to_owned()],
            type_field: type_field.to_owned(),
            api_version_field: None,
            digest_id: false,
        }
    }

    /// The body's top-level `array_field` holds the events, each element wrapped as
    /// `{"<wrapper>": event}` when `wrapper` is given. An event's id is its `id_fields`
    /// joined with `:` (an absent field reads as the empty string); its type is `type_field`.
    pub fn batch(
        array_field: &str,
        wrapper: Option<&str>,
        id_fields: &[&str],
        type_field: &str,
    ) -> Self {
        Self {
            items: Some(ItemList {
                array_field: array_field.to_owned(),
                wrapper: wrapper.map(str::to_owned),
            }),
            id_fields: id_fields.iter().map(|field| (*field).to_owned()).collect(),
            type_field: type_field.to_owned(),
            api_version_field: None,
            digest_id: false,
        }
    }

    /// Reads the API version the event was rendered with from `field`.
    pub fn with_api_version_field(mut self, field: &str) -> Self {
        self.api_version_field = Some(field.to_owned());
        self
    }

    /// When an event carries none of its id fields and the signature signs no message id,
    /// identifies it by the SHA-256 of its bytes (`sha256:<hex>`), so that a byte-identical
    /// redelivery is still recognised. Without this such an event is rejected.
    pub fn with_digest_id(mut self) -> Self {
        self.digest_id = true;
        self
    }

    /// Whether deliveries are batches (an array of events) rather than one event.
    pub fn is_batch(&self) -> bool {
        self.items.is_some()
    }

    /// Splits a verified body into its events, in the order they arrived. `message_id` is
    /// the id the signature signed, used when an event carries none of its id fields.
    pub fn split(
        &self,
        body: &Bytes,
        message_id: Option<&str>,
    ) -> Result<Vec<EnvelopeItem>, VerificationError> {
        let Some(list) = &self.items else {
            let wanted = self.item_fields();
            let fields = pick(body, &wanted)?;
            return Ok(vec![self.item(
                body.clone(),
                &wanted,
                &fields,
                message_id,
            )?]);
        };
        let array = pick(body, std::slice::from_ref(&list.array_field.as_str()))?
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(|| not_json(format!("no `{}` array", list.array_field)))?;
        let elements: Vec<&RawValue> = serde_json::from_str(array.get())
            .map_err(|error| not_json(format!("`{}`: {error}", list.array_field)))?;
        let wanted = self.item_fields();
        elements
            .into_iter()
            .enumerate()
            .map(|(index, element)| {
                self.batch_item(body, element, list, &wanted, message_id)
                    .map_err(|reason| VerificationError::BatchItem {
                        index,
                        reason: Box::new(reason),
                    })
            })
            .collect()
    }

    fn batch_item(
        &self,
        body: &Bytes,
        element: &RawValue,
        list: &ItemList,
        wanted: &[&str],
        message_id: Option<&str>,
    ) -> Result<EnvelopeItem, VerificationError> {
        let raw = match &list.wrapper {
            Some(wrapper) => pick(element.get().as_bytes(), &[wrapper.as_str()])?
                .into_iter()
                .flatten()
                .next()
                .ok_or_else(|| not_json(format!("the item is not wrapped in `{wrapper}`")))?,
            None => element,
        };
        let fields = pick(raw.get().as_bytes(), wanted)?;
        self.item(
            body.slice_ref(raw.get().as_bytes()),
            wanted,
            &fields,
            message_id,
        )
    }

    /// The fields an event is read for, each once (the type field may also be an id field).
    fn item_fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = Vec::new();
        let names = self.id_fields.iter().map(String::as_str);
        for name in names
            .chain([self.type_field.as_str()])
            .chain(self.api_version_field.as_deref())
        {
            if !fields.contains(&name) {
                fields.push(name);
            }
        }
        fields
    }

    /// One event: its bytes and the values `pick` found for the `wanted` fields.
    fn item(
        &self,
        bytes: Bytes,
        wanted: &[&str],
        fields: &[Option<&RawValue>],
        message_id: Option<&str>,
    ) -> Result<EnvelopeItem, VerificationError> {
        let field = |name: &str| {
            let index = wanted.iter().position(|wanted| *wanted == name)?;
            fields.get(index).copied().flatten().and_then(string_value)
        };
        let parts: Vec<Option<String>> = self.id_fields.iter().map(|name| field(name)).collect();
        let id = if parts.iter().any(Option::is_some) {
            parts
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect::<Vec<_>>()
                .join(":")
        } else if let Some(message_id) = message_id {
            message_id.to_owned()
        } else if self.digest_id {
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
        } else {
            return Err(VerificationError::MissingEventId);
        };
        Ok(EnvelopeItem {
            event_type: field(&self.type_field),
            api_version: self.api_version_field.as_deref().and_then(field),
            id,
            bytes,
        })
    }
}

/// One event of a delivery, as the envelope convention reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeItem {
    /// The event id the inbox deduplicates on.
    pub id: String,
    /// The event type, when the event names one.
    pub event_type: Option<String>,
    /// The API version the event was rendered with, when the convention reads one.
    pub api_version: Option<String>,
    /// The event's exact bytes: the whole body, or the item's slice of it.
    pub bytes: Bytes,
}

fn not_json(reason: String) -> VerificationError {
    VerificationError::BodyNotJson { reason }
}

/// Reads a JSON object for the raw values of the `wanted` fields (`None` where absent), in
/// one pass that skips every other field without allocating. A wanted field given twice is
/// refused: an event whose id could be read two ways is not trusted.
fn pick<'a>(
    bytes: &'a [u8],
    wanted: &[&str],
) -> Result<Vec<Option<&'a RawValue>>, VerificationError> {
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(not_json("the top-level value is not an object".to_owned()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let picked = FieldPicker { wanted }
        .deserialize(&mut deserializer)
        .and_then(|picked| deserializer.end().map(|()| picked))
        .map_err(|error| not_json(error.to_string()))?;
    Ok(picked)
}

/// A field's value when it is a JSON string; any other value reads as absent, so that a body
/// that verified is never rejected for the shape of a field it did not need.
fn string_value(raw: &RawValue) -> Option<String> {
    String::deserialize(&mut serde_json::Deserializer::from_str(raw.get())).ok()
}

/// Picks the raw values of some fields of a JSON object.
struct FieldPicker<'w> {
    wanted: &'w [&'w str],
}

impl<'de> DeserializeSeed<'de> for FieldPicker<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldPicker<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = vec![None; self.wanted.len()];
        while let Some(slot) = map.next_key_seed(FieldSlot {
            wanted: self.wanted,
        })? {
            match slot.and_then(|index| picked.get_mut(index).map(|value| (index, value))) {
                Some((index, value)) => {
                    if value.replace(map.next_value::<&'de RawValue>()?).is_some() {
                        let name = self.wanted.get(index).copied().unwrap_or_default();
                        return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(picked)
    }
}

/// Reads an object key as the position of a wanted field, or `None`.
struct FieldSlot<'w> {
    wanted: &'w [&'w str],
}

impl<'de> DeserializeSeed<'de> for FieldSlot<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldSlot<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.wanted.iter().position(|wanted| *wanted == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(convention: &EnvelopeConvention, body: &str) -> Result<Vec<String>, &'static str> {
        convention
            .split(&Bytes::copy_from_slice(body.as_bytes()), Some("msg"))
            .map(|items| {
                items
                    .into_iter()
                    .map(|item| format!("{} {}", item.id, item.event_type.unwrap_or_default()))
                    .collect()
            })
            .map_err(|error| error.kind())
    }

    #[test]
    fn a_single_event_is_a_batch_of_one() {
        let single = EnvelopeConvention::default();
        let cases = [
            (
                r#"{"id":"evt_1","type":"a.b"}"#,
                Ok(vec!["evt_1 a.b".to_owned()]),
            ),
            (r#"{"type":"a.b"}"#, Ok(vec!["msg a.b".to_owned()])),
            (r#"{"id":7}"#, Ok(vec!["msg ".to_owned()])),
            (r#"{"id":"a","id":"b"}"#, Err("body_not_json")),
            (r#"{"id":"a"} x"#, Err("body_not_json")),
            (
                r#"{"i\u0064":"escaped","type":"t"}"#,
                Ok(vec!["escaped t".to_owned()]),
            ),
            ("[1]", Err("body_not_json")),
            ("{", Err("body_not_json")),
        ];
        for (body, expected) in cases {
            assert_eq!(ids(&single, body), expected, "{body}");
        }
    }

    #[test]
    fn batch_items_are_split_with_their_ids_and_exact_bytes() -> Result<(), VerificationError> {
        let batch =
            EnvelopeConvention::batch("items", Some("Item"), &["ref", "code", "ok"], "code");
        let body = Bytes::from_static(
            br#"{"live":"false","items":[{"Item":{"ref":"1","code":"A","ok":"true"}},{"Item": {"ref":"2", "code":"B"}}]}"#,
        );
        let items = batch.split(&body, None)?;
        let summary: Vec<(&str, &[u8])> = items
            .iter()
            .map(|item| (item.id.as_str(), item.bytes.as_ref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "1:A:true",
                    br#"{"ref":"1","code":"A","ok":"true"}"#.as_slice()
                ),
                ("2:B:", br#"{"ref":"2", "code":"B"}"#.as_slice()),
            ]
        );
        let cases = [
            (r#"{"items":[]}"#, Ok(vec![])),
            (r#"{"other":[]}"#, Err("body_not_json")),
            (r#"{"items":[{"Wrong":{}}]}"#, Err("body_not_json")),
            (r#"{"items":[{"Item":{"x":1}}]}"#, Err("missing_event_id")),
        ];
        for (body, expected) in cases {
            assert_eq!(
                batch
                    .split(&Bytes::copy_from_slice(body.as_bytes()), None)
                    .map(|items| items.len())
                    .map_err(|error| error.kind()),
                expected.map(|ids: Vec<String>| ids.len()),
                "{body}"
            );
        }
        Ok(())
    }

    #[test]
    fn an_event_without_id_falls_back_to_its_digest_when_asked() -> Result<(), VerificationError> {
        let convention = EnvelopeConvention::single_event("eventId", "type").with_digest_id();
        let items = convention.split(&Bytes::from_static(br#"{"type":"t"}"#), None)?;
        assert!(items[0].id.starts_with("sha256:") && items[0].id.len() == 71);
        Ok(())
    }
}
