//! Wire types shared by every generated SDK: typed ids, expandable references and typed `expand[]`
//! paths, list pages and search pages, the paging contract, HATEOAS links, `Prefer` return
//! preferences, the bracket-style form encoding of request
//! parameters, and the round-trip check of provider JSON through generated types.

mod expand;
mod expandable;
pub mod form;
mod id;
mod link;
mod list;
mod paging;
mod prefer;
mod required;
mod round_trip;
pub mod string_enum;
mod unsettable;

pub use expand::{Expand, ExpandField, ExpandPath, ExpandRoot, ListItems, NoExpandableFields};
pub use expandable::{Expandable, HasId};
pub use id::Object;
pub use link::{Link, LinkField, LinkMethod, Links, links_of};
pub use list::{CursorPage, List, SearchList, SearchPage};
pub use paging::{
    ItemsPage, NextPage, PageCount, PageItems, Paginated, next_link, next_page_number, page_count,
    page_items,
};
pub use prefer::{
    Minimal, MinimalResponse, PREFER_HEADER, PreferReturn, RETURN_MINIMAL, RETURN_REPRESENTATION,
    with_preference,
};
pub use required::required;
pub use round_trip::{BodyExample, body_examples, round_trip_losses};
pub use string_enum::StringEnum;
pub use unsettable::{Binary, FileUpload, Unsettable};
