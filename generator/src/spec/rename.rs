//! Renaming a later spec file's component schemas that clash with an earlier file's, so two
//! APIs that each define their own `card` or `money` both keep theirs (`[[spec.files]]
//! schema_prefix`, docs/generated-code.md "Spec files").
//!
//! A schema clashes when an earlier file defines its name differently, or when it reads the
//! same but refers (directly or through others) to a schema that clashes: the same text then
//! means something else. Each clashing schema becomes `<prefix>_<name>`, and every `$ref` of
//! the file to it (and every discriminator mapping) follows.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::document::{Document, MediaType, Operation, PathItem, Schema};

/// The prefix of a reference to a component schema.
const SCHEMAS: &str = "#/components/schemas/";

/// Renames the schemas of `document` that clash with `kept` to `<prefix>_<name>`, and
/// rewrites the document's references to them. Returns each renaming (old, new), in order.
pub(crate) fn rename_clashes(
    kept: &IndexMap<String, Schema>,
    document: &mut Document,
    prefix: &str,
    same: fn(&Schema, &Schema) -> bool,
) -> Vec<(String, String)> {
    let schemas = &document.components.schemas;
    let mut clashing: BTreeSet<String> = schemas
        .iter()
        .filter(|(name, schema)| kept.get(*name).is_some_and(|k| !same(k, schema)))
        .map(|(name, _)| name.clone())
        .collect();
    let references: BTreeMap<&String, BTreeSet<String>> = schemas
        .iter()
        .filter(|(name, _)| kept.contains_key(*name))
        .map(|(name, schema)| (name, references_of(schema)))
        .collect();
    // A schema kept by both files whose references clash means something else here.
    loop {
        let more: Vec<String> = references
            .iter()
            .filter(|(name, refs)| !clashing.contains(**name) && !refs.is_disjoint(&clashing))
            .map(|(name, _)| (*name).clone())
            .collect();
        if more.is_empty() {
            break;
        }
        clashing.extend(more);
    }
    let renames: BTreeMap<String, String> = clashing
        .iter()
        .map(|name| (name.clone(), format!("{prefix}_{name}")))
        .collect();
    if renames.is_empty() {
        return Vec::new();
    }
    let schemas = std::mem::take(&mut document.components.schemas);
    document.components.schemas = schemas
        .into_iter()
        .map(|(name, schema)| (renames.get(&name).cloned().unwrap_or(name), schema))
        .collect();
    for_each_schema(document, &mut |schema| rewrite(schema, &renames));
    let mut out: Vec<(String, String)> = renames.into_iter().collect();
    out.sort();
    out
}

/// The component schemas a schema refers to, at any depth.
fn references_of(schema: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut copy = schema.clone();
    walk(&mut copy, &mut |node| {
        out.extend(node.reference.as_deref().and_then(schema_name));
        if let Some(discriminator) = &node.discriminator {
            out.extend(
                discriminator
                    .mapping
                    .values()
                    .filter_map(|r| schema_name(r)),
            );
        }
    });
    out
}

/// The schema name of a `#/components/schemas/<name>` reference.
fn schema_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix(SCHEMAS)
        .map(super::unescape_pointer_token)
}

/// Points a schema's references (and its nested schemas') at the renamed schemas.
fn rewrite(schema: &mut Schema, renames: &BTreeMap<String, String>) {
    walk(schema, &mut |node| {
        let renamed = |reference: &str| {
            let name = schema_name(reference)?;
            let new = renames.get(&name)?;
            Some(format!("{SCHEMAS}{}", super::escape_pointer_token(new)))
        };
        if let Some(new) = node.reference.as_deref().and_then(renamed) {
            node.reference = Some(new);
        }
        if let Some(discriminator) = &mut node.discriminator {
            for reference in discriminator.mapping.values_mut() {
                if let Some(new) = renamed(reference) {
                    *reference = new;
                }
            }
        }
    });
}

/// Calls `visit` on a schema and every schema nested in it.
fn walk(schema: &mut Schema, visit: &mut dyn FnMut(&mut Schema)) {
    visit(schema);
    for (_, child) in schema.children_mut() {
        walk(child, visit);
    }
}

/// Calls `visit` on every schema of a document, at any depth: components, the schemas of
/// parameters, bodies, responses and headers of every path and webhook.
fn for_each_schema(document: &mut Document, visit: &mut dyn FnMut(&mut Schema)) {
    let components = &mut document.components;
    for schema in components.schemas.values_mut() {
        walk(schema, visit);
    }
    for parameter in components.parameters.values_mut() {
        parameter.schema.iter_mut().for_each(|s| walk(s, visit));
    }
    for body in components.request_bodies.values_mut() {
        media(&mut body.content, visit);
    }
    for response in components.responses.values_mut() {
        media(&mut response.content, visit);
        for header in response.headers.values_mut() {
            header.schema.iter_mut().for_each(|s| walk(s, visit));
        }
    }
    for header in components.headers.values_mut() {
        header.schema.iter_mut().for_each(|s| walk(s, visit));
    }
    for item in document
        .paths
        .values_mut()
        .chain(document.webhooks.values_mut())
    {
        path_item(item, visit);
    }
}

fn path_item(item: &mut PathItem, visit: &mut dyn FnMut(&mut Schema)) {
    for parameter in &mut item.parameters {
        parameter.schema.iter_mut().for_each(|s| walk(s, visit));
    }
    for (_, operation) in item.operations_mut() {
        self::operation(operation, visit);
    }
}

fn operation(operation: &mut Operation, visit: &mut dyn FnMut(&mut Schema)) {
    for parameter in &mut operation.parameters {
        parameter.schema.iter_mut().for_each(|s| walk(s, visit));
    }
    if let Some(body) = &mut operation.request_body {
        media(&mut body.content, visit);
    }
    for response in operation.responses.values_mut() {
        media(&mut response.content, visit);
        for header in response.headers.values_mut() {
            header.schema.iter_mut().for_each(|s| walk(s, visit));
        }
    }
}

fn media(content: &mut IndexMap<String, MediaType>, visit: &mut dyn FnMut(&mut Schema)) {
    for media in content.values_mut() {
        media.schema.iter_mut().for_each(|s| walk(s, visit));
    }
}
