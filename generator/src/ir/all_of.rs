//! `allOf`, merged once, before conversion: the parts of an object schema (its own
//! properties, inline parts, and component schemas it references, themselves merged) become
//! one view of properties and required names, which the type space turns into one struct.
//!
//! The rules follow typify's `merge.rs`: parts that are objects merge; a property declared by
//! two parts must be declared the same way, or the merge is refused with the property named
//! (a coverage skip with that reason, never a guess); a part that is not an object (a
//! string, a union, a map) cannot be merged into a struct and is refused too. Two
//! declarations that differ only where the Rust type does not (a scalar of the same type and
//! format with other length limits, pattern or docs) are one; a declaration that refers to
//! a schema extending the other's (`allOf: [$ref: <the other>, …]`) is the narrower, which
//! both parts accept, and replaces it.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::document::AdditionalProperties;
use crate::spec::{Schema, child};

/// An object schema with its `allOf` parts merged.
#[derive(Debug, Default)]
pub(crate) struct ObjectView<'a> {
    /// Every property by wire name, with the JSON pointer of the schema that declares it.
    pub properties: BTreeMap<&'a str, (&'a Schema, String)>,
    /// The required property names, of every part.
    pub required: BTreeSet<&'a str>,
}

/// Why the parts of an `allOf` cannot be one struct.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MergeConflict {
    /// Two parts declare a property differently.
    #[error("`allOf` parts declare property `{property}` differently ({first} and {second})")]
    Property {
        /// The property's wire name.
        property: String,
        /// The pointer of its first declaration.
        first: String,
        /// The pointer of the conflicting one.
        second: String,
    },
    /// A part is not an object.
    #[error("`allOf` part {pointer} is {what}, which cannot merge into an object")]
    NotAnObject {
        /// The part's pointer.
        pointer: String,
        /// What it is instead.
        what: &'static str,
    },
    /// A `$ref` part names no component schema.
    #[error("`allOf` part {pointer} refers to `{reference}`, which is not a component schema")]
    Unresolved {
        /// The part's pointer.
        pointer: String,
        /// The reference.
        reference: String,
    },
    /// A component schema reaches itself through its `allOf` parts.
    #[error("`allOf` part {pointer} includes itself")]
    Cycle {
        /// The part's pointer.
        pointer: String,
    },
}

/// Finds a component schema by `$ref`: its pointer and schema.
pub(crate) type Resolve<'r, 'a> = dyn Fn(&str) -> Option<(String, &'a Schema)> + 'r;

/// The `allOf` parts of a schema.
pub(crate) fn all_of_parts(schema: &Schema) -> &[Schema] {
    schema.all_of.as_deref().unwrap_or_default()
}

/// Whether a schema is an `allOf` (with or without properties of its own).
pub(crate) fn has_all_of(schema: &Schema) -> bool {
    !all_of_parts(schema).is_empty()
}

/// The one part an `allOf` stands for, when it has a single part and nothing of its own
/// (`allOf: [$ref]`, the 3.0 way to document a reference): that part, used as is.
pub(crate) fn single_part(schema: &Schema) -> Option<&Schema> {
    match all_of_parts(schema) {
        [only] if schema.properties.is_none() && schema.required.is_empty() => Some(only),
        _ => None,
    }
}

/// Merges `schema` (at `pointer`) and its `allOf` parts into one object view.
pub(crate) fn merge<'a>(
    schema: &'a Schema,
    pointer: &str,
    resolve: &Resolve<'_, 'a>,
) -> Result<ObjectView<'a>, MergeConflict> {
    let mut view = ObjectView::default();
    let mut visiting = BTreeSet::from([pointer.to_owned()]);
    merge_into(&mut view, schema, pointer, resolve, &mut visiting)?;
    Ok(view)
}

