//! 3.1 forms -> the 3.0 forms the IR reads, and the refusal of every schema keyword payforge
//! does not model.
//!
//! - `type: [T, "null"]` becomes `type: T` with `nullable: true`;
//! - `const: v` becomes `enum: [v]`;
//! - schema-level `examples` is dropped (documentation);
//! - a `$ref` may carry documentation siblings (`description`, `title`, `example`,
//!   `deprecated`, `readOnly`, `writeOnly`, `nullable`), which override the referenced
//!   schema's at that site. In a 3.1 document any other sibling is refused; in a 3.0
//!   document, whose `$ref` "SHALL" ignore its siblings, the others are dropped (PayPal's
//!   `{"$ref": "…/url", "type": "string", "format": "uri", "maxLength": 4000}`);
//! - every key the [`Schema`] struct does not model is refused, unless it is a vendor
//!   extension the profile lists in `[spec] ignored_extensions`.
//!
//! A refusal is not fatal: it is recorded on the schema ([`Schema::refusal`]) and in the list
//! returned, each with the JSON pointer of the offending keyword, and the IR skips the
//! component or operation holding that schema, with the refusal as the reason.

use indexmap::IndexMap;

use super::child;
use super::document::{Document, MediaType, PathItem, Schema, TypeKeyword};

/// JSON Schema keywords payforge knows and does not support (most are 2020-12 only), each
/// refused by name rather than as an unknown key.
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "$anchor",
    "$comment",
    "$defs",
    "$dynamicAnchor",
    "$dynamicRef",
    "$id",
    "$schema",
    "$vocabulary",
    "contains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "definitions",
    "dependentRequired",
    "dependentSchemas",
    "else",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "if",
    "maxContains",
    "maxProperties",
    "minContains",
    "minProperties",
    "multipleOf",
    "not",
    "patternProperties",
    "prefixItems",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
    "uniqueItems",
];

/// A keyword loading refused, with the JSON pointer of the keyword in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The JSON pointer of the refused keyword (`/components/schemas/Pet/prefixItems`).
    pub pointer: String,
    /// What is refused and why.
    pub reason: String,
}

/// Normalises every schema of `document` in place and returns what was refused, in
/// document order. `ignored_extensions` are the vendor keys that carry no meaning.
pub(crate) fn normalise(document: &mut Document, ignored_extensions: &[String]) -> Vec<Refusal> {
    let mut walk = Walk {
        ignored_extensions,
        ignore_ref_siblings: document.openapi.starts_with("3.0"),
        refusals: Vec::new(),
    };
    let components = &mut document.components;
    for (name, schema) in &mut components.schemas {
        walk.schema(schema, &child("/components/schemas", name));
    }
    for (name, parameter) in &mut components.parameters {
        let pointer = child("/components/parameters", name);
        walk.optional(&mut parameter.schema, &pointer);
    }
    for (name, header) in &mut components.headers {
        walk.optional(&mut header.schema, &child("/components/headers", name));
    }
    for (name, body) in &mut components.request_bodies {
        let pointer = child("/components/requestBodies", name);
        walk.content(&mut body.content, &pointer);
    }
    for (name, response) in &mut components.responses {
        let pointer = child("/components/responses", name);
        walk.content(&mut response.content, &pointer);
        for (header_name, header) in &mut response.headers {
            let pointer = child(&child(&pointer, "headers"), header_name);
            walk.optional(&mut header.schema, &pointer);
        }
    }
    for (root, items) in [
        ("/paths", &mut document.paths),
        ("/webhooks", &mut document.webhooks),
    ] {
        for (key, item) in items.iter_mut() {
            walk.path_item(item, &child(root, key));
        }
    }
    walk.refusals
}

/// The state of one walk over a document.
struct Walk<'p> {
    ignored_extensions: &'p [String],
    /// OpenAPI 3.0: a `$ref`'s siblings other than documentation are ignored, not refused.
    ignore_ref_siblings: bool,
    refusals: Vec<Refusal>,
}

