//! Several pinned spec files -> one document.
//!
//! A provider may publish its API in several files (an API and its webhooks, or one file
//! per product). Each file is parsed, normalised and has its shared-object references
//! resolved on its own (references are file-local); then the documents are combined, in
//! the profile's order, which is their precedence:
//!
//! - `info` is the first file's: it names the API;
//! - paths and webhooks are the union of the files'; a path or webhook two files both
//!   define is a conflict, and the first file's is kept;
//! - component schemas are the union of the files'; two files may define the same name
//!   only with the same schema (the order of `required` does not matter). A later file
//!   pinned with a `schema_prefix` keeps its own: its clashing schemas are renamed
//!   `<prefix>_<name>` with its `$ref`s (`rename.rs`), and the renaming is noted in the
//!   coverage report. Without a prefix a different one is a conflict: the first file's is
//!   kept, so the later file's `$ref`s to that name resolve to it, and the conflict is
//!   reported;
//! - the other components (parameters, bodies, responses, headers, examples) are already
//!   resolved into their use sites; the first file's of each name is kept for reference.
//!
//! Conflicts are reported, never fatal: the generator still emits everything else.

use indexmap::IndexMap;

use super::document::{Document, Schema};
use super::rename::rename_clashes;

/// Something two spec files both define differently, and which one was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// What both define (`schema `Amount``, `path `/payments``).
    pub what: String,
    /// Which file was kept and which dropped.
    pub resolution: String,
}

/// One parsed spec file to combine.
pub(crate) struct Part {
    /// The file's name as pinned.
    pub name: String,
    /// `[[spec.files]] schema_prefix`: what its clashing schemas are renamed with.
    pub schema_prefix: Option<String>,
    /// The file's document, normalised and resolved.
    pub document: Document,
}

/// Combines documents (each with its file name, in precedence order) into one, with the
/// file each path, webhook and schema came from. `None` when there are none.
pub(crate) fn combine(parts: Vec<Part>) -> Option<(Document, Origins, Vec<Conflict>)> {
    let mut parts = parts.into_iter();
    let first = parts.next()?;
    let mut combined = first.document;
    let mut origins = Origins::new(&first.name, &combined);
    let mut conflicts = Vec::new();
    for Part {
        name,
        schema_prefix,
        mut document,
    } in parts
    {
        if let Some(prefix) = &schema_prefix {
            let kept = &combined.components.schemas;
            for (old, new) in rename_clashes(kept, &mut document, prefix, same_schema) {
                let first = origins.schemas.get(&old).map_or("", String::as_str);
                conflicts.push(Conflict {
                    what: format!("schema `{old}`"),
                    resolution: format!(
                        "defined differently in {first} and {name}; {name}'s is `{new}`"
                    ),
                });
            }
        }
        for (path, item) in document.paths {
            if let Some(kept) = origins.paths.get(&path) {
                conflicts.push(kept_first("path", &path, kept, &name));
            } else {
                origins.paths.insert(path.clone(), name.clone());
                combined.paths.insert(path, item);
            }
        }
        for (key, item) in document.webhooks {
            if let Some(kept) = origins.webhooks.get(&key) {
                conflicts.push(kept_first("webhook", &key, kept, &name));
            } else {
                origins.webhooks.insert(key.clone(), name.clone());
                combined.webhooks.insert(key, item);
            }
        }
        for (key, schema) in document.components.schemas {
            match combined.components.schemas.get(&key) {
                Some(kept) if same_schema(kept, &schema) => {}
                Some(_) => {
                    let kept = origins.schemas.get(&key).map_or("", String::as_str);
                    conflicts.push(kept_first("schema", &key, kept, &name));
                }
                None => {
                    origins.schemas.insert(key.clone(), name.clone());
                    combined.components.schemas.insert(key, schema);
                }
            }
        }
        let shared = &mut combined.components;
        merge_first(&mut shared.parameters, document.components.parameters);
        merge_first(
            &mut shared.request_bodies,
            document.components.request_bodies,
        );
        merge_first(&mut shared.responses, document.components.responses);
        merge_first(&mut shared.headers, document.components.headers);
        merge_first(&mut shared.examples, document.components.examples);
    }
    Some((combined, origins, conflicts))
}

