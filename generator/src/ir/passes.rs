//! Whole-IR passes run after conversion: module assignment, union tagging, boxing of
//! recursive types, and the feature closure of every type.

use std::collections::{BTreeMap, BTreeSet};

use super::events::EventDef;
use super::names::field_name;
use super::operations::Operation;
use super::types::{TypeDef, TypeId, TypeKind, TypeRef};
use super::{EVENTS_FEATURE, FULL_FEATURE};
use crate::spec::LoadedSpec;

/// The module of each component schema: the API resource (a schema with `x-resourceId`)
/// whose name is its longest prefix (`payment_intent_next_action` -> `payment_intent`), or
/// `shared`.
pub(super) fn component_modules(spec: &LoadedSpec) -> BTreeMap<String, String> {
    let normal = |name: &str| name.replace('.', "_");
    let resources: BTreeSet<String> = spec
        .document
        .components
        .schemas
        .iter()
        .filter(|(_, schema)| schema.resource_id.is_some())
        .filter(|_| spec.profile.conventions.resource_id_modules)
        .map(|(name, _)| normal(name))
        .collect();
    spec.document
        .components
        .schemas
        .keys()
        .map(|name| {
            let name_normal = normal(name);
            let module = resources
                .iter()
                .filter(|r| name_normal == **r || name_normal.starts_with(&format!("{r}_")))
                .max_by_key(|r| r.len())
                .map_or_else(|| "shared".to_owned(), |r| field_name(r));
            (name.clone(), module)
        })
        .collect()
}

/// Tags a union by `object` when every member is a struct with a distinct constant
/// `object`; otherwise orders its members most specific (most required fields) first, the
/// order an untagged decoder must try them in.
pub(super) fn settle_unions(types: &mut BTreeMap<TypeId, TypeDef>, object_tag: &str) {
    let union_ids: Vec<TypeId> = types
        .iter()
        .filter(|(_, d)| matches!(d.kind, TypeKind::Union(_)))
        .map(|(id, _)| id.clone())
        .collect();
    for id in union_ids {
        let Some(TypeKind::Union(mut def)) = types.get(&id).map(|d| d.kind.clone()) else {
            continue;
        };
        let constants: Vec<Option<String>> = def
            .members
            .iter()
            .map(|m| match &m.ty {
                TypeRef::Named(member) => types
                    .get(member)
                    .and_then(TypeDef::as_struct)
                    .and_then(|s| s.object_const.clone()),
                _ => None,
            })
            .collect();
        let distinct: BTreeSet<&String> = constants.iter().flatten().collect();
        if constants.iter().all(Option::is_some) && distinct.len() == constants.len() {
            def.tag = Some(object_tag.to_owned());
            for (member, constant) in def.members.iter_mut().zip(constants) {
                member.tag_value = constant;
                if let TypeRef::Named(member_id) = &member.ty
                    && let Some(TypeKind::Struct(s)) = types.get_mut(member_id).map(|d| &mut d.kind)
                {
                    s.fields
                        .iter_mut()
                        .filter(|f| f.wire_name == object_tag)
                        .for_each(|f| f.tag_const = true);
                }
            }
        } else {
            let required = |ty: &TypeRef| match ty {
                TypeRef::Named(member) => types
                    .get(member)
                    .and_then(TypeDef::as_struct)
                    .map_or(0, |s| s.fields.iter().filter(|f| f.required).count()),
                _ => 0,
            };
            def.members
                .sort_by_key(|m| std::cmp::Reverse(required(&m.ty)));
        }
        if let Some(entry) = types.get_mut(&id) {
            entry.kind = TypeKind::Union(def);
        }
    }
}

/// The declared types a type holds by value (not behind a `Vec`, map or `Expandable`).
fn by_value_edges(def: &TypeDef) -> Vec<TypeId> {
    match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| f.ty.by_value().cloned())
            .collect(),
        TypeKind::Union(u) => u
            .members
            .iter()
            .filter_map(|m| m.ty.by_value().cloned())
            .collect(),
        TypeKind::Alias(ty) => ty.by_value().into_iter().cloned().collect(),
        TypeKind::StringEnum(_) | TypeKind::ExpandFields(_) | TypeKind::Runtime(_) => Vec::new(),
    }
}

/// Boxes every by-value edge that closes a cycle, so recursive types have a finite size.
pub(super) fn box_recursion(types: &mut BTreeMap<TypeId, TypeDef>) {
    let edges: BTreeMap<TypeId, Vec<TypeId>> = types
        .iter()
        .map(|(id, def)| (id.clone(), by_value_edges(def)))
        .collect();
    let reaches = |from: &TypeId, to: &TypeId| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(next) = stack.pop() {
            if &next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.extend(edges.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed: BTreeSet<(TypeId, TypeId)> = BTreeSet::new();
    for (from, targets) in &edges {
        for to in targets {
            if reaches(to, from) {
                boxed.insert((from.clone(), to.clone()));
            }
        }
    }
    for (id, def) in types.iter_mut() {
        let needs_box = |ty: &TypeRef| {
            ty.by_value()
                .is_some_and(|to| boxed.contains(&(id.clone(), to.clone())))
        };
        match &mut def.kind {
            TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| f.boxed = needs_box(&f.ty)),
            TypeKind::Union(u) => u
                .members
                .iter_mut()
                .for_each(|m| m.boxed = needs_box(&m.ty)),
            _ => {}
        }
    }
}

/// Every declared type a type refers to, in any position.
fn references(def: &TypeDef) -> Vec<TypeId> {
    let mut out = Vec::new();
    def.kind.named(&mut out);
    out
}

/// Gives every type the features whose operations (or events) need it, transitively; a
/// type no operation needs is compiled with `full` only.
pub(super) fn feature_closure(
    types: &mut BTreeMap<TypeId, TypeDef>,
    operations: &[Operation],
    events: &BTreeMap<String, EventDef>,
) {
    let mut roots: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
    for op in operations {
        let entry = roots.entry(op.group.clone()).or_default();
        op.output.named(entry);
        op.params.iter().for_each(|p| p.ty.named(entry));
    }
    for event in events.values() {
        event
            .object
            .named(roots.entry(EVENTS_FEATURE.to_owned()).or_default());
    }
    let edges: BTreeMap<TypeId, Vec<TypeId>> = types
        .iter()
        .map(|(id, def)| (id.clone(), references(def)))
        .collect();
    let mut needed: BTreeMap<TypeId, BTreeSet<String>> = BTreeMap::new();
    for (feature, ids) in roots {
        let mut stack = ids;
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if seen.insert(id.clone()) {
                needed
                    .entry(id.clone())
                    .or_default()
                    .insert(feature.clone());
                stack.extend(edges.get(&id).into_iter().flatten().cloned());
            }
        }
    }
    for (id, def) in types.iter_mut() {
        def.features = needed
            .remove(id)
            .unwrap_or_else(|| [FULL_FEATURE.to_owned()].into());
    }
}
