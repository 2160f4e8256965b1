//! Wire types shared by every generated SDK: expandable references, list pages and
//! search pages, and the bracket-style form encoding of request parameters.

mod expandable;
pub mod form;
mod list;

pub use expandable::{Expandable, HasId};
pub use list::{List, Paginated, SearchList};
