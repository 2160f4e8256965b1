//! The leniency policy for required response fields (profile `[responses]`,
//! docs/generated-code.md "Required fields the provider leaves out"): a required,
//! non-nullable field of a response type that the provider's own fixtures leave out
//! decodes as `Option<T>`.
//!
//! Each fixture is walked through the IR type of its schema (struct fields, the union
//! member its tag or `object` constant selects, expanded references, lists, maps, pages);
//! every required field absent where the walk meets its struct is relaxed. What the walk
//! cannot place (a member of an untagged union without a distinguishing `object`) is left
//! strict rather than guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::type_space::component_id;
use super::types::{TypeDef, TypeId, TypeKind, TypeRef, UnionDef};

/// The note appended to a relaxed field's docs.
const RELAXED_NOTE: &str = "The spec marks this field required, but the provider's own \
    example objects leave it out, so it decodes as an `Option` (the profile's \
    `omitted_in_fixtures` policy).";

/// Relaxes the required fields the fixtures omit; returns a coverage note per field.
/// `object_tag` is the profile's property naming an object's type, which tells apart the
/// members of an untagged union.
pub(crate) fn relax_omitted_required(
    types: &mut BTreeMap<TypeId, TypeDef>,
    fixtures: &BTreeMap<String, Value>,
    object_tag: &str,
) -> Vec<(String, String)> {
    let mut walker = Walker {
        types,
        object_tag,
        omitted: BTreeSet::new(),
    };
    for (schema, value) in fixtures {
        walker.walk(&TypeRef::Named(component_id(schema)), value);
    }
    let omitted = walker.omitted;
    let mut notes = Vec::new();
    for (id, wire_name) in omitted {
        let Some(def) = types.get_mut(&id) else {
            continue;
        };
        let type_name = def.name.clone();
        let TypeKind::Struct(fields) = &mut def.kind else {
            continue;
        };
        for field in fields
            .fields
            .iter_mut()
            .filter(|f| f.wire_name == wire_name)
        {
            field.required = false;
            field.doc = Some(match field.doc.take() {
                Some(doc) => format!("{}\n\n{RELAXED_NOTE}", doc.trim_end()),
                None => RELAXED_NOTE.to_owned(),
            });
            notes.push((
                format!("field `{type_name}.{}`", field.rust_name),
                "required in the spec, absent from the provider's fixtures: decodes as `Option`"
                    .to_owned(),
            ));
        }
    }
    notes
}

/// The walk of fixtures through the types, collecting the omitted required fields.
struct Walker<'t> {
    types: &'t BTreeMap<TypeId, TypeDef>,
    object_tag: &'t str,
    /// (response struct, wire name of a required, non-nullable field it lacked).
    omitted: BTreeSet<(TypeId, String)>,
}

impl Walker<'_> {
    /// Walks `value` as a value of `ty`.
    fn walk(&mut self, ty: &TypeRef, value: &Value) {
        match (ty, value) {
            (TypeRef::Named(id), _) => self.walk_named(id, value),
            (TypeRef::Expandable(inner) | TypeRef::Unsettable(inner), _) => self.walk(inner, value),
            (TypeRef::List(inner), Value::Array(items)) => {
                items.iter().for_each(|item| self.walk(inner, item));
            }
            (TypeRef::Map(inner), Value::Object(entries)) => {
                entries.values().for_each(|item| self.walk(inner, item));
            }
            (TypeRef::Page(inner) | TypeRef::SearchPage(inner), Value::Object(page)) => {
                if let Some(Value::Array(items)) = page.get("data") {
                    items.iter().for_each(|item| self.walk(inner, item));
                }
            }
            _ => {}
        }
    }

    fn walk_named(&mut self, id: &TypeId, value: &Value) {
        let types = self.types;
        let Some(def) = types.get(id).filter(|def| !def.request) else {
            return;
        };
        match (&def.kind, value) {
            (TypeKind::Struct(s), Value::Object(object)) => {
                for field in &s.fields {
                    match object.get(&field.wire_name) {
                        Some(inner) => self.walk(&field.ty, inner),
                        None if field.required && !field.nullable && !field.tag_const => {
                            self.omitted.insert((id.clone(), field.wire_name.clone()));
                        }
                        None => {}
                    }
                }
            }
            (TypeKind::Union(u), Value::Object(object)) => {
                if let Some(member) = self.union_member(u, object) {
                    self.walk(member, value);
                }
            }
            (TypeKind::Alias(inner), _) => self.walk(inner, value),
            _ => {}
        }
    }

    /// The member of a union an object decodes as: by the union's tag, else by the
    /// members' `object` constants; `None` when that does not tell.
    fn union_member<'u>(
        &self,
        u: &'u UnionDef,
        object: &serde_json::Map<String, Value>,
    ) -> Option<&'u TypeRef> {
        if let Some(tag) = &u.tag {
            let value = object.get(tag)?.as_str()?;
            return u
                .members
                .iter()
                .find(|m| m.tag_value.as_deref() == Some(value))
                .map(|m| &m.ty);
        }
        let constant = object.get(self.object_tag)?.as_str()?;
        u.members
            .iter()
            .find(|m| {
                m.ty.by_value()
                    .and_then(|id| self.types.get(id))
                    .and_then(TypeDef::as_struct)
                    .is_some_and(|s| s.object_const.as_deref() == Some(constant))
            })
            .map(|m| &m.ty)
    }
}
