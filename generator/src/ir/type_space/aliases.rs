//! Site aliases: each later use site of a deduplicated type gets
//! `pub type <ItsOwnName> = <Declared>;`, and the declared type takes the shortest name.

use std::collections::{BTreeMap, BTreeSet};

use super::TypeSpace;
use crate::ir::names::NameRegistry;
use crate::ir::types::{TypeDef, TypeId, TypeKind, TypeRef};

/// A use site of a deduplicated type that names it after its own context.
#[derive(Clone, Debug)]
pub(super) struct SiteAlias {
    /// The declared type it names.
    pub(super) canonical: TypeId,
    /// The name it asks for (the site's hint).
    pub(super) hint: String,
    /// The module of the site.
    pub(super) module: String,
    /// The site's doc text.
    pub(super) doc: Option<String>,
    /// Whether the site is in a request.
    pub(super) request: bool,
}

impl TypeSpace<'_> {
    /// Declares the site aliases that `roots` or a declared type still refer to (an alias
    /// used only by a type that was itself deduplicated away is dropped), claiming their
    /// names in id order. Returns the declared types and the names taken.
    ///
    /// The declared type of a shape takes the shortest of its users' names (the first
    /// user's on a tie): the most general context is the least misleading, so `Charge`'s
    /// `status` enum is `ChargeStatus`, not the name of an obscure schema that sorts first.
    pub fn declare_aliases<'r>(
        mut self,
        roots: impl IntoIterator<Item = &'r TypeRef>,
    ) -> (BTreeMap<TypeId, TypeDef>, NameRegistry) {
        let mut used = Vec::new();
        roots.into_iter().for_each(|ty| ty.named(&mut used));
        for def in self.types.values() {
            def.kind.named(&mut used);
        }
        let used: BTreeSet<TypeId> = used
            .into_iter()
            .filter(|id| self.aliases.contains_key(id))
            .collect();
        let moved = self.rename_declared(&used);
        for id in used {
            let Some(alias) = self.aliases.remove(&id) else {
                continue;
            };
            let canonical = moved
                .get(&alias.canonical)
                .cloned()
                .unwrap_or(alias.canonical);
            let name = self.names.claim(&[alias.hint]);
            self.types.insert(
                id.clone(),
                TypeDef {
                    id,
                    name,
                    module: alias.module,
                    doc: alias.doc,
                    kind: TypeKind::Alias(TypeRef::Named(canonical)),
                    request: alias.request,
                    features: Default::default(),
                },
            );
        }
        // Union members name the declared type itself (tagging looks at its definition).
        for def in self.types.values_mut() {
            if let TypeKind::Union(u) = &mut def.kind {
                for member in &mut u.members {
                    member.ty.map_named(&mut |id| {
                        if let Some(to) = moved.get(id) {
                            *id = to.clone();
                        }
                    });
                }
            }
        }
        (self.types, self.names)
    }

    /// Where a used alias's name is shorter than its declared type's, moves the declaration
    /// to the alias's site (its id, name, module and doc) and turns the first user's site
    /// into an alias of it. Returns the moves (old id -> new id).
    fn rename_declared(&mut self, used: &BTreeSet<TypeId>) -> BTreeMap<TypeId, TypeId> {
        let mut best: BTreeMap<TypeId, (usize, TypeId)> = BTreeMap::new();
        for id in used {
            let Some(alias) = self.aliases.get(id) else {
                continue;
            };
            if self.context_free.contains(&alias.canonical) {
                continue;
            }
            let candidate = (alias.hint.len(), id.clone());
            best.entry(alias.canonical.clone())
                .and_modify(|b| *b = std::cmp::min(b.clone(), candidate.clone()))
                .or_insert(candidate);
        }
        let mut moved = BTreeMap::new();
        for (canonical, (length, to)) in best {
            let shorter = self
                .types
                .get(&canonical)
                .is_some_and(|def| length < def.name.len());
            if !shorter {
                continue;
            }
            let (Some(mut declared), Some(alias)) =
                (self.types.remove(&canonical), self.aliases.remove(&to))
            else {
                continue;
            };
            let first_user = TypeDef {
                id: canonical.clone(),
                name: declared.name.clone(),
                module: declared.module.clone(),
                doc: declared.doc.clone(),
                kind: TypeKind::Alias(TypeRef::Named(to.clone())),
                request: declared.request,
                features: Default::default(),
            };
            declared.id = to.clone();
            declared.name = self.names.claim(&[alias.hint]);
            declared.module = alias.module;
            declared.doc = alias.doc;
            self.types.insert(canonical.clone(), first_user);
            self.types.insert(to.clone(), declared);
            moved.insert(canonical, to);
        }
        moved
    }
}
