//! An operation's request: which body it has (form, multipart or JSON; inline or a
//! component schema), and the parameters that body and the headers contribute.

use super::names::{NameRegistry, field_name};
use super::operations::{Encoding, Param, ParamLocation};
use super::type_space::{Site, TypeSpace, component_id};
use super::types::TypeKind;
use crate::spec::document::{MediaType, Operation as SpecOperation};
use crate::spec::{LoadedSpec, Schema, SpecError, child};

/// The media type of JSON bodies.
pub(crate) const JSON_MEDIA_TYPE: &str = "application/json";

/// An operation's request body, found and checked.
pub(crate) struct Body<'a> {
    /// How it is encoded.
    pub encoding: Encoding,
    /// Where its properties come from.
    pub source: BodySource<'a>,
}

/// Where a request body's properties are declared.
pub(crate) enum BodySource<'a> {
    /// An inline object schema, with its JSON pointer.
    Inline(&'a Schema, String),
    /// A component schema (`$ref`), by name: its properties are the fields of the struct
    /// already converted for the component, so the body and the component share their types.
    Component(String),
    /// A JSON body that is not an object (PayPal's JSON Patch arrays), inline or a `$ref`,
    /// with its JSON pointer and the name of the one parameter that holds it: the component's
    /// name, or `body`.
    Whole(&'a Schema, String, String),
}

/// The request body of an operation. Form and multipart bodies must be inline objects (their
/// properties become bracket-encoded parameters); a JSON body may also be a `$ref` to a
/// component schema that is an object.
pub(crate) fn body_of<'a>(
    spec: &'a LoadedSpec,
    operation: &'a SpecOperation,
    pointer: &str,
) -> Result<Option<Body<'a>>, SpecError> {
    let Some(body) = &operation.request_body else {
        return Ok(None);
    };
    let body_pointer = child(pointer, "requestBody");
    if body.reference.is_some() {
        return Err(spec.unsupported(&body_pointer, "a $ref request body"));
    }
    let rules = &spec.profile.operations;
    let media_types = [
        (rules.multipart_media_type.as_deref(), Encoding::Multipart),
        (rules.form_media_type.as_deref(), Encoding::Form),
        (Some(JSON_MEDIA_TYPE), Encoding::Json),
    ];
    for (media, encoding) in media_types {
        let Some(media) = media else { continue };
        let Some(MediaType {
            schema: Some(schema),
            ..
        }) = body.content.get(media)
        else {
            continue;
        };
        let schema_pointer = child(&child(&child(&body_pointer, "content"), media), "schema");
        if let Some(reference) = schema.reference.as_deref()
            && encoding == Encoding::Json
        {
            let (name, target) = spec.resolve(reference, &schema_pointer)?;
            let source = if is_array(target) {
                BodySource::Whole(schema, schema_pointer, name.to_owned())
            } else {
                BodySource::Component(name.to_owned())
            };
            return Ok(Some(Body { encoding, source }));
        }
        if encoding == Encoding::Json && is_array(schema) {
            let source = BodySource::Whole(schema, schema_pointer, "body".to_owned());
            return Ok(Some(Body { encoding, source }));
        }
        if schema.reference.is_some()
            || (schema.properties.is_none() && schema.kind.as_deref() != Some("object"))
        {
            return Err(spec.unsupported(
                &schema_pointer,
                "a request body that is not an inline object",
            ));
        }
        let source = BodySource::Inline(schema, schema_pointer);
        return Ok(Some(Body { encoding, source }));
    }
    match body.content.keys().next() {
        Some(media) => {
            Err(spec.unsupported(&body_pointer, format!("request body media type `{media}`")))
        }
        None => Ok(None),
    }
}

/// Whether a body schema is an array: sent whole, never as an object's fields.
fn is_array(schema: &Schema) -> bool {
    schema.kind.as_deref() == Some("array")
}

/// The parameters a body contributes, sorted by wire name. Properties of an inline body are
/// converted at `site`-derived places (request types named after the operation); those of a
/// component body are the component struct's own fields.
pub(crate) fn body_params(
    spec: &LoadedSpec,
    space: &mut TypeSpace<'_>,
    body: &Body<'_>,
    names: &mut NameRegistry,
    site: &dyn Fn(String, &str) -> Site,
) -> Result<Vec<Param>, SpecError> {
    let mut params = Vec::new();
    match &body.source {
        BodySource::Whole(schema, pointer, name) => {
            let ty = space.convert(schema, &site(pointer.clone(), name))?.0;
            params.push(Param {
                wire_name: name.clone(),
                rust_name: names.claim(&[field_name(name)]),
                location: ParamLocation::WholeBody,
                ty,
                required: true,
                doc: schema.description.clone(),
            });
        }
        BodySource::Inline(schema, body_pointer) => {
            let mut properties: Vec<_> = schema.properties.iter().flatten().collect();
            properties.sort_by(|a, b| a.0.cmp(b.0));
            for (wire, property) in properties {
                let property_pointer = child(&child(body_pointer, "properties"), wire);
                let ty = space.convert(property, &site(property_pointer, wire))?.0;
                params.push(Param {
                    wire_name: wire.clone(),
                    rust_name: names.claim(&[field_name(wire)]),
                    location: ParamLocation::Body,
                    ty,
                    required: schema.required.contains(wire),
                    doc: property.description.clone(),
                });
            }
        }
        BodySource::Component(name) => {
            let fields = match space.types.get(&component_id(name)).map(|d| &d.kind) {
                Some(TypeKind::Struct(def)) => &def.fields,
                _ => {
                    let pointer = format!("/components/schemas/{name}");
                    return Err(spec.unsupported(&pointer, "a JSON body that is not an object"));
                }
            };
            for field in fields {
                params.push(Param {
                    wire_name: field.wire_name.clone(),
                    rust_name: names.claim(std::slice::from_ref(&field.rust_name)),
                    location: ParamLocation::Body,
                    ty: field.ty.clone(),
                    required: field.required,
                    doc: field.doc.clone(),
                });
            }
        }
    }
    Ok(params)
}

/// Whether a header parameter is the provider's idempotency header, which the runtime owns
/// (it sends the journaled key) and the operation never exposes.
pub(crate) fn is_runtime_header(spec: &LoadedSpec, name: &str) -> bool {
    name.eq_ignore_ascii_case(&spec.profile.idempotency.header)
}
