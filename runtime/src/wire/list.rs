//! Pages of results: [`List`] (cursor pagination) and [`SearchList`] (search pagination).

use serde::{Deserialize, Serialize};

use super::HasId;

/// One page of a list endpoint (`GET /v1/customers`): Stripe's `object: "list"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct List<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Whether another page follows this one.
    pub has_more: bool,
    /// Always `"list"`.
    #[serde(default = "list_object")]
    pub object: String,
    /// The URL this list is at.
    #[serde(default)]
    pub url: String,
    /// The total count, when the request asked for it (`include[]=total_count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

fn list_object() -> String {
    "list".to_owned()
}

/// One page of a search endpoint (`GET /v1/customers/search`): `object: "search_result"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchList<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Whether another page follows this one.
    pub has_more: bool,
    /// The cursor of the next page, to pass as `page`.
    #[serde(default)]
    pub next_page: Option<String>,
    /// Always `"search_result"`.
    #[serde(default = "search_object")]
    pub object: String,
    /// The URL this list is at.
    #[serde(default)]
    pub url: String,
    /// The total count, when the request asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

fn search_object() -> String {
    "search_result".to_owned()
}

/// The output of a `paginate = cursor` operation: a [`List`] whose next page starts after
/// its last item. The macro names it so that a wrong `output` is reported at `output`.
#[diagnostic::on_unimplemented(
    message = "`paginate = cursor` needs `output = ::payforge::wire::List<T>` with `T: HasId`, not `{Self}`",
    label = "not a `List` of items with an id"
)]
pub trait CursorPage {
    /// The item type.
    type Item;
    /// The items, and the id of the last one when another page follows.
    fn into_page(self) -> (Vec<Self::Item>, Option<String>);
}

impl<T: HasId> CursorPage for List<T> {
    type Item = T;

    fn into_page(self) -> (Vec<T>, Option<String>) {
        let next = if self.has_more {
            self.data.last().map(|last| last.id().to_owned())
        } else {
            None
        };
        (self.data, next)
    }
}

/// The output of a `paginate = search` operation: a [`SearchList`] whose next page is
/// named by `next_page`.
#[diagnostic::on_unimplemented(
    message = "`paginate = search` needs `output = ::payforge::wire::SearchList<T>`, not `{Self}`",
    label = "not a `SearchList`"
)]
pub trait SearchPage {
    /// The item type.
    type Item;
    /// The items, and the `next_page` cursor when another page follows.
    fn into_page(self) -> (Vec<Self::Item>, Option<String>);
}

impl<T> SearchPage for SearchList<T> {
    type Item = T;

    fn into_page(self) -> (Vec<T>, Option<String>) {
        let next = if self.has_more { self.next_page } else { None };
        (self.data, next)
    }
}