impl Walk<'_> {
    /// Every schema of a path item's parameters, bodies and responses.
    fn path_item(&mut self, item: &mut PathItem, pointer: &str) {
        for (index, parameter) in item.parameters.iter_mut().enumerate() {
            let pointer = format!("{pointer}/parameters/{index}");
            self.optional(&mut parameter.schema, &pointer);
        }
        for (method, operation) in item.operations_mut() {
            let pointer = child(pointer, method);
            for (index, parameter) in operation.parameters.iter_mut().enumerate() {
                let pointer = format!("{pointer}/parameters/{index}");
                self.optional(&mut parameter.schema, &pointer);
            }
            if let Some(body) = &mut operation.request_body {
                self.content(&mut body.content, &child(&pointer, "requestBody"));
            }
            for (status, response) in &mut operation.responses {
                let pointer = child(&child(&pointer, "responses"), status);
                self.content(&mut response.content, &pointer);
                for (name, header) in &mut response.headers {
                    let pointer = child(&child(&pointer, "headers"), name);
                    self.optional(&mut header.schema, &pointer);
                }
            }
        }
    }

    /// The schema of each media type of a `content` map under `pointer`.
    fn content(&mut self, content: &mut IndexMap<String, MediaType>, pointer: &str) {
        for (media, body) in content.iter_mut() {
            let pointer = child(&child(pointer, "content"), media);
            self.optional(&mut body.schema, &pointer);
        }
    }

    /// A `schema` key of the object at `pointer`, if present.
    fn optional(&mut self, schema: &mut Option<Schema>, pointer: &str) {
        if let Some(schema) = schema {
            self.schema(schema, &child(pointer, "schema"));
        }
    }

    /// One schema and everything nested in it.
    fn schema(&mut self, schema: &mut Schema, pointer: &str) {
        if self.ignore_ref_siblings && schema.reference.is_some() {
            *schema = documentation_of_ref(std::mem::take(schema));
        }
        let mut refusals = Vec::new();
        fold_type(schema, pointer, &mut refusals);
        fold_const(schema, pointer, &mut refusals);
        schema.examples = None;
        refusals.extend(ref_siblings(schema, pointer));
        for key in schema.other.keys() {
            if let Some(reason) = self.unknown_key(key) {
                refusals.push(Refusal {
                    pointer: child(pointer, key),
                    reason,
                });
            }
        }
        if let Some(first) = refusals.first() {
            schema.refusal = Some(first.reason.clone());
        }
        self.refusals.extend(refusals);
        for (suffix, nested) in schema.children_mut() {
            self.schema(nested, &format!("{pointer}{suffix}"));
        }
    }

    /// Why an unmodelled key is refused, or `None` for an ignored vendor extension.
    fn unknown_key(&self, key: &str) -> Option<String> {
        if self.ignored_extensions.iter().any(|ignored| ignored == key) {
            None
        } else if UNSUPPORTED_KEYWORDS.contains(&key) {
            Some(format!(
                "`{key}`: a JSON Schema keyword payforge does not support"
            ))
        } else if key.starts_with("x-") {
            Some(format!(
                "`{key}`: a vendor extension the profile does not list in `[spec] ignored_extensions`"
            ))
        } else {
            Some(format!("`{key}`: not a schema keyword payforge knows"))
        }
    }
}

/// `type: [T, "null"]` -> `type: T`, `nullable: true`.
fn fold_type(schema: &mut Schema, pointer: &str, refusals: &mut Vec<Refusal>) {
    let refuse = |reason: &str| Refusal {
        pointer: child(pointer, "type"),
        reason: reason.to_owned(),
    };
    match &schema.type_keyword {
        None => {}
        Some(TypeKeyword::One(name)) if name == "null" => {
            refusals.push(refuse(
                "`type: null`: a schema of only `null` has no Rust type",
            ));
        }
        Some(TypeKeyword::One(name)) => schema.kind = Some(name.clone()),
        Some(TypeKeyword::Many(names)) => {
            let mut types = names.iter().filter(|name| *name != "null");
            match (types.next(), types.next()) {
                (Some(name), None) => {
                    schema.kind = Some(name.clone());
                    schema.nullable |= names.len() > 1;
                }
                (None, _) => refusals.push(refuse("`type` lists no type but `null`")),
                (Some(_), Some(_)) => refusals.push(refuse(
                    "`type` lists several types: write a `oneOf` of one schema per type",
                )),
            }
        }
    }
}

/// `const: v` -> `enum: [v]`.
fn fold_const(schema: &mut Schema, pointer: &str, refusals: &mut Vec<Refusal>) {
    let Some(constant) = schema.constant.take() else {
        return;
    };
    match &schema.values {
        Some(values) if values.as_slice() != [constant.clone()] => refusals.push(Refusal {
            pointer: child(pointer, "const"),
            reason: "`const` beside an `enum` of other values".to_owned(),
        }),
        _ => schema.values = Some(vec![constant]),
    }
}

/// A `$ref` with only its documentation siblings: what an OpenAPI 3.0 reference means.
fn documentation_of_ref(schema: Schema) -> Schema {
    Schema {
        reference: schema.reference,
        title: schema.title,
        description: schema.description,
        nullable: schema.nullable,
        deprecated: schema.deprecated,
        read_only: schema.read_only,
        write_only: schema.write_only,
        example: schema.example,
        external_docs: schema.external_docs,
        ..Schema::default()
    }
}

/// The siblings of a `$ref` that are not documentation, each refused.
fn ref_siblings(schema: &Schema, pointer: &str) -> Vec<Refusal> {
    if schema.reference.is_none() {
        return Vec::new();
    }
    let structural = [
        ("type", schema.type_keyword.is_some()),
        ("format", schema.format.is_some()),
        ("enum", schema.values.is_some()),
        ("properties", schema.properties.is_some()),
        ("required", !schema.required.is_empty()),
        ("items", schema.items.is_some()),
        (
            "additionalProperties",
            schema.additional_properties.is_some(),
        ),
        ("anyOf", schema.any_of.is_some()),
        ("oneOf", schema.one_of.is_some()),
        ("allOf", schema.all_of.is_some()),
        ("discriminator", schema.discriminator.is_some()),
        ("x-anyOf", schema.x_any_of.is_some()),
        ("x-expansionResources", schema.expansion_resources.is_some()),
        ("x-resourceId", schema.resource_id.is_some()),
    ];
    structural
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(keyword, _)| Refusal {
            pointer: child(pointer, keyword),
            reason: format!(
                "`{keyword}` beside a `$ref`: only documentation may override a referenced schema"
            ),
        })
        .collect()
}
