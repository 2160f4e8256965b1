//! Webhook event types -> typed payloads: each event type's object schema is found from the
//! type's prefix and the schemas' `object` constants (`payment_intent.succeeded` ->
//! `payment_intent`, `issuing_authorization.created` -> `issuing.authorization`,
//! `customer.subscription.updated` -> `subscription`), or from the profile's overrides.

use std::collections::BTreeMap;

use super::names::{NameRegistry, type_name};
use super::type_space::component_id;
use super::types::{Scalar, TypeRef};
use crate::spec::document::{AdditionalProperties, MediaType};
use crate::spec::{LoadedSpec, Schema, SpecError, unescape_pointer_token};

/// One webhook event type.
#[derive(Clone, Debug)]
pub struct EventDef {
    /// The event type on the wire (`payment_intent.succeeded`).
    pub event_type: String,
    /// The Rust variant name (`PaymentIntentSucceeded`).
    pub variant: String,
    /// The type of its `data.object`.
    pub object: TypeRef,
}

/// Notes on what was generated with less than a full type: (what, how).
pub(crate) type Notes = Vec<(String, String)>;

/// The typed events, and notes on event types typed only as raw JSON.
pub(crate) fn events(spec: &LoadedSpec) -> Result<(BTreeMap<String, EventDef>, Notes), SpecError> {
    let Some(pointer) = &spec.profile.events.event_types_pointer else {
        return Ok(Default::default());
    };
    let schema = schema_at(spec, pointer).ok_or_else(|| SpecError::DanglingRef {
        file: spec.file.clone(),
        pointer: pointer.clone(),
        reference: "events.event_types_pointer of the provider profile".to_owned(),
    })?;
    let mut types: Vec<String> = schema
        .values
        .iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    types.sort();
    types.dedup();
    let objects = object_constants(spec);
    let mut variants = NameRegistry::default();
    let mut out = BTreeMap::new();
    let mut notes = Vec::new();
    for event_type in types {
        match object_schema(spec, &objects, &event_type) {
            Some(component) => {
                let id = component_id(&component);
                let variant = variants.claim(&[type_name(&event_type.replace('.', "_"))]);
                out.insert(
                    event_type.clone(),
                    EventDef {
                        event_type,
                        variant,
                        object: TypeRef::Named(id),
                    },
                );
            }
            // `*` subscribes a webhook endpoint to every type; it is not an event's type.
            None if event_type == "*" => {}
            None => {
                // The type is listed but its object is not in this spec (a removed API such
                // as orders or SKUs): the variant carries the raw JSON.
                notes.push((
                    format!("event `{event_type}`"),
                    "typed as raw JSON: no schema in the spec has its object type".to_owned(),
                ));
                let variant = variants.claim(&[type_name(&event_type.replace('.', "_"))]);
                out.insert(
                    event_type.clone(),
                    EventDef {
                        event_type,
                        variant,
                        object: TypeRef::Scalar(Scalar::Json),
                    },
                );
            }
        }
    }
    Ok((out, notes))
}

/// `object` constant -> component schema name.
fn object_constants(spec: &LoadedSpec) -> BTreeMap<String, String> {
    let tag = spec.profile.types.object_tag.as_str();
    let mut out = BTreeMap::new();
    for (name, schema) in &spec.document.components.schemas {
        if let Some([serde_json::Value::String(value)]) = schema
            .properties
            .as_ref()
            .and_then(|p| p.get(tag))
            .and_then(|s| s.values.as_deref())
        {
            // A deleted object shares its live object's constant; the live one wins.
            if !name.starts_with("deleted_") {
                out.entry(value.clone()).or_insert_with(|| name.clone());
            }
        }
    }
    out
}

/// The component schema of an event type's object.
fn object_schema(
    spec: &LoadedSpec,
    objects: &BTreeMap<String, String>,
    event_type: &str,
) -> Option<String> {
    let segments: Vec<&str> = event_type.split('.').collect();
    let prefix = &segments[..segments.len().saturating_sub(1)];
    if let Some(component) = spec.profile.events.object_overrides.get(&prefix.join(".")) {
        return Some(component.clone());
    }
    for start in 0..prefix.len() {
        let candidate = prefix[start..].join(".");
        for candidate in [
            candidate.clone(),
            candidate.replace('.', "_"),
            candidate.replacen('_', ".", 1),
        ] {
            if let Some(component) = objects.get(&candidate) {
                return Some(component.clone());
            }
            if spec.document.components.schemas.contains_key(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// The schema a JSON pointer names: `/components/schemas/<name>/…` or
/// `/paths/<path>/<method>/requestBody/content/<media>/schema/…`, then `properties/<name>`,
/// `items`, `anyOf/<i>`, `oneOf/<i>` or `additionalProperties` steps.
pub(crate) fn schema_at<'a>(spec: &'a LoadedSpec, pointer: &str) -> Option<&'a Schema> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(unescape_pointer_token)
        .collect();
    let (mut schema, rest): (&Schema, &[String]) = match tokens.as_slice() {
        [components, schemas, name, rest @ ..]
            if components == "components" && schemas == "schemas" =>
        {
            (spec.document.components.schemas.get(name)?, rest)
        }
        [paths, path, method, body, content, media, schema, rest @ ..]
            if paths == "paths"
                && body == "requestBody"
                && content == "content"
                && schema == "schema" =>
        {
            let item = spec.document.paths.get(path)?;
            let (_, operation) = item.operations().find(|(m, _)| m == method)?;
            let MediaType { schema } = operation.request_body.as_ref()?.content.get(media)?;
            (schema.as_ref()?, rest)
        }
        _ => return None,
    };
    let mut rest = rest.iter();
    while let Some(step) = rest.next() {
        schema = match step.as_str() {
            "properties" => schema.properties.as_ref()?.get(rest.next()?)?,
            "items" => schema.items.as_deref()?,
            "anyOf" => schema
                .any_of
                .as_ref()?
                .get(rest.next()?.parse::<usize>().ok()?)?,
            "oneOf" => schema
                .one_of
                .as_ref()?
                .get(rest.next()?.parse::<usize>().ok()?)?,
            "additionalProperties" => match schema.additional_properties.as_ref()? {
                AdditionalProperties::Schema(inner) => inner,
                AdditionalProperties::Flag(_) => return None,
            },
            _ => return None,
        };
    }
    Some(schema)
}
