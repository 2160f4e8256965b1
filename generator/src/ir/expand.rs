//! Typed `expand[]` parameters: an enum of the expandable fields of every response type
//! that has some ([`TypeKind::ExpandFields`]), and each operation's `expand` parameter
//! typed by the enum of what it returns ([`TypeRef::Expand`]).
//!
//! A field is expandable when the spec marks it with `x-expansionResources` (an
//! [`TypeRef::Expandable`], or a list of them). A field holding an object (or a list of
//! objects) with expandable fields leads to them: Stripe accepts the dotted path
//! (`transfer_data.destination`), so the enum has a function for it but no variant.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{NameRegistry, type_name};
use super::operations::Operation;
use super::types::{ExpandDef, ExpandStep, Field, TypeDef, TypeId, TypeKind, TypeRef};

/// Declares the expand enums into `types` and types every operation parameter named
/// `param` (a list of strings) by the enum of the operation's output.
pub(super) fn typed_expand(
    types: &mut BTreeMap<TypeId, TypeDef>,
    names: &mut NameRegistry,
    operations: &mut [Operation],
    param: &str,
) {
    let with_fields = structs_with_expandable_fields(types);
    // Claim names in id order, so they do not depend on what refers to what.
    let enum_ids: BTreeMap<TypeId, TypeId> = with_fields
        .iter()
        .map(|id| (id.clone(), TypeId(format!("{}#expand", id.0))))
        .collect();
    let mut declared = Vec::new();
    for (of, enum_id) in &enum_ids {
        let Some(def) = types.get(of) else { continue };
        let Some(s) = def.as_struct() else { continue };
        let mut variants = NameRegistry::default();
        let fields = s
            .fields
            .iter()
            .filter_map(|field| step(types, &enum_ids, field, &mut variants))
            .collect();
        declared.push(TypeDef {
            id: enum_id.clone(),
            name: names.claim(&[format!("{}Expand", def.name)]),
            module: def.module.clone(),
            doc: Some(format!(
                "The fields of `{}` that an `expand[]` parameter can name.",
                def.name
            )),
            kind: TypeKind::ExpandFields(ExpandDef {
                of: of.clone(),
                fields,
            }),
            request: true,
            features: Default::default(),
        });
    }
    for def in declared {
        types.insert(def.id.clone(), def);
    }
    for op in operations {
        let (root, items) = match &op.output {
            TypeRef::Named(id) => (Some(id), false),
            TypeRef::Page(item) | TypeRef::SearchPage(item) => match item.as_ref() {
                TypeRef::Named(id) => (Some(id), true),
                _ => (None, true),
            },
            _ => (None, false),
        };
        let fields = root.and_then(|id| fields_of(types, &enum_ids, id));
        for p in op.params.iter_mut().filter(|p| p.wire_name == param) {
            if p.ty == TypeRef::List(Box::new(TypeRef::Scalar(super::Scalar::String))) {
                p.ty = TypeRef::Expand {
                    fields: fields.clone(),
                    items,
                };
            }
        }
    }
}

/// The struct an id names, through aliases.
fn resolve<'t>(types: &'t BTreeMap<TypeId, TypeDef>, id: &TypeId) -> Option<&'t TypeDef> {
    let mut def = types.get(id)?;
    // An alias chain is at most a site alias of a component alias; the bound only guards
    // against a cycle.
    for _ in 0..8 {
        match &def.kind {
            TypeKind::Alias(TypeRef::Named(next)) => def = types.get(next)?,
            _ => return Some(def),
        }
    }
    None
}

/// A field's type without the lists around it.
fn element(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::List(inner) => element(inner),
        other => other,
    }
}

/// The expand enum of a type: its own, or for a union the one enum of its members when
/// exactly one member has one (`Customer` of `Customer | DeletedCustomer`).
fn fields_of(
    types: &BTreeMap<TypeId, TypeDef>,
    enums: &BTreeMap<TypeId, TypeId>,
    id: &TypeId,
) -> Option<TypeId> {
    let def = resolve(types, id)?;
    match &def.kind {
        TypeKind::Struct(_) => enums.get(&def.id).cloned(),
        TypeKind::Union(u) => {
            let found: BTreeSet<TypeId> = u
                .members
                .iter()
                .filter_map(|m| match &m.ty {
                    TypeRef::Named(member) => fields_of(types, enums, member),
                    _ => None,
                })
                .collect();
            let mut found = found.into_iter();
            match (found.next(), found.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The enum entry of one field, if it is expandable or leads to expandable fields.
fn step(
    types: &BTreeMap<TypeId, TypeDef>,
    enums: &BTreeMap<TypeId, TypeId>,
    field: &Field,
    variants: &mut NameRegistry,
) -> Option<ExpandStep> {
    let (expandable, target) = match element(&field.ty) {
        TypeRef::Expandable(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let then = match target {
        TypeRef::Named(id) => fields_of(types, enums, id),
        _ => None,
    };
    (expandable || then.is_some()).then(|| ExpandStep {
        wire_name: field.wire_name.clone(),
        variant: expandable.then(|| variants.claim(&[type_name(&field.wire_name)])),
        method: field.rust_name.clone(),
        then,
    })
}

/// The response structs with a field that is expandable or leads to one, found by
/// iterating to a fixed point (so recursive types settle whatever the order).
fn structs_with_expandable_fields(types: &BTreeMap<TypeId, TypeDef>) -> BTreeSet<TypeId> {
    let mut found: BTreeSet<TypeId> = BTreeSet::new();
    loop {
        let before = found.len();
        for (id, def) in types {
            let Some(s) = def.as_struct() else { continue };
            if def.request || found.contains(id) {
                continue;
            }
            let leads = s.fields.iter().any(|field| match element(&field.ty) {
                TypeRef::Expandable(_) => true,
                TypeRef::Named(target) => {
                    resolve(types, target).is_some_and(|t| found.contains(&t.id))
                }
                _ => false,
            });
            if leads {
                found.insert(id.clone());
            }
        }
        if found.len() == before {
            return found;
        }
    }
}