fn merge_into<'a>(
    view: &mut ObjectView<'a>,
    schema: &'a Schema,
    pointer: &str,
    resolve: &Resolve<'_, 'a>,
    visiting: &mut BTreeSet<String>,
) -> Result<(), MergeConflict> {
    if let Some(what) = not_an_object(schema) {
        let pointer = pointer.to_owned();
        return Err(MergeConflict::NotAnObject { pointer, what });
    }
    let properties_pointer = child(pointer, "properties");
    for (name, property) in schema.properties.iter().flatten() {
        add_property(
            view,
            name,
            property,
            child(&properties_pointer, name),
            resolve,
        )?;
    }
    view.required
        .extend(schema.required.iter().map(String::as_str));
    for (index, part) in all_of_parts(schema).iter().enumerate() {
        let part_pointer = child(&child(pointer, "allOf"), &index.to_string());
        let (target_pointer, target) = match &part.reference {
            Some(reference) => resolve(reference).ok_or_else(|| MergeConflict::Unresolved {
                pointer: part_pointer.clone(),
                reference: reference.clone(),
            })?,
            None => (part_pointer.clone(), part),
        };
        if !visiting.insert(target_pointer.clone()) {
            return Err(MergeConflict::Cycle {
                pointer: part_pointer,
            });
        }
        merge_into(view, target, &target_pointer, resolve, visiting)?;
        visiting.remove(&target_pointer);
    }
    Ok(())
}

/// Adds one property; a second declaration must be the first (reached twice) or read the
/// same.
fn add_property<'a>(
    view: &mut ObjectView<'a>,
    name: &'a str,
    property: &'a Schema,
    pointer: String,
    resolve: &Resolve<'_, 'a>,
) -> Result<(), MergeConflict> {
    match view.properties.get(name) {
        None => {
            view.properties.insert(name, (property, pointer));
            Ok(())
        }
        Some((first, first_pointer)) => {
            if *first_pointer == pointer || *first == property || same_scalar(first, property) {
                Ok(())
            } else if extends(property, first, resolve) {
                view.properties.insert(name, (property, pointer));
                Ok(())
            } else if extends(first, property, resolve) {
                Ok(())
            } else {
                Err(MergeConflict::Property {
                    property: name.to_owned(),
                    first: first_pointer.clone(),
                    second: pointer,
                })
            }
        }
    }
}

/// Whether two inline scalars have one Rust type: the same `type` and `format`, no `enum`;
/// length limits, patterns and docs may differ (both apply on the wire).
fn same_scalar(a: &Schema, b: &Schema) -> bool {
    let scalar = |s: &Schema| {
        s.reference.is_none()
            && s.values.is_none()
            && matches!(
                s.kind.as_deref(),
                Some("string" | "integer" | "number" | "boolean")
            )
    };
    scalar(a) && scalar(b) && a.kind == b.kind && a.format == b.format
}

/// Whether `narrow` refers to a component schema one of whose `allOf` parts is `wide`'s
/// reference: every value of `narrow` is one of `wide`.
fn extends<'a>(narrow: &Schema, wide: &Schema, resolve: &Resolve<'_, 'a>) -> bool {
    let (Some(narrow), Some(wide)) = (&narrow.reference, &wide.reference) else {
        return false;
    };
    resolve(narrow).is_some_and(|(_, target)| {
        all_of_parts(target)
            .iter()
            .any(|part| part.reference.as_ref() == Some(wide))
    })
}