/// Which file (as pinned) each path, webhook and schema of the combined document came from.
#[derive(Debug, Default)]
pub struct Origins {
    paths: IndexMap<String, String>,
    webhooks: IndexMap<String, String>,
    schemas: IndexMap<String, String>,
}

impl Origins {
    /// The file (as pinned) that the node at a JSON pointer of the combined document came
    /// from: `/paths/<path>/…`, `/webhooks/<name>/…` or `/components/schemas/<name>/…`.
    pub fn file_of(&self, pointer: &str) -> Option<&str> {
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .take(3)
            .map(super::unescape_pointer_token)
            .collect();
        let found = match tokens.as_slice() {
            [root, key, ..] if root == "paths" => self.paths.get(key),
            [root, key, ..] if root == "webhooks" => self.webhooks.get(key),
            [components, schemas, name] if components == "components" && schemas == "schemas" => {
                self.schemas.get(name)
            }
            _ => None,
        };
        found.map(String::as_str)
    }

    fn new(file: &str, document: &Document) -> Self {
        let of = |keys: Vec<&String>| {
            keys.into_iter()
                .map(|key| (key.clone(), file.to_owned()))
                .collect()
        };
        Self {
            paths: of(document.paths.keys().collect()),
            webhooks: of(document.webhooks.keys().collect()),
            schemas: of(document.components.schemas.keys().collect()),
        }
    }
}

/// A conflict resolved in favour of the first file.
fn kept_first(kind: &str, key: &str, kept: &str, dropped: &str) -> Conflict {
    Conflict {
        what: format!("{kind} `{key}`"),
        resolution: format!("defined differently in {kept} and {dropped}; {kept}'s is used"),
    }
}

/// Adds the entries of `more` whose names `into` does not have.
fn merge_first<T>(into: &mut IndexMap<String, T>, more: IndexMap<String, T>) {
    for (key, value) in more {
        into.entry(key).or_insert(value);
    }
}

/// Whether two schemas mean the same, whatever the order of their `required` lists.
fn same_schema(a: &Schema, b: &Schema) -> bool {
    fn canonical(schema: &Schema) -> Schema {
        let mut schema = schema.clone();
        sort_required(&mut schema);
        schema
    }
    fn sort_required(schema: &mut Schema) {
        schema.required.sort();
        for (_, nested) in schema.children_mut() {
            sort_required(nested);
        }
    }
    a == b || canonical(a) == canonical(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(json: &str) -> Result<Document, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn part(name: &str, schema_prefix: Option<&str>, document: Document) -> Part {
        Part {
            name: name.to_owned(),
            schema_prefix: schema_prefix.map(str::to_owned),
            document,
        }
    }

    const INFO: &str = r#""openapi": "3.1.0", "info": {"title": "T", "version": "1"}"#;

    #[test]
    fn same_named_schemas_must_be_equal_up_to_the_order_of_required()
    -> Result<(), serde_json::Error> {
        let a = document(&format!(
            r#"{{{INFO}, "paths": {{"/a": {{}}}}, "components": {{"schemas": {{
                "Amount": {{"type": "object", "required": ["currency", "value"]}},
                "Only": {{"type": "string"}}}}}}}}"#
        ))?;
        let b = document(&format!(
            r#"{{{INFO}, "webhooks": {{"/HOOK": {{}}}}, "paths": {{"/a": {{}}}}, "components": {{"schemas": {{
                "Amount": {{"type": "object", "required": ["value", "currency"]}},
                "Only": {{"type": "integer"}}}}}}}}"#
        ))?;
        let (combined, origins, conflicts) =
            combine(vec![part("a.json", None, a), part("b.json", None, b)])
                .ok_or_else(|| serde::de::Error::custom("no documents"))?;
        assert_eq!(origins.file_of("/webhooks/~1HOOK/post"), Some("b.json"));
        assert_eq!(
            origins.file_of("/components/schemas/Only/properties/x"),
            Some("a.json")
        );
        assert_eq!(origins.file_of("/info"), None);
        assert_eq!(combined.webhooks.len(), 1);
        assert_eq!(combined.components.schemas.len(), 2);
        let what: Vec<&str> = conflicts.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(what, ["path `/a`", "schema `Only`"]);
        assert_eq!(
            conflicts[1].resolution,
            "defined differently in a.json and b.json; a.json's is used"
        );
        Ok(())
    }
}
