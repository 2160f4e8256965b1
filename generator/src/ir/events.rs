//! Webhook event types -> typed payloads, by the convention the profile's `[events] source`
//! selects ([`EventSource`]):
//!
//! - `type_enum`: a string enum at `event_types_pointer` lists the types, and each type's
//!   object schema is found from the type's prefix and the schemas' `object` constants
//!   (`payment_intent.succeeded` -> `payment_intent`, `issuing_authorization.created` ->
//!   `issuing.authorization`, `customer.subscription.updated` -> `subscription`), or from
//!   the profile's overrides;
//! - `webhooks_map`: the spec's `webhooks:` map lists one entry per event code, whose
//!   operation's JSON request body is the payload;
//! - `profile`: the profile lists the event types (`[events.types]`) and maps each resource
//!   type an event names to its component schema (`[events.resources]`); the payload enum
//!   is keyed by resource type, and the event types get an enum of their own
//!   ([`listed_event_types`]).

use std::collections::BTreeMap;

use super::names::{NameRegistry, type_name};
use super::type_space::component_id;
use super::types::{Scalar, TypeId, TypeRef};
use crate::spec::document::{AdditionalProperties, MediaType, PathItem};
use crate::spec::profile::EventSource;
use crate::spec::{LoadedSpec, Schema, SpecError, unescape_pointer_token};

/// One webhook event type.
#[derive(Clone, Debug)]
pub struct EventDef {
    /// The event type on the wire (`payment_intent.succeeded`).
    pub event_type: String,
    /// The Rust variant name (`PaymentIntentSucceeded`).
    pub variant: String,
    /// The type of its payload (Stripe's `data.object`, or a webhook's request body).
    pub object: TypeRef,
    /// What the spec says of the event (a webhook's summary), if anything.
    pub summary: Option<String>,
}

/// Notes on what was generated with less than a full type: (what, how).
pub(crate) type Notes = Vec<(String, String)>;

/// The typed events, and notes on event types typed only as raw JSON.
pub(crate) fn events(spec: &LoadedSpec) -> Result<(BTreeMap<String, EventDef>, Notes), SpecError> {
    match spec.profile.events.source {
        EventSource::TypeEnum => type_enum_events(spec),
        EventSource::WebhooksMap => Ok(webhooks_map_events(spec)),
        EventSource::Profile => profile_resources(spec).map(|events| (events, Vec::new())),
    }
}

/// The payloads of the `profile` convention, one per resource type of
/// `[events.resources]`, keyed by resource type (`checkout-order` -> `order`). A schema
/// the spec does not define is refused, naming the profile key.
fn profile_resources(spec: &LoadedSpec) -> Result<BTreeMap<String, EventDef>, SpecError> {
    let mut variants = NameRegistry::default();
    variants.claim(&[UNKNOWN_VARIANT.to_owned()]);
    let mut out = BTreeMap::new();
    for (resource_type, schema) in &spec.profile.events.resources {
        if !spec.document.components.schemas.contains_key(schema) {
            let pointer = format!("/components/schemas/{schema}");
            return Err(SpecError::DanglingRef {
                file: spec.file_of(&pointer),
                pointer,
                reference: format!(
                    "[events.resources] \"{resource_type}\" of the provider profile"
                ),
            });
        }
        let variant = variants.claim(&[type_name(&wire_words(resource_type))]);
        out.insert(
            resource_type.clone(),
            EventDef {
                event_type: resource_type.clone(),
                variant,
                object: TypeRef::Named(component_id(schema)),
                summary: None,
            },
        );
    }
    Ok(out)
}

/// One event type of the profile's list: its wire name, variant and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedEventType {
    /// The type on the wire (`CHECKOUT.ORDER.APPROVED`).
    pub event_type: String,
    /// The Rust variant (`CheckoutOrderApproved`).
    pub variant: String,
    /// What the provider says of it (empty when the profile says nothing).
    pub description: String,
}

/// The event types `[events.types]` lists (the `profile` convention), sorted, each with a
/// variant name no other takes and never `Unknown`.
pub fn listed_event_types(rules: &crate::spec::profile::EventRules) -> Vec<ListedEventType> {
    let mut variants = NameRegistry::default();
    variants.claim(&[UNKNOWN_VARIANT.to_owned()]);
    rules
        .types
        .iter()
        .map(|(event_type, description)| ListedEventType {
            event_type: event_type.clone(),
            variant: variants.claim(&[type_name(&wire_words(event_type))]),
            description: description.clone(),
        })
        .collect()
}

/// A wire name's words joined by `_` (`.` and `-` separate words in event and resource
/// types: `PAYMENT.CAPTURE.COMPLETED`, `checkout-order`).
fn wire_words(wire: &str) -> String {
    wire.replace(['.', '-'], "_")
}