/// What a schema is when it is not something an object can merge with.
fn not_an_object(schema: &Schema) -> Option<&'static str> {
    if schema.any_of.is_some() || schema.one_of.is_some() {
        return Some("a union");
    }
    if matches!(
        schema.additional_properties,
        Some(AdditionalProperties::Schema(_))
    ) && schema.properties.is_none()
    {
        return Some("a map");
    }
    match schema.kind.as_deref() {
        None | Some("object") => None,
        Some("array") => Some("an array"),
        Some(_) => Some("a scalar"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::document::Document;

    /// Merges component `name` of a small spec, answering with its fields (`name` or
    /// `name*` when required, `name=Target` when it refers to a component) or the conflict.
    fn merged(components: &str, name: &str) -> Result<Vec<String>, MergeConflict> {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  schemas:\n{components}"
        );
        let mut document: Document = match serde_yaml::from_str(&text) {
            Ok(document) => document,
            Err(error) => panic!("test spec does not parse: {error}"),
        };
        crate::spec::normalise::normalise(&mut document, &[]);
        let schemas = &document.components.schemas;
        let resolve = |reference: &str| {
            let name = reference.strip_prefix("#/components/schemas/")?;
            let schema = schemas.get(name)?;
            Some((format!("/components/schemas/{name}"), schema))
        };
        let schema = &schemas[name];
        let view = merge(schema, &format!("/components/schemas/{name}"), &resolve)?;
        Ok(view
            .properties
            .iter()
            .map(|(p, (property, _))| {
                let star = if view.required.contains(p) { "*" } else { "" };
                let target = property
                    .reference
                    .as_deref()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .map(|name| format!("={name}"))
                    .unwrap_or_default();
                format!("{p}{star}{target}")
            })
            .collect())
    }

    #[test]
    fn all_of_merges_objects_and_reports_conflicts() {
        let base = "    Base:\n      type: object\n      required: [type]\n      properties:\n        type: {type: string}\n";
        // (what, the component, its fields or a part of the conflict's message)
        type Case<'c> = (&'c str, &'c str, Result<&'c [&'c str], &'c str>);
        let cases: &[Case<'_>] = &[
            (
                "a $ref part and an inline part, required from the top",
                "    Upi:\n      type: object\n      required: [vpa]\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - {type: object, properties: {vpa: {type: string}}}\n",
                Ok(&["type*", "vpa*"]),
            ),
            (
                "own properties beside the parts",
                "    Own:\n      properties: {note: {type: string}}\n      allOf:\n        - $ref: '#/components/schemas/Base'\n",
                Ok(&["note", "type*"]),
            ),
            (
                "the same property declared the same way twice",
                "    Twice:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - {properties: {type: {type: string}}}\n",
                Ok(&["type*"]),
            ),
            (
                "nested allOf",
                "    Mid:\n      allOf: [{$ref: '#/components/schemas/Base'}, {properties: {mid: {type: integer}}}]\n    Top:\n      allOf: [{$ref: '#/components/schemas/Mid'}, {properties: {top: {type: boolean}}}]\n",
                Ok(&["mid", "top", "type*"]),
            ),
            (
                "a property declared differently",
                "    Clash:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - {properties: {type: {type: integer}}}\n",
                Err("property `type`"),
            ),
            (
                "a scalar declared twice with other limits is one field",
                "    Limits:\n      allOf:\n        - {properties: {id: {type: string, maxLength: 9}}}\n        - {properties: {id: {type: string, minLength: 1, pattern: '^.+$'}}}\n",
                Ok(&["id"]),
            ),
            (
                "a scalar of another format still clashes",
                "    Formats:\n      allOf:\n        - {properties: {at: {type: string}}}\n        - {properties: {at: {type: string, format: date-time}}}\n",
                Err("property `at`"),
            ),
            (
                "an extension of a property's schema replaces it, in either order",
                "    Wide:\n      properties: {email: {type: string}}\n    Narrow:\n      allOf: [{$ref: '#/components/schemas/Wide'}, {properties: {id: {type: string}}}]\n    Holder:\n      allOf:\n        - {properties: {who: {$ref: '#/components/schemas/Wide'}}}\n        - {properties: {who: {$ref: '#/components/schemas/Narrow'}}}\n        - {properties: {who: {$ref: '#/components/schemas/Wide'}}}\n",
                Ok(&["who=Narrow"]),
            ),
            (
                "two unrelated schemas still clash",
                "    Other:\n      properties: {x: {type: string}}\n    Clash2:\n      allOf:\n        - {properties: {who: {$ref: '#/components/schemas/Base'}}}\n        - {properties: {who: {$ref: '#/components/schemas/Other'}}}\n",
                Err("property `who`"),
            ),
            (
                "a scalar part",
                "    Scalar:\n      allOf: [{$ref: '#/components/schemas/Base'}, {type: string}]\n",
                Err("is a scalar"),
            ),
            (
                "a union part",
                "    Union:\n      allOf: [{oneOf: [{type: string}, {type: integer}]}]\n",
                Err("is a union"),
            ),
            (
                "an unknown reference",
                "    Missing:\n      allOf: [{$ref: '#/components/schemas/Nowhere'}]\n",
                Err("not a component schema"),
            ),
            (
                "a schema that includes itself",
                "    Loop:\n      allOf: [{$ref: '#/components/schemas/Loop'}]\n",
                Err("includes itself"),
            ),
        ];
        for (what, component, expected) in cases {
            let name = component
                .lines()
                .rfind(|line| line.starts_with("    ") && !line.starts_with("     "))
                .map(|line| line.trim().trim_end_matches(':'))
                .unwrap_or_default();
            let got = merged(&format!("{base}{component}"), name);
            match (expected, got) {
                (Ok(fields), Ok(got)) => assert_eq!(got, *fields, "{what}"),
                (Err(needle), Err(error)) => {
                    let message = error.to_string();
                    assert!(message.contains(needle), "{what}: {message}");
                }
                (expected, got) => panic!("{what}: expected {expected:?}, got {got:?}"),
            }
        }
    }
}
