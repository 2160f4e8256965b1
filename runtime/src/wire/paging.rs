//! The auto-paging contract: [`Paginated`], implemented by `#[endpoint(..., paginate = …)]`
//! and driven by `Client::paginate`, and the pieces its four styles read a page with.
//!
//! | `paginate =` | output | the next page |
//! |---|---|---|
//! | `cursor` | [`List<T>`](super::List) | the request with `starting_after` = the last item's id |
//! | `search` | [`SearchList<T>`](super::SearchList) | the request with `page` = `next_page` |
//! | `pages` | an [`ItemsPage`] | the request with `page` + 1, while `page` < `total_pages` |
//! | `links` | an [`ItemsPage`] | the page's `next` link, requested as given (same host only) |

use super::link::Links;

/// Where the page after one page is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextPage<Op> {
    /// The same operation, its cursor or page number moved on.
    Request(Op),
    /// The URL the provider gave for the next page (a HATEOAS `next` link). The client
    /// requests it with `GET` under the same credentials, and only on the host the
    /// operation itself is sent to: a link elsewhere is refused, never followed.
    Link(String),
}

/// A list operation that can be asked for the page after a given one.
///
/// Implemented by `#[endpoint(..., paginate = cursor | search | pages | links)]`; write the
/// attribute, not the impl. The client's auto-paging stream drives it.
pub trait Paginated: crate::Endpoint + Clone {
    /// The item type of a page.
    type Item;
    /// Splits a page fetched by this request into its items and where the next page is
    /// (`None` at the end).
    fn split_page(&self, output: Self::Output) -> (Vec<Self::Item>, Option<NextPage<Self>>);
}

/// The output of a `paginate = pages` or `paginate = links` operation: an object holding
/// its items in a field of its own (`plans`, `events`), with the page count and links it
/// may carry. A generated SDK implements it on each such output (the profile's
/// `[pagination]` styles `page_number` and `next_link`).
#[diagnostic::on_unimplemented(
    message = "`paginate = pages | links` needs an output that implements `::payforge::wire::ItemsPage`, not `{Self}`",
    label = "not a page of items"
)]
pub trait ItemsPage {
    /// The item type.
    type Item;
    /// The items of this page.
    fn into_items(self) -> Vec<Self::Item>;
    /// The number of pages, when the response says (`total_pages`).
    fn total_pages(&self) -> Option<u64> {
        None
    }
    /// The href of the page's `next` link, when it has one.
    fn next_link(&self) -> Option<&str> {
        None
    }
}

/// An items field: `Vec<T>`, or `Option<Vec<T>>` (absent is no items).
pub trait PageItems {
    /// The item type.
    type Item;
    /// The items.
    fn into_page_items(self) -> Vec<Self::Item>;
}

impl<T> PageItems for Vec<T> {
    type Item = T;
    fn into_page_items(self) -> Vec<T> {
        self
    }
}

impl<T> PageItems for Option<Vec<T>> {
    type Item = T;
    fn into_page_items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}

/// The items an items field holds, whichever way it is declared.
pub fn page_items<F: PageItems>(field: F) -> Vec<F::Item> {
    field.into_page_items()
}

/// A count field (`total_pages`, `page_size`): an integer, or an `Option` of one.
pub trait PageCount {
    /// The count, when present and not negative.
    fn page_count(&self) -> Option<u64>;
}

macro_rules! page_count_of_integers {
    ($($ty:ty),*) => {$(
        impl PageCount for $ty {
            fn page_count(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}
page_count_of_integers!(i32, i64, u32, u64, usize);

impl<N: PageCount> PageCount for Option<N> {
    fn page_count(&self) -> Option<u64> {
        self.as_ref().and_then(PageCount::page_count)
    }
}

/// The count a count field holds, whichever way it is declared.
pub fn page_count<N: PageCount + ?Sized>(field: &N) -> Option<u64> {
    field.page_count()
}

/// The href of `object`'s `next` link (the IANA relation every HATEOAS API pages with).
pub fn next_link<T: Links + ?Sized>(object: &T) -> Option<&str> {
    object.link("next").map(|link| link.href.as_str())
}

/// The page number after page `page` (page 1 when unset), or `None` when this page is
/// the last: it had no items, or the response's `total_pages` says so, or (without a total)
/// it held fewer items than the `page_size` asked for.
pub fn next_page_number<N>(
    page: Option<N>,
    page_size: Option<u64>,
    total_pages: Option<u64>,
    items: usize,
) -> Option<N>
where
    N: Copy + TryInto<u64> + TryFrom<u64>,
{
    let current = match page {
        Some(page) => page.try_into().ok()?,
        None => 1,
    };
    let more = match (total_pages, page_size) {
        _ if items == 0 => false,
        (Some(total), _) => current < total,
        (None, Some(size)) => u64::try_from(items).is_ok_and(|items| items >= size),
        (None, None) => true,
    };
    if !more {
        return None;
    }
    N::try_from(current.checked_add(1)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_number_follows_the_total_then_the_page_size() {
        // (page, page_size, total_pages, items on this page) -> next page
        type Case = (Option<i64>, Option<u64>, Option<u64>, usize, Option<i64>);
        let cases: [Case; 9] = [
            (None, None, Some(3), 10, Some(2)),
            (Some(2), None, Some(3), 10, Some(3)),
            (Some(3), None, Some(3), 10, None),
            (Some(4), None, Some(3), 10, None),
            (Some(1), Some(10), None, 10, Some(2)),
            (Some(1), Some(10), None, 4, None),
            (Some(1), None, None, 4, Some(2)),
            (Some(1), None, Some(3), 0, None),
            (Some(-1), None, Some(3), 10, None),
        ];
        for (page, size, total, items, expected) in cases {
            assert_eq!(
                next_page_number(page, size, total, items),
                expected,
                "page {page:?}, size {size:?}, total {total:?}, {items} items"
            );
        }
    }

    #[test]
    fn count_and_item_fields_read_either_way_they_are_declared() {
        assert_eq!(page_count(&Some(3_i64)), Some(3));
        assert_eq!(page_count(&None::<i64>), None);
        assert_eq!(page_count(&-2_i64), None);
        assert_eq!(page_items(Some(vec![1, 2])), vec![1, 2]);
        assert_eq!(page_items(None::<Vec<u8>>), Vec::<u8>::new());
    }
}