/// The events listed by a string enum at the profile's `event_types_pointer`.
fn type_enum_events(spec: &LoadedSpec) -> Result<(BTreeMap<String, EventDef>, Notes), SpecError> {
    let Some(pointer) = &spec.profile.events.event_types_pointer else {
        return Ok(Default::default());
    };
    let schema = schema_at(spec, pointer).ok_or_else(|| SpecError::DanglingRef {
        file: spec.file_of(pointer),
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
                        summary: None,
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
                        summary: None,
                    },
                );
            }
        }
    }
    Ok((out, notes))
}

/// The name an event-code enum's catch-all variant takes; no event code may take it.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The events of the spec's `webhooks:` map, one per entry: the code is the entry's name
/// without a leading `/`, the payload its first operation's JSON request body (a component
/// schema; anything else is typed as raw JSON, with a note), or, for a batch body, the
/// schema at the profile's `payload_path` in it.
fn webhooks_map_events(spec: &LoadedSpec) -> (BTreeMap<String, EventDef>, Notes) {
    let mut entries: Vec<(String, &PathItem)> = spec
        .document
        .webhooks
        .iter()
        .map(|(key, item)| (key.strip_prefix('/').unwrap_or(key).to_owned(), item))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut variants = NameRegistry::default();
    variants.claim(&[UNKNOWN_VARIANT.to_owned()]);
    let mut out = BTreeMap::new();
    let mut notes = Vec::new();
    for (code, item) in entries {
        let operation = item.operations().next().map(|(_, operation)| operation);
        let body = operation
            .and_then(|operation| operation.request_body.as_ref())
            .and_then(|body| body.content.get(JSON_MEDIA_TYPE))
            .and_then(|media| media.schema.as_ref());
        let path = &spec.profile.events.payload_path;
        let component = body.and_then(|schema| {
            item_schema(spec, schema, path).or_else(|| component_of(spec, schema))
        });
        let object = match component {
            Some(name) => TypeRef::Named(component_id(&name)),
            None => {
                notes.push((
                    format!("event `{code}`"),
                    "typed as raw JSON: its webhook has no JSON request body naming a component schema"
                        .to_owned(),
                ));
                TypeRef::Scalar(Scalar::Json)
            }
        };
        let variant = variants.claim(&[type_name(&code.replace('.', "_"))]);
        let summary = operation.and_then(|operation| operation.summary.clone());
        out.insert(
            code.clone(),
            EventDef {
                event_type: code,
                variant,
                object,
                summary,
            },
        );
    }
    (out, notes)
}

/// The component schema a schema is a `$ref` to, if it is one to a known component.
fn component_of(spec: &LoadedSpec, schema: &Schema) -> Option<String> {
    let reference = schema.reference.as_deref()?;
    let name = unescape_pointer_token(reference.strip_prefix("#/components/schemas/")?);
    spec.document
        .components
        .schemas
        .contains_key(&name)
        .then_some(name)
}

/// The component schema at the end of a property path through `body` (each step follows a
/// `$ref`, then an array's `items`, then the named property), if the path is non-empty and
/// the body has it.
fn item_schema(spec: &LoadedSpec, body: &Schema, path: &[String]) -> Option<String> {
    /// The schema a `$ref` names, or the schema itself.
    fn deref<'a>(spec: &'a LoadedSpec, schema: &'a Schema) -> Option<&'a Schema> {
        match component_of(spec, schema) {
            Some(name) => spec.document.components.schemas.get(&name),
            None => Some(schema),
        }
    }
    /// The object a step reads properties of: through a `$ref`, then an array's items.
    fn step_into<'a>(spec: &'a LoadedSpec, schema: &'a Schema) -> Option<&'a Schema> {
        let schema = deref(spec, schema)?;
        match schema.items.as_deref() {
            Some(items) => deref(spec, items),
            None => Some(schema),
        }
    }
    if path.is_empty() {
        return None;
    }
    let mut schema = body;
    for step in path {
        schema = step_into(spec, schema)?.properties.as_ref()?.get(step)?;
    }
    component_of(spec, schema)
}

/// The media type of JSON webhook payloads.
const JSON_MEDIA_TYPE: &str = "application/json";

/// Events whose payload type the IR did not declare (its schema was skipped) carry raw JSON
/// instead, with a note saying so.
pub(crate) fn untype_undeclared<T>(
    events: &mut BTreeMap<String, EventDef>,
    declared: &BTreeMap<TypeId, T>,
) -> Notes {
    let mut notes = Vec::new();
    for event in events.values_mut() {
        if let TypeRef::Named(id) = &event.object
            && !declared.contains_key(id)
        {
            notes.push((
                format!("event `{}`", event.event_type),
                format!("typed as raw JSON: its payload `{}` was skipped", id.0),
            ));
            event.object = TypeRef::Scalar(Scalar::Json);
        }
    }
    notes
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
            let MediaType { schema, .. } = operation.request_body.as_ref()?.content.get(media)?;
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
