//! Component schemas -> declared types, skipping (with the reason) each schema the IR
//! cannot convert, and every schema that refers to a skipped one, so that one unsupported
//! construct costs its schema and its dependents, never the whole provider.

use std::collections::BTreeMap;

use super::type_space::TypeSpace;
use crate::spec::{LoadedSpec, Schema, SpecError};

/// Converts every component schema, in the given (sorted) order, into a fresh type space.
/// A schema whose conversion is refused as unsupported is skipped and the conversion starts
/// over without it, until every remaining schema converts; any other error (a dangling
/// `$ref`: the spec is broken) is returned. The skips are `(what, why)` pairs.
pub(crate) fn convert_components<'s>(
    spec: &'s LoadedSpec,
    components: &[(&String, &Schema)],
    modules: &BTreeMap<String, String>,
) -> Result<(TypeSpace<'s>, Vec<(String, String)>), SpecError> {
    let mut skipped: BTreeMap<String, String> = BTreeMap::new();
    // Each pass either converts everything left or skips one more schema, so this ends
    // after at most one pass per schema.
    'pass: loop {
        let mut space = TypeSpace::new(spec);
        space.skipped = skipped.keys().cloned().collect();
        for (name, schema) in components {
            if skipped.contains_key(name.as_str()) {
                continue;
            }
            let module = modules.get(name.as_str()).map_or("shared", String::as_str);
            match space.add_component(name, schema, module) {
                Ok(()) => {}
                Err(error @ SpecError::Unsupported { .. }) => {
                    skipped.insert((*name).clone(), error.to_string());
                    continue 'pass;
                }
                Err(error) => return Err(error),
            }
        }
        let skips = skipped
            .into_iter()
            .map(|(name, why)| (format!("schema `{name}`"), why))
            .collect();
        return Ok((space, skips));
    }
}
