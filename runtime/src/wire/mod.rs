//! Wire types shared by every generated SDK: expandable references, list pages and
//! search pages, and the bracket-style form encoding of request parameters.

mod expandable;
pub mod form;
mod list;
pub mod string_enum;
mod unsettable;

pub use expandable::{Expandable, HasId};
pub use list::{CursorPage, List, Paginated, SearchList, SearchPage};
pub use string_enum::StringEnum;
pub use unsettable::{Binary, FileUpload, Unsettable};
