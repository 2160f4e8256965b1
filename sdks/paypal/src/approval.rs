//! The buyer-approval link of an order or a subscription: where to send the buyer.
//!
//! PayPal returns it among the object's HATEOAS links, as `rel: "approve"` (an order the
//! buyer pays from a PayPal wallet, a subscription) or `rel: "payer-action"` (an order whose
//! payment source asks the buyer to act). Every generated object with `links` implements
//! [`payforge::wire::Links`], and so [`ApproveLink`]; so does the
//! [`payforge::wire::MinimalResponse`] of a `return=minimal` request.

use payforge::wire::{Link, Links};

/// The link relations of the buyer-approval link, in the order they are looked for.
pub const APPROVAL_RELATIONS: [&str; 2] = ["approve", "payer-action"];

/// `approve_link()` on every object with HATEOAS links.
///
/// ```
/// use payforge::wire::{Link, Links, MinimalResponse};
/// use payforge_paypal::ApproveLink;
///
/// let order: MinimalResponse<()> = serde_json::from_str(
///     r#"{"id": "5O190127TN364715T", "status": "PAYER_ACTION_REQUIRED", "links": [
///         {"href": "https://api-m.paypal.com/v2/checkout/orders/5O190127TN364715T", "rel": "self", "method": "GET"},
///         {"href": "https://www.paypal.com/checkoutnow?token=5O190127TN364715T", "rel": "payer-action", "method": "GET"}
///     ]}"#,
/// )?;
/// let approve = order.approve_link().map(|link| link.href.as_str());
/// assert_eq!(approve, Some("https://www.paypal.com/checkoutnow?token=5O190127TN364715T"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait ApproveLink: Links {
    /// The link to send the buyer to, to approve the payment (`rel` `approve`, else
    /// `payer-action`); `None` once approved, or when the object has no such link.
    fn approve_link(&self) -> Option<&Link> {
        self.link_any(&APPROVAL_RELATIONS)
    }
}

impl<T: Links + ?Sized> ApproveLink for T {}
