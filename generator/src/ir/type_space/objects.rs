//! Object schemas as the type space sees them: their `allOf` parts merged once
//! ([`crate::ir::all_of`]), conflicts turned into the schema's unsupported-construct error.

use super::{Site, TypeSpace, component_id};
use crate::ir::all_of::{self, ObjectView};
use crate::ir::types::{Scalar, TypeKind, TypeRef};
use crate::spec::{Schema, SpecError, escape_pointer_token};

impl<'s> TypeSpace<'s> {
    /// The properties and required names of an object schema at `pointer`, with every
    /// `allOf` part merged in. A conflict between parts is an error naming it, which makes
    /// the schema (or the operation using it) a coverage skip with that reason.
    pub(super) fn object_view<'a>(
        &self,
        schema: &'a Schema,
        pointer: &str,
    ) -> Result<ObjectView<'a>, SpecError>
    where
        's: 'a,
    {
        let spec = self.spec;
        let resolve = |reference: &str| -> Option<(String, &'a Schema)> {
            let (name, target) = spec.resolve(reference, pointer).ok()?;
            let target_pointer = format!("/components/schemas/{}", escape_pointer_token(name));
            Some((target_pointer, target))
        };
        all_of::merge(schema, pointer, &resolve)
            .map_err(|conflict| spec.unsupported(pointer, conflict.to_string()))
    }

    /// Declares component `name` as raw JSON (`serde_json::Value`), for a component that
    /// could not be converted: its doc says why.
    pub fn add_opaque_component(&mut self, name: &str, module: &str, reason: &str) {
        let id = component_id(name);
        let rust_name = self.name_of(&id);
        let site = Site {
            pointer: id.0.clone(),
            hint: rust_name.clone(),
            module: module.to_owned(),
            request: false,
            field: None,
        };
        let doc = format!("Raw JSON: payforge cannot type this schema yet ({reason}).");
        let kind = TypeKind::Alias(TypeRef::Scalar(Scalar::Json));
        self.declare(id, rust_name, kind, Some(doc), false, &site);
    }
}
