//! Pages of results: [`List`] (cursor pagination) and [`SearchList`] (search pagination).

use serde::{Deserialize, Serialize};

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

/// A list or search operation that can be asked for the page after a given one.
///
/// Implemented by `#[endpoint(..., paginate = cursor)]` (the page after the last item's id,
/// sent as `starting_after`) and `#[endpoint(..., paginate = search)]` (the `next_page`
/// cursor, sent as `page`). The client's auto-paging stream drives it.
pub trait Paginated: crate::Endpoint + Clone {
    /// The item type of a page.
    type Item;
    /// Splits a page into its items and the cursor of the next page (`None` at the end).
    fn into_page(output: Self::Output) -> (Vec<Self::Item>, Option<String>);
    /// Points the request at the page after `cursor`.
    fn set_cursor(&mut self, cursor: String);
}
