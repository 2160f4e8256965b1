//! The `/v1` API: one function per Stripe operation, routed by method and path.
//!
//! Handlers are synchronous functions over the locked [`Store`]; they validate first and
//! mutate after, so a rejected request leaves no trace (a declined card is not a rejected
//! request: its failed charge is recorded, as Stripe records it).

mod billing;
mod catalog;
mod charges;
mod clocks;
mod customers;
mod events;
mod payment_intents;
mod payment_methods;
mod subscriptions;

use serde_json::Value;

use crate::error::ApiError;
use crate::params::Params;
use crate::store::Store;

pub use clocks::run_unclocked;
pub use payment_intents::authenticate;

/// Serves one `/v1` request: `path` is the part after `/v1/`.
pub fn dispatch(
    store: &mut Store,
    method: &str,
    path: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut object = route(store, method, &segments, params)
        .unwrap_or_else(|| Err(ApiError::unrecognized_url(method, &format!("/v1/{path}"))))?;
    store.expand(&mut object, &params.expand()?);
    Ok(object)
}

/// Finds the operation for a method and path; `None` for an unknown URL.
fn route(
    store: &mut Store,
    method: &str,
    segments: &[&str],
    p: &Params,
) -> Option<Result<Value, ApiError>> {
    let s = store;
    Some(match (method, segments) {
        ("POST", ["customers"]) => customers::create(s, p),
        ("GET", ["customers"]) => customers::list(s, p),
        ("GET", ["customers", id]) => customers::retrieve(s, id, p),
        ("POST", ["customers", id]) => customers::update(s, id, p),
        ("DELETE", ["customers", id]) => customers::delete(s, id, p),
        ("GET", ["customers", id, "payment_methods"]) => payment_methods::list(s, Some(id), p),
        ("POST", ["payment_methods"]) => payment_methods::create(s, p),
        ("GET", ["payment_methods"]) => payment_methods::list(s, None, p),
        ("GET", ["payment_methods", id]) => payment_methods::retrieve(s, id, p),
        ("POST", ["payment_methods", id]) => payment_methods::update(s, id, p),
        ("POST", ["payment_methods", id, "attach"]) => payment_methods::attach(s, id, p),
        ("POST", ["payment_methods", id, "detach"]) => payment_methods::detach(s, id, p),
        ("POST", ["payment_intents"]) => payment_intents::create(s, p),
        ("GET", ["payment_intents"]) => payment_intents::list(s, p),
        ("GET", ["payment_intents", id]) => payment_intents::retrieve(s, id, p),
        ("POST", ["payment_intents", id]) => payment_intents::update(s, id, p),
        ("POST", ["payment_intents", id, "confirm"]) => payment_intents::confirm(s, id, p),
        ("POST", ["payment_intents", id, "capture"]) => payment_intents::capture(s, id, p),
        ("POST", ["payment_intents", id, "cancel"]) => payment_intents::cancel(s, id, p),
        ("GET", ["charges"]) => charges::list(s, p),
        ("GET", ["charges", id]) => charges::retrieve(s, id, p),
        ("POST", ["refunds"]) => charges::create_refund(s, p),
        ("GET", ["refunds"]) => charges::list_refunds(s, p),
        ("GET", ["refunds", id]) => charges::retrieve_refund(s, id, p),
        ("POST", ["refunds", id]) => charges::update_refund(s, id, p),
        ("POST", ["products"]) => catalog::create_product(s, p),
        ("GET", ["products"]) => catalog::list_products(s, p),
        ("GET", ["products", id]) => catalog::retrieve_product(s, id, p),
        ("POST", ["products", id]) => catalog::update_product(s, id, p),
        ("DELETE", ["products", id]) => catalog::delete_product(s, id, p),
        ("POST", ["prices"]) => catalog::create_price(s, p),
        ("GET", ["prices"]) => catalog::list_prices(s, p),
        ("GET", ["prices", id]) => catalog::retrieve_price(s, id, p),
        ("POST", ["prices", id]) => catalog::update_price(s, id, p),
        ("POST", ["subscriptions"]) => subscriptions::create(s, p),
        ("GET", ["subscriptions"]) => subscriptions::list(s, p),
        ("GET", ["subscriptions", id]) => subscriptions::retrieve(s, id, p),
        ("POST", ["subscriptions", id]) => subscriptions::update(s, id, p),
        ("DELETE", ["subscriptions", id]) => subscriptions::cancel(s, id, p),
        ("GET", ["invoices"]) => billing::list(s, p),
        ("GET", ["invoices", id]) => billing::retrieve(s, id, p),
        ("POST", ["invoices", id, "pay"]) => billing::pay_now(s, id, p),
        ("POST", ["test_helpers", "test_clocks"]) => clocks::create(s, p),
        ("GET", ["test_helpers", "test_clocks"]) => clocks::list(s, p),
        ("GET", ["test_helpers", "test_clocks", id]) => clocks::retrieve(s, id, p),
        ("DELETE", ["test_helpers", "test_clocks", id]) => clocks::delete(s, id, p),
        ("POST", ["test_helpers", "test_clocks", id, "advance"]) => clocks::advance(s, id, p),
        ("GET", ["events"]) => events::list(s, p),
        ("GET", ["events", id]) => events::retrieve(s, id, p),
        ("POST", ["webhook_endpoints"]) => events::create_endpoint(s, p),
        ("GET", ["webhook_endpoints"]) => events::list_endpoints(s, p),
        ("GET", ["webhook_endpoints", id]) => events::retrieve_endpoint(s, id, p),
        ("POST", ["webhook_endpoints", id]) => events::update_endpoint(s, id, p),
        ("DELETE", ["webhook_endpoints", id]) => events::delete_endpoint(s, id, p),
        _ => return None,
    })
}
