//! Unions (`anyOf`/`oneOf`): their members, variant names and the context-free name of a
//! union of component schemas.

use super::{Site, TypeSpace, component_id};
use crate::ir::names::{NameRegistry, type_name};
use crate::ir::types::{TypeRef, UnionDef, UnionMember};
use crate::spec::{Schema, SpecError, child};

impl TypeSpace<'_> {
    pub(super) fn union_def(
        &mut self,
        members: &[Schema],
        site: &Site,
    ) -> Result<UnionDef, SpecError> {
        let refs: Vec<&Schema> = members.iter().collect();
        self.union_def_refs(&refs, site)
    }

    pub(super) fn union_def_refs(
        &mut self,
        members: &[&Schema],
        site: &Site,
    ) -> Result<UnionDef, SpecError> {
        let mut variants = NameRegistry::default();
        let mut out = Vec::new();
        for (index, member) in members.iter().enumerate() {
            // An inline member is told from the others by its `title` (`card_details_params`
            // or `token_params`), else by its kind (`Object`, `String`); it is named after the
            // union's place and that word, and the word is its variant.
            let word = match (&member.title, &member.reference) {
                (Some(title), None) => type_name(title),
                _ => member.kind.as_deref().map(type_name).unwrap_or_default(),
            };
            let member_site = site.with(
                child(&child(&site.pointer, "anyOf"), &index.to_string()),
                format!("{}{word}", site.hint),
            );
            // A member is the shared type itself, not a site's alias of it: union tagging
            // and `HasId` look at the member's declaration.
            let converted = self.convert(member, &member_site)?.0;
            let ty = self.canonical(&converted);
            let named_by_place = match &ty {
                TypeRef::Named(id) => {
                    !id.0.starts_with(&component_id("").0) && !self.common_ids.contains(id)
                }
                _ => false,
            };
            let variant = if named_by_place && !word.is_empty() {
                variants.claim(&[word])
            } else {
                variants.claim(&[self.variant_word(&ty)])
            };
            out.push(UnionMember {
                variant,
                ty,
                tag_value: None,
                tag_values: Vec::new(),
                boxed: false,
            });
        }
        Ok(UnionDef {
            tag: None,
            members: out,
            open: false,
        })
    }

    /// The variant name of a union member of type `ty`.
    pub(super) fn variant_word(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) => self.name_of(id),
            TypeRef::Id(name) => name.clone(),
            TypeRef::Scalar(scalar) => format!("{scalar:?}"),
            TypeRef::List(_) => "List".to_owned(),
            TypeRef::Map(_) => "Map".to_owned(),
            TypeRef::Expandable(_) => "Expandable".to_owned(),
            TypeRef::Unsettable(inner) => self.variant_word(inner),
            TypeRef::Page(_) => "Page".to_owned(),
            TypeRef::SearchPage(_) => "SearchPage".to_owned(),
            TypeRef::Expand { .. } => "Expand".to_owned(),
        }
    }
}

/// The context-free name of a union: its members' names joined
/// (`CustomerOrDeletedCustomer`), when there are at most three and each is a component
/// schema (a name the spec gives, the same from every place). A union with an inline member
/// is named after its place, like an inline object.
pub(super) fn union_name(def: &UnionDef, space: &TypeSpace<'_>) -> Option<String> {
    let named_by_spec = def.members.iter().all(|m| match &m.ty {
        TypeRef::Named(id) => id.0.starts_with(&component_id("").0),
        _ => false,
    });
    (def.members.len() <= 3 && named_by_spec).then(|| {
        def.members
            .iter()
            .map(|m| space.variant_word(&m.ty))
            .collect::<Vec<_>>()
            .join("Or")
    })
}
