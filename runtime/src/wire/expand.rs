//! Typed `expand[]` parameters: which fields of a response to send as whole objects
//! instead of ids.
//!
//! A generated SDK declares, for each response type with expandable fields, an enum of
//! them (`PaymentIntentExpand::Customer`) implementing [`ExpandField`], and types each
//! operation's `expand` parameter as [`Expand`] of the enum of what it returns:
//! `Expand<PaymentIntentExpand>` for an operation returning a payment intent,
//! `Expand<ListItems<ChargeExpand>>` for one listing charges (each path is sent with the
//! `data.` prefix that reaches the page's items). A nested path is built by the enum's
//! associated function of the field it goes through, checked against the type it reaches:
//! `PaymentIntentExpand::latest_charge(ChargeExpand::BalanceTransaction)` is
//! `latest_charge.balance_transaction`. [`ExpandPath::raw`] and [`Expand::raw`] are the
//! explicit escape hatches for a path the SDK does not know.

use std::fmt;
use std::marker::PhantomData;

use serde::{Serialize, Serializer};

/// The expandable fields of one response type: a generated enum.
pub trait ExpandField: Copy {
    /// The field's name on the wire.
    fn wire_name(self) -> &'static str;
}

/// The fields of a response that has none to expand; an operation returning it can still
/// send a raw path ([`Expand::raw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoExpandableFields {}

impl ExpandField for NoExpandableFields {
    fn wire_name(self) -> &'static str {
        match self {}
    }
}

/// A dotted path of fields to expand, starting at the type whose expandable fields are
/// `F`: one field (`From<F>`), a field and a path inside what it expands to
/// ([`ExpandPath::nested`], called by the generated functions), or a raw path.
pub struct ExpandPath<F> {
    path: String,
    root: PhantomData<fn() -> F>,
}

impl<F> ExpandPath<F> {
    /// A path the SDK does not type (a field newer than the SDK), as Stripe spells it:
    /// `ExpandPath::raw("latest_charge.balance_transaction")`. In a list operation the
    /// `data.` prefix is still added.
    pub fn raw(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            root: PhantomData,
        }
    }

    /// `field`, then `next` inside it: `latest_charge.balance_transaction`.
    pub fn nested<G>(field: &'static str, next: ExpandPath<G>) -> Self {
        Self::raw(format!("{field}.{}", next.path))
    }

    /// The dotted path.
    pub fn as_str(&self) -> &str {
        &self.path
    }
}

impl<F: ExpandField> From<F> for ExpandPath<F> {
    fn from(field: F) -> Self {
        Self::raw(field.wire_name())
    }
}

// Written out rather than derived, so `F` (an enum, or the uninhabited
// `NoExpandableFields`) needs none of these traits.
impl<F> Clone for ExpandPath<F> {
    fn clone(&self) -> Self {
        Self::raw(self.path.clone())
    }
}

impl<F> fmt::Debug for ExpandPath<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExpandPath").field(&self.path).finish()
    }
}

impl<F> fmt::Display for ExpandPath<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

impl<F> PartialEq for ExpandPath<F> {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl<F> Eq for ExpandPath<F> {}

/// Where an operation's expand paths start, and so how they are written on the wire.
pub trait ExpandRoot {
    /// The expandable fields there.
    type Field;
    /// What goes before each path (`data.` for the items of a list page).
    const PREFIX: &'static str;
}

impl<F: ExpandField> ExpandRoot for F {
    type Field = F;
    const PREFIX: &'static str = "";
}

/// The items of a list or search page whose expandable fields are `F`: the paths of a
/// list operation's `expand` start there, with the `data.` prefix.
pub struct ListItems<F>(PhantomData<fn() -> F>);

impl<F: ExpandField> ExpandRoot for ListItems<F> {
    type Field = F;
    const PREFIX: &'static str = "data.";
}

/// An operation's `expand[]` parameter: the paths to expand, in the order given, encoded
/// as `expand[]=customer&expand[]=latest_charge.balance_transaction`.
///
/// Built from an array, a `Vec` or an iterator of fields or paths
/// (`[PaymentIntentExpand::Customer]`), or step by step with [`Expand::path`] and
/// [`Expand::raw`].
pub struct Expand<R> {
    paths: Vec<String>,
    root: PhantomData<fn() -> R>,
}

impl<R> Expand<R> {
    /// No paths.
    pub fn new() -> Self {
        Self {
            paths: Vec::new(),
            root: PhantomData,
        }
    }

    /// Adds a path exactly as it goes on the wire, prefix included
    /// (`data.customer`): the escape hatch for what the SDK does not type.
    pub fn raw(mut self, path: impl Into<String>) -> Self {
        self.paths.push(path.into());
        self
    }

    /// The paths as they go on the wire.
    pub fn as_wire_paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }

