//! Unions tagged by a property whose values select the members: a `discriminator`
//! (`propertyName`, `mapping`), or a property that every member declares as a string enum
//! with values no other member has (Adyen's `paymentMethod`: 58 members, each with its own
//! `type` values). Such a union is *open*: it decodes by reading the property, and a value
//! no member declares decodes into an `Unknown` variant holding the raw JSON.
//!
//! Runs after the `object`-constant rule ([`super::passes::settle_unions`]), on the unions
//! that rule left untagged, and on the unions a discriminator opened at conversion.

use std::collections::{BTreeMap, BTreeSet};

use super::type_space::component_id;
use super::types::{StructDef, TypeDef, TypeId, TypeKind, TypeRef, UnionDef};
use crate::spec::document::Discriminator;

/// Tags every union that a property can tag, and fills the tag values a discriminator's
/// mapping left out from each member's enum.
pub(super) fn tag_by_property(types: &mut BTreeMap<TypeId, TypeDef>) {
    let union_ids: Vec<TypeId> = types
        .iter()
        .filter(|(_, d)| matches!(&d.kind, TypeKind::Union(u) if u.open || u.tag.is_none()))
        .map(|(id, _)| id.clone())
        .collect();
    for id in union_ids {
        let Some(TypeKind::Union(mut def)) = types.get(&id).map(|d| d.kind.clone()) else {
            continue;
        };
        let tagged = if def.open {
            fill_tag_values(types, &mut def)
        } else {
            tag_untagged(types, &mut def)
        };
        // A tagged union's members are found by their tag, not tried in order: they read
        // best by name.
        def.members.sort_by(|a, b| a.variant.cmp(&b.variant));
        if tagged && let Some(entry) = types.get_mut(&id) {
            entry.kind = TypeKind::Union(def);
        }
    }
}

/// Opens a union by its `discriminator`: tagged by `propertyName`, each member selected by
/// the `mapping` values that name it. Members the mapping leaves out take their values from
/// their enum of the property ([`fill_tag_values`]), else, as OpenAPI says, their schema's
/// name.
pub(super) fn discriminate(def: &mut UnionDef, discriminator: &Discriminator) {
    def.tag = Some(discriminator.property_name.clone());
    def.open = true;
    for member in &mut def.members {
        let TypeRef::Named(id) = &member.ty else {
            continue;
        };
        member.tag_values = discriminator
            .mapping
            .iter()
            .filter(|(_, target)| **target == id.0)
            .map(|(value, _)| value.clone())
            .collect();
        member.tag_values.sort();
    }
}

/// Tags an untagged union by the first property (in name order) every member declares with
/// values of its own. Returns whether it found one.
fn tag_untagged(types: &BTreeMap<TypeId, TypeDef>, def: &mut UnionDef) -> bool {
    let Some(members) = member_structs(types, def) else {
        return false;
    };
    let Some((first, rest)) = members.split_first() else {
        return false;
    };
    let candidates = first
        .fields
        .iter()
        .map(|f| f.wire_name.as_str())
        .filter(|name| {
            rest.iter()
                .all(|m| m.fields.iter().any(|f| f.wire_name == *name))
        });
    for property in candidates {
        let values: Option<Vec<Vec<String>>> = members
            .iter()
            .map(|m| enum_values(types, m, property))
            .collect();
        if let Some(values) = values.filter(|v| disjoint(v)) {
            def.tag = Some(property.to_owned());
            def.open = true;
            for (member, values) in def.members.iter_mut().zip(values) {
                member.tag_values = values;
            }
            return true;
        }
    }
    false
}

/// Fills the tag values of the members of a discriminated union that its mapping did not
/// name, from each member's enum of the property. Returns whether anything changed.
fn fill_tag_values(types: &BTreeMap<TypeId, TypeDef>, def: &mut UnionDef) -> bool {
    let Some(property) = def.tag.clone() else {
        return false;
    };
    let mut changed = false;
    for member in def.members.iter_mut().filter(|m| m.tag_values.is_empty()) {
        let values = match &member.ty {
            TypeRef::Named(id) => types
                .get(id)
                .and_then(TypeDef::as_struct)
                .and_then(|s| enum_values(types, s, &property)),
            _ => None,
        };
        // OpenAPI's default mapping: a component member is selected by its schema's name.
        let values = values.or_else(|| match &member.ty {
            TypeRef::Named(id) => {
                id.0.strip_prefix(&component_id("").0)
                    .map(|name| vec![name.to_owned()])
            }
            _ => None,
        });
        if let Some(values) = values {
            member.tag_values = values;
            changed = true;
        }
    }
    changed
}

/// The struct of every member, or `None` when one is something else.
fn member_structs<'t>(
    types: &'t BTreeMap<TypeId, TypeDef>,
    def: &UnionDef,
) -> Option<Vec<&'t StructDef>> {
    def.members
        .iter()
        .map(|m| match &m.ty {
            TypeRef::Named(id) => types.get(id).and_then(TypeDef::as_struct),
            _ => None,
        })
        .collect()
}

/// The values of `property` of a struct, when it is a string enum.
fn enum_values(
    types: &BTreeMap<TypeId, TypeDef>,
    def: &StructDef,
    property: &str,
) -> Option<Vec<String>> {
    let field = def.fields.iter().find(|f| f.wire_name == property)?;
    let TypeRef::Named(id) = &field.ty else {
        return None;
    };
    match &types.get(id)?.kind {
        TypeKind::StringEnum(values) if !values.is_empty() => Some(values.clone()),
        _ => None,
    }
}

/// Whether no value appears in two members' lists.
fn disjoint(values: &[Vec<String>]) -> bool {
    let mut seen = BTreeSet::new();
    values.iter().flatten().all(|value| seen.insert(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_value_lists_tag_and_shared_values_do_not() {
        let list = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
        let cases: &[(&[&[&str]], bool)] = &[
            (
                &[&["ach", "ach_plaid"], &["scheme", "card"], &["ideal"]],
                true,
            ),
            (&[&["a"], &["b"]], true),
            (&[&["scheme", "card"], &["card"]], false),
            (&[&["a"], &["a"]], false),
        ];
        for (members, expected) in cases {
            let values: Vec<Vec<String>> = members.iter().map(|m| list(m)).collect();
            assert_eq!(disjoint(&values), *expected, "{members:?}");
        }
    }
}
