//! Which generated type a "missing field" decode error comes from.
//!
//! serde's message for an absent required field names the field only (``missing field
//! `billing_details` ``), and serde_path_to_error's path stops at the object holding it.
//! When a provider omits a field its spec marks required, the reader needs the *type* too,
//! to find the field in the SDK and in the spec. The derive passes each struct's Rust name
//! and field names to `Deserializer::deserialize_struct`; [`owner_of_missing_field`] decodes
//! the body again through a deserializer that watches those calls, and reports the innermost
//! struct that lists the field, was given an object without it, and failed. Only a failed
//! decode pays for this.

use std::cell::Cell;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::{Error, Value};

/// The field named by a serde "missing field" message.
pub(crate) fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.get(..rest.find('`')?)
}

/// The Rust name of the struct whose required field `field` is absent from `body`, as the
/// decode of `T` meets it; `None` when the failure is of another kind or cannot be traced
/// (inside a union, whose members serde decodes from a buffered copy).
pub(crate) fn owner_of_missing_field<T: DeserializeOwned>(
    body: &Value,
    field: &str,
) -> Option<&'static str> {
    let owner = Cell::new(None);
    let tracer = Tracer {
        value: body,
        field,
        owner: &owner,
    };
    T::deserialize(tracer).err()?;
    owner.get()
}

/// A deserializer over a JSON value that records the owner of the missing field.
#[derive(Clone, Copy)]
struct Tracer<'a> {
    value: &'a Value,
    field: &'a str,
    owner: &'a Cell<Option<&'static str>>,
}

impl<'a> Tracer<'a> {
    fn at(self, value: &'a Value) -> Self {
        Self { value, ..self }
    }
}

impl<'de> de::Deserializer<'de> for Tracer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => visitor.visit_map(Entries {
                entries: map.iter(),
                pending: None,
                tracer: self,
            }),
            Value::Array(items) => visitor.visit_seq(Items {
                items: items.iter(),
                tracer: self,
            }),
            scalar => de::Deserializer::deserialize_any(scalar, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = self.deserialize_any(visitor);
        let lacks_field = self
            .value
            .as_object()
            .is_some_and(|object| !object.contains_key(self.field));
        if result.is_err()
            && self.owner.get().is_none()
            && lacks_field
            && fields.contains(&self.field)
        {
            self.owner.set(Some(name));
        }
        result
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Externally tagged enums are not traced inside: serde_json decodes them.
        de::Deserializer::deserialize_enum(self.value, name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// The entries of an object, values traced.
struct Entries<'a> {
    entries: serde_json::map::Iter<'a>,
    pending: Option<&'a Value>,
    tracer: Tracer<'a>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(value);
        seed.deserialize(key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .pending
            .take()
            .ok_or_else(|| de::Error::custom("a value was asked for before its key"))?;
        seed.deserialize(self.tracer.at(value))
    }
}

/// The items of an array, traced.
struct Items<'a> {
    items: std::slice::Iter<'a, Value>,
    tracer: Tracer<'a>,
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.items
            .next()
            .map(|value| seed.deserialize(self.tracer.at(value)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // Reason: only decoded, to make the decode fail inside it.
    struct OutboundPayment {
        id: String,
        details: Option<Details>,
        history: Vec<Details>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // Reason: as above.
    struct Details {
        #[serde(rename = "type")]
        kind: String,
        billing_details: Address,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // Reason: as above.
    struct Address {
        city: Option<String>,
        id: String,
    }

    #[test]
    fn the_innermost_struct_lacking_the_field_is_its_owner() {
        let cases = [
            (
                serde_json::json!({"id": "obp_1", "details": {"type": "x"}, "history": []}),
                Some("Details"),
            ),
            (
                serde_json::json!({"id": "obp_1", "details": null, "history": [{"type": "x"}]}),
                Some("Details"),
            ),
            (
                serde_json::json!({"details": null, "history": []}),
                Some("OutboundPayment"),
            ),
            (
                serde_json::json!({"id": "obp_1", "details": {"type": "x", "billing_details": {"city": null}}, "history": []}),
                Some("Address"),
            ),
            (
                serde_json::json!({"id": 5, "details": null, "history": []}),
                None,
            ),
        ];
        for (body, owner) in cases {
            let error = serde_json::from_value::<OutboundPayment>(body.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let traced = missing_field_name(&error)
                .and_then(|field| owner_of_missing_field::<OutboundPayment>(&body, field));
            assert_eq!(traced, owner, "{body}: {error}");
        }
    }
}