    /// Whether no path was given.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

impl<R: ExpandRoot> Expand<R> {
    /// Adds a field or a path, with the root's prefix.
    pub fn path(mut self, path: impl Into<ExpandPath<R::Field>>) -> Self {
        self.push(path.into());
        self
    }

    fn push(&mut self, path: ExpandPath<R::Field>) {
        self.paths.push(format!("{}{}", R::PREFIX, path.path));
    }
}

impl<R> Default for Expand<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R> Clone for Expand<R> {
    fn clone(&self) -> Self {
        Self {
            paths: self.paths.clone(),
            root: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Expand<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.paths).finish()
    }
}

impl<R> PartialEq for Expand<R> {
    fn eq(&self, other: &Self) -> bool {
        self.paths == other.paths
    }
}

impl<R> Eq for Expand<R> {}

impl<R: ExpandRoot, P: Into<ExpandPath<R::Field>>> Extend<P> for Expand<R> {
    fn extend<I: IntoIterator<Item = P>>(&mut self, paths: I) {
        for path in paths {
            self.push(path.into());
        }
    }
}

impl<R: ExpandRoot, P: Into<ExpandPath<R::Field>>> FromIterator<P> for Expand<R> {
    fn from_iter<I: IntoIterator<Item = P>>(paths: I) -> Self {
        let mut expand = Self::new();
        expand.extend(paths);
        expand
    }
}

impl<R: ExpandRoot, P: Into<ExpandPath<R::Field>>, const N: usize> From<[P; N]> for Expand<R> {
    fn from(paths: [P; N]) -> Self {
        paths.into_iter().collect()
    }
}

impl<R: ExpandRoot, P: Into<ExpandPath<R::Field>>> From<Vec<P>> for Expand<R> {
    fn from(paths: Vec<P>) -> Self {
        paths.into_iter().collect()
    }
}

/// A sequence of path strings: the form encoder writes `expand[]=…` for each.
impl<R> Serialize for Expand<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::to_string;

    /// The expandable fields of a charge, as an SDK generates them.
    #[derive(Clone, Copy)]
    enum ChargeExpand {
        BalanceTransaction,
        Customer,
    }

    impl ExpandField for ChargeExpand {
        fn wire_name(self) -> &'static str {
            match self {
                Self::BalanceTransaction => "balance_transaction",
                Self::Customer => "customer",
            }
        }
    }

    #[derive(Clone, Copy)]
    enum PaymentIntentExpand {
        Customer,
    }

    impl ExpandField for PaymentIntentExpand {
        fn wire_name(self) -> &'static str {
            match self {
                Self::Customer => "customer",
            }
        }
    }

    impl PaymentIntentExpand {
        fn latest_charge(next: impl Into<ExpandPath<ChargeExpand>>) -> ExpandPath<Self> {
            ExpandPath::nested("latest_charge", next.into())
        }
    }

    #[derive(Serialize)]
    #[serde(bound = "")]
    struct Params<R> {
        amount: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        expand: Option<Expand<R>>,
    }

    fn encode<R>(expand: Expand<R>) -> Result<String, crate::endpoint::EncodeError> {
        to_string(&Params {
            amount: 5,
            expand: Some(expand),
        })
    }

    #[test]
    fn fields_and_nested_paths_encode_as_stripe_expand_brackets()
    -> Result<(), crate::endpoint::EncodeError> {
        let expand: Expand<PaymentIntentExpand> = [
            PaymentIntentExpand::Customer.into(),
            PaymentIntentExpand::latest_charge(ChargeExpand::BalanceTransaction),
        ]
        .into();
        assert_eq!(
            encode(expand)?,
            "amount=5&expand[]=customer&expand[]=latest_charge.balance_transaction"
        );
        Ok(())
    }

    #[test]
    fn list_paths_start_at_the_items() -> Result<(), crate::endpoint::EncodeError> {
        let expand: Expand<ListItems<ChargeExpand>> =
            [ChargeExpand::Customer, ChargeExpand::BalanceTransaction].into();
        assert_eq!(
            encode(expand)?,
            "amount=5&expand[]=data.customer&expand[]=data.balance_transaction"
        );
        Ok(())
    }

    #[test]
    fn raw_paths_are_explicit_and_only_expand_raw_skips_the_prefix()
    -> Result<(), crate::endpoint::EncodeError> {
        let expand = Expand::<ListItems<ChargeExpand>>::new()
            .path(ExpandPath::raw("refunds"))
            .raw("data.invoice.subscription");
        assert_eq!(
            encode(expand)?,
            "amount=5&expand[]=data.refunds&expand[]=data.invoice.subscription"
        );
        let none = Expand::<NoExpandableFields>::new().raw("anything");
        assert_eq!(encode(none)?, "amount=5&expand[]=anything");
        Ok(())
    }

    #[test]
    fn an_empty_expand_sends_no_pairs() -> Result<(), crate::endpoint::EncodeError> {
        assert_eq!(encode(Expand::<ChargeExpand>::new())?, "amount=5");
        Ok(())
    }
}
