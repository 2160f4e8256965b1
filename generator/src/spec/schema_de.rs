//! `Deserialize` for [`Schema`], by hand: every key the struct models is read into its
//! field, and every other key into [`Schema::other`] (which loading then refuses or, for a
//! listed vendor extension, ignores).
//!
//! serde's `#[serde(flatten)]` would collect the other keys too, but it buffers the map and
//! deserializes the fields from that buffer, where `serde_path_to_error` cannot follow: a
//! bad value deep in a schema would be reported at the outermost schema's pointer. Reading
//! the map directly keeps the pointer of every error exact.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::document::Schema;

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SchemaVisitor)
    }
}

/// Reads a schema object key by key.
struct SchemaVisitor;

impl<'de> Visitor<'de> for SchemaVisitor {
    type Value = Schema;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a schema object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schema, A::Error> {
        let mut schema = Schema::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "$ref" => schema.reference = map.next_value()?,
                "type" => schema.type_keyword = map.next_value()?,
                "format" => schema.format = map.next_value()?,
                "title" => schema.title = map.next_value()?,
                "description" => schema.description = map.next_value()?,
                "nullable" => schema.nullable = map.next_value()?,
                "enum" => schema.values = map.next_value()?,
                "const" => schema.constant = map.next_value()?,
                "properties" => schema.properties = map.next_value()?,
                "required" => schema.required = map.next_value()?,
                "items" => schema.items = map.next_value()?,
                "additionalProperties" => schema.additional_properties = map.next_value()?,
                "anyOf" => schema.any_of = map.next_value()?,
                "oneOf" => schema.one_of = map.next_value()?,
                "allOf" => schema.all_of = map.next_value()?,
                "discriminator" => schema.discriminator = map.next_value()?,
                "x-anyOf" => schema.x_any_of = map.next_value()?,
                "x-expansionResources" => schema.expansion_resources = map.next_value()?,
                "x-resourceId" => schema.resource_id = map.next_value()?,
                "default" => schema.default = map.next_value()?,
                "example" => schema.example = map.next_value()?,
                "examples" => schema.examples = map.next_value()?,
                "deprecated" => schema.deprecated = map.next_value()?,
                "readOnly" => schema.read_only = map.next_value()?,
                "writeOnly" => schema.write_only = map.next_value()?,
                "maxLength" => schema.max_length = map.next_value()?,
                "minLength" => schema.min_length = map.next_value()?,
                "pattern" => schema.pattern = map.next_value()?,
                "maximum" => schema.maximum = map.next_value()?,
                "minimum" => schema.minimum = map.next_value()?,
                "maxItems" => schema.max_items = map.next_value()?,
                "minItems" => schema.min_items = map.next_value()?,
                "externalDocs" => schema.external_docs = map.next_value()?,
                _ => {
                    let value = map.next_value::<serde_json::Value>()?;
                    schema.other.insert(key, value);
                }
            }
        }
        Ok(schema)
    }
}

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
