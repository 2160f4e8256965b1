//! How a list operation pages, decided once from its output and parameters: by cursor
//! (Stripe's lists), by search page, by page number or by HATEOAS `next` links (PayPal), as
//! the profile's `[pagination] styles` allow.

use std::collections::BTreeMap;

use super::operations::{Pagination, Param, ParamLocation};
use super::type_space::TypeSpace;
use super::types::{Field, LINK_TYPE, TypeDef, TypeId, TypeKind, TypeRef};
use crate::spec::LoadedSpec;
use crate::spec::profile::PaginationStyle;

/// How an operation with `output` and `params` pages, if it does.
pub(crate) fn pagination_of(
    spec: &LoadedSpec,
    space: &TypeSpace<'_>,
    method: &str,
    output: &TypeRef,
    params: &[Param],
) -> Option<Pagination> {
    let rules = &spec.profile.operations;
    let has_param = |wire: &str| params.iter().any(|p| p.wire_name == wire);
    match output {
        TypeRef::Page(_) if rules.cursor_param.as_deref().is_some_and(has_param) => {
            Some(Pagination::Cursor)
        }
        TypeRef::SearchPage(_) if rules.search_page_param.as_deref().is_some_and(has_param) => {
            Some(Pagination::Search)
        }
        TypeRef::Named(id) if method == "get" => {
            let has_query = |wire: &Option<String>| {
                params.iter().any(|p| {
                    p.location == ParamLocation::Query && Some(&p.wire_name) == wire.as_ref()
                })
            };
            let styles = &spec.profile.pagination;
            let items = space.types.get(id).and_then(|def| {
                page_shape(spec.profile.types.links_field.as_deref(), &space.types, def)
            });
            match items {
                Some(shape)
                    if styles.uses(PaginationStyle::PageNumber) && has_query(&rules.page_param) =>
                {
                    Some(Pagination::Pages).filter(|_| shape.items.is_some())
                }
                Some(shape)
                    if styles.uses(PaginationStyle::NextLink)
                        && has_query(&rules.page_size_param)
                        && shape.links =>
                {
                    Some(Pagination::Links).filter(|_| shape.items.is_some())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// What a response object holds for paging: its one list property other than its links
/// (the items), and whether it carries HATEOAS links.
pub struct PageShape<'a> {
    /// The items property, when the object has exactly one list property besides its
    /// links.
    pub items: Option<&'a Field>,
    /// Whether it has the profile's `types.links_field`, a list of the runtime's links.
    pub links: bool,
}

/// The paging shape of a declared type, `None` when it is no struct.
pub fn page_shape<'a>(
    links_field: Option<&str>,
    types: &BTreeMap<TypeId, TypeDef>,
    def: &'a TypeDef,
) -> Option<PageShape<'a>> {
    let TypeKind::Struct(s) = &def.kind else {
        return None;
    };
    let is_links = |field: &Field| {
        Some(field.wire_name.as_str()) == links_field && is_link_list(types, &field.ty)
    };
    let mut lists = s
        .fields
        .iter()
        .filter(|field| matches!(field.ty, TypeRef::List(_)) && !is_links(field));
    let items = match (lists.next(), lists.next()) {
        (Some(items), None) => Some(items),
        _ => None,
    };
    Some(PageShape {
        items,
        links: s.fields.iter().any(is_links),
    })
}

/// Whether `ty` is a list of the runtime's link type.
pub fn is_link_list(types: &BTreeMap<TypeId, TypeDef>, ty: &TypeRef) -> bool {
    let TypeRef::List(inner) = ty else {
        return false;
    };
    let TypeRef::Named(id) = inner.as_ref() else {
        return false;
    };
    matches!(types.get(id).map(|def| &def.kind), Some(TypeKind::Runtime(path)) if path == LINK_TYPE)
}
