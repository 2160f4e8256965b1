//! `Deserialize` for [`Schema`] and the objects that hold schemas (operations, parameters,
//! bodies, responses, headers, media types), by key: every key a struct models is read into
//! its field, and every other key into its `other` map (which loading then refuses or, for a
//! listed vendor extension, ignores).
//!
//! serde's `#[serde(flatten)]` would collect the other keys too, but it buffers the map and
//! deserializes the fields from that buffer, where `serde_path_to_error` cannot follow: a
//! bad value deep in a schema would be reported at the outermost schema's pointer. Reading
//! the map directly keeps the pointer of every error exact.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::document::{Header, MediaType, Operation, Parameter, RequestBody, Response, Schema};

/// Implements `Deserialize` for a struct with `Default` and an `other` map: each listed key
/// is read into its field (an absent one keeps its default), every other key into `other`.
macro_rules! deserialize_by_keys {
    ($ty:ident, $expecting:literal { $($key:literal => $field:ident,)* }) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                /// Reads the object key by key.
                struct KeyVisitor;

                impl<'de> Visitor<'de> for KeyVisitor {
                    type Value = $ty;

                    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                        formatter.write_str($expecting)
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$ty, A::Error> {
                        let mut object = $ty::default();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $($key => object.$field = map.next_value()?,)*
                                _ => {
                                    let value = map.next_value::<serde_json::Value>()?;
                                    object.other.insert(key, value);
                                }
                            }
                        }
                        Ok(object)
                    }
                }

                deserializer.deserialize_map(KeyVisitor)
            }
        }
    };
}

deserialize_by_keys!(Schema, "schema object" {
    "$ref" => reference,
    "type" => type_keyword,
    "format" => format,
    "title" => title,
    "description" => description,
    "nullable" => nullable,
    "enum" => values,
    "const" => constant,
    "properties" => properties,
    "required" => required,
    "items" => items,
    "additionalProperties" => additional_properties,
    "anyOf" => any_of,
    "oneOf" => one_of,
    "allOf" => all_of,
    "discriminator" => discriminator,
    "x-anyOf" => x_any_of,
    "x-expansionResources" => expansion_resources,
    "x-resourceId" => resource_id,
    "default" => default,
    "example" => example,
    "examples" => examples,
    "deprecated" => deprecated,
    "readOnly" => read_only,
    "writeOnly" => write_only,
    "maxLength" => max_length,
    "minLength" => min_length,
    "pattern" => pattern,
    "maximum" => maximum,
    "minimum" => minimum,
    "maxItems" => max_items,
    "minItems" => min_items,
    "externalDocs" => external_docs,
});

deserialize_by_keys!(Operation, "operation object" {
    "operationId" => operation_id,
    "summary" => summary,
    "description" => description,
    "parameters" => parameters,
    "requestBody" => request_body,
    "responses" => responses,
    "deprecated" => deprecated,
    "servers" => servers,
    "tags" => tags,
    "security" => security,
});

deserialize_by_keys!(Parameter, "parameter object" {
    "$ref" => reference,
    "name" => name,
    "in" => location,
    "required" => required,
    "description" => description,
    "schema" => schema,
    "style" => style,
    "explode" => explode,
    "example" => example,
    "deprecated" => deprecated,
});

deserialize_by_keys!(RequestBody, "request body object" {
    "$ref" => reference,
    "content" => content,
    "required" => required,
    "description" => description,
});

deserialize_by_keys!(Header, "header object" {
    "$ref" => reference,
    "description" => description,
    "required" => required,
    "schema" => schema,
    "style" => style,
    "explode" => explode,
    "example" => example,
});

deserialize_by_keys!(MediaType, "media type object" {
    "schema" => schema,
    "example" => example,
    "examples" => examples,
    "encoding" => encoding,
});

deserialize_by_keys!(Response, "response object" {
    "$ref" => reference,
    "description" => description,
    "headers" => headers,
    "content" => content,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modelled_keys_fill_fields_and_every_other_key_is_kept() -> Result<(), serde_json::Error> {
        let schema: Schema = serde_json::from_str(
            r#"{"type": ["string", "null"], "maxLength": 3, "x-addedInVersion": "2", "prefixItems": []}"#,
        )?;
        assert_eq!(schema.max_length, Some(3));
        assert!(schema.type_keyword.is_some());
        let other: Vec<&str> = schema.other.keys().map(String::as_str).collect();
        assert_eq!(other, ["prefixItems", "x-addedInVersion"]);
        Ok(())
    }

    #[test]
    fn a_bad_value_deep_in_a_schema_is_reported_at_its_own_pointer() {
        let text = r#"{"properties": {"a": {"items": {"maxLength": "x"}}}}"#;
        let mut de = serde_json::Deserializer::from_str(text);
        let error = serde_path_to_error::deserialize::<_, Schema>(&mut de).err();
        let path = error.map(|e| e.path().to_string()).unwrap_or_default();
        assert_eq!(path, "properties.a.items.maxLength");
    }
}
