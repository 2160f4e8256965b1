//! Wire types shared by every generated SDK: typed ids, expandable references and typed `expand[]`
//! paths, list pages and search pages, the bracket-style form encoding of request
//! parameters, and the round-trip check of provider JSON through generated types.

mod expand;
mod expandable;
pub mod form;
mod id;
mod list;
mod required;
mod round_trip;
pub mod string_enum;
mod unsettable;

pub use expand::{Expand, ExpandField, ExpandPath, ExpandRoot, ListItems, NoExpandableFields};
pub use expandable::{Expandable, HasId};
pub use id::Object;
pub use list::{CursorPage, List, Paginated, SearchList, SearchPage};
pub use required::required;
pub use round_trip::round_trip_losses;
pub use string_enum::StringEnum;
pub use unsettable::{Binary, FileUpload, Unsettable};
