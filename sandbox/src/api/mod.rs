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
mod search;
mod subscriptions;

use serde_json::Value;

use crate::error::ApiError;
use crate::params::Params;
use crate::spec_tables;
use crate::store::Store;

pub use clocks::run_unclocked;
pub use payment_intents::authenticate;

/// One `/v1` operation the sandbox serves.
#[derive(Clone, Copy)]
struct Route {
    method: &'static str,
    /// Stripe's path template, such as `/v1/payment_intents/{intent}/confirm`.
    path: &'static str,
    /// Called with the values of the path's `{…}` segments, in order.
    handler: fn(&mut Store, &[&str], &Params) -> Result<Value, ApiError>,
}

/// Every `/v1` operation, in Stripe's own path templates (as in the pinned spec and the
/// generated SDK's `Endpoint::PATH_TEMPLATE`). A request is served by the first route whose
/// method matches and whose template matches its path segment for segment, a `{…}`
/// segment matching any one segment.
const ROUTES: &[Route] = &[
    route("POST", "/v1/customers", |s, _, p| customers::create(s, p)),
    route("GET", "/v1/customers", |s, _, p| customers::list(s, p)),
    // Before `/v1/customers/{customer}`, which would otherwise take `search` for an id.
    route("GET", "/v1/customers/search", |s, _, p| {
        customers::search(s, p)
    }),
    route("GET", "/v1/customers/{customer}", |s, a, p| {
        customers::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/customers/{customer}", |s, a, p| {
        customers::update(s, a[0], p)
    }),
    route("DELETE", "/v1/customers/{customer}", |s, a, p| {
        customers::delete(s, a[0], p)
    }),
    route(
        "GET",
        "/v1/customers/{customer}/payment_methods",
        |s, a, p| payment_methods::list(s, Some(a[0]), p),
    ),
    route("POST", "/v1/payment_methods", |s, _, p| {
        payment_methods::create(s, p)
    }),
    route("GET", "/v1/payment_methods", |s, _, p| {
        payment_methods::list(s, None, p)
    }),
    route("GET", "/v1/payment_methods/{payment_method}", |s, a, p| {
        payment_methods::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/payment_methods/{payment_method}", |s, a, p| {
        payment_methods::update(s, a[0], p)
    }),
    route(
        "POST",
        "/v1/payment_methods/{payment_method}/attach",
        |s, a, p| payment_methods::attach(s, a[0], p),
    ),
    route(
        "POST",
        "/v1/payment_methods/{payment_method}/detach",
        |s, a, p| payment_methods::detach(s, a[0], p),
    ),
    route("POST", "/v1/payment_intents", |s, _, p| {
        payment_intents::create(s, p)
    }),
    route("GET", "/v1/payment_intents", |s, _, p| {
        payment_intents::list(s, p)
    }),
    route("GET", "/v1/payment_intents/{intent}", |s, a, p| {
        payment_intents::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/payment_intents/{intent}", |s, a, p| {
        payment_intents::update(s, a[0], p)
    }),
    route("POST", "/v1/payment_intents/{intent}/confirm", |s, a, p| {
        payment_intents::confirm(s, a[0], p)
    }),
    route("POST", "/v1/payment_intents/{intent}/capture", |s, a, p| {
        payment_intents::capture(s, a[0], p)
    }),
    route("POST", "/v1/payment_intents/{intent}/cancel", |s, a, p| {
        payment_intents::cancel(s, a[0], p)
    }),
    route("GET", "/v1/charges", |s, _, p| charges::list(s, p)),
    route("GET", "/v1/charges/{charge}", |s, a, p| {
        charges::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/refunds", |s, _, p| {
        charges::create_refund(s, p)
    }),
    route("GET", "/v1/refunds", |s, _, p| charges::list_refunds(s, p)),
    route("GET", "/v1/refunds/{refund}", |s, a, p| {
        charges::retrieve_refund(s, a[0], p)
    }),
    route("POST", "/v1/refunds/{refund}", |s, a, p| {
        charges::update_refund(s, a[0], p)
    }),
    route("POST", "/v1/products", |s, _, p| {
        catalog::create_product(s, p)
    }),
    route("GET", "/v1/products", |s, _, p| {
        catalog::list_products(s, p)
    }),
    route("GET", "/v1/products/{id}", |s, a, p| {
        catalog::retrieve_product(s, a[0], p)
    }),
    route("POST", "/v1/products/{id}", |s, a, p| {
        catalog::update_product(s, a[0], p)
    }),
    route("DELETE", "/v1/products/{id}", |s, a, p| {
        catalog::delete_product(s, a[0], p)
    }),
    route("POST", "/v1/prices", |s, _, p| catalog::create_price(s, p)),
    route("GET", "/v1/prices", |s, _, p| catalog::list_prices(s, p)),
    route("GET", "/v1/prices/{price}", |s, a, p| {
        catalog::retrieve_price(s, a[0], p)
    }),
    route("POST", "/v1/prices/{price}", |s, a, p| {
        catalog::update_price(s, a[0], p)
    }),
    route("POST", "/v1/subscriptions", |s, _, p| {
        subscriptions::create(s, p)
    }),
    route("GET", "/v1/subscriptions", |s, _, p| {
        subscriptions::list(s, p)
    }),
    route(
        "GET",
        "/v1/subscriptions/{subscription_exposed_id}",
        |s, a, p| subscriptions::retrieve(s, a[0], p),
    ),
    route(
        "POST",
        "/v1/subscriptions/{subscription_exposed_id}",
        |s, a, p| subscriptions::update(s, a[0], p),
    ),
    route(
        "DELETE",
        "/v1/subscriptions/{subscription_exposed_id}",
        |s, a, p| subscriptions::cancel(s, a[0], p),
    ),
    route("GET", "/v1/invoices", |s, _, p| billing::list(s, p)),
    route("GET", "/v1/invoices/{invoice}", |s, a, p| {
        billing::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/invoices/{invoice}/pay", |s, a, p| {
        billing::pay_now(s, a[0], p)
    }),
    route("POST", "/v1/test_helpers/test_clocks", |s, _, p| {
        clocks::create(s, p)
    }),
    route("GET", "/v1/test_helpers/test_clocks", |s, _, p| {
        clocks::list(s, p)
    }),
    route(
        "GET",
        "/v1/test_helpers/test_clocks/{test_clock}",
        |s, a, p| clocks::retrieve(s, a[0], p),
    ),
    route(
        "DELETE",
        "/v1/test_helpers/test_clocks/{test_clock}",
        |s, a, p| clocks::delete(s, a[0], p),
    ),
    route(
        "POST",
        "/v1/test_helpers/test_clocks/{test_clock}/advance",
        |s, a, p| clocks::advance(s, a[0], p),
    ),
    route("GET", "/v1/events", |s, _, p| events::list(s, p)),
    route("GET", "/v1/events/{id}", |s, a, p| {
        events::retrieve(s, a[0], p)
    }),
    route("POST", "/v1/webhook_endpoints", |s, _, p| {
        events::create_endpoint(s, p)
    }),
    route("GET", "/v1/webhook_endpoints", |s, _, p| {
        events::list_endpoints(s, p)
    }),
    route(
        "GET",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        |s, a, p| events::retrieve_endpoint(s, a[0], p),
    ),
    route(
        "POST",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        |s, a, p| events::update_endpoint(s, a[0], p),
    ),
    route(
        "DELETE",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        |s, a, p| events::delete_endpoint(s, a[0], p),
    ),
];

const fn route(
    method: &'static str,
    path: &'static str,
    handler: fn(&mut Store, &[&str], &Params) -> Result<Value, ApiError>,
) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

/// Every `/v1` operation the sandbox serves, as `(method, path template)` in Stripe's own
/// templates (`("POST", "/v1/payment_intents/{intent}/confirm")`), in routing order. The
/// same list is served as JSON by `GET /_sandbox/routes`.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    ROUTES.iter().map(|route| (route.method, route.path))
}

/// Serves one `/v1` request: `path` is the part after `/v1/`.
pub fn dispatch(
    store: &mut Store,
    method: &str,
    path: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    let segments: Vec<&str> = path.split('/').collect();
    let Some((route, arguments)) = find_route(method, &segments) else {
        return Err(ApiError::unrecognized_url(method, &format!("/v1/{path}")));
    };
    // What the spec itself says about the request is checked before the operation runs,
    // so a refused request changes nothing.
    spec_tables::check_lengths(route.method, route.path, params.fields())?;
    let expand = params.expand()?;
    spec_tables::check_expand(route.method, route.path, &expand)?;
    let mut object = (route.handler)(store, &arguments, params)?;
    store.expand(&mut object, &expand);
    Ok(object)
}

/// The route serving a method and the path segments after `/v1/`, with the values of its
/// `{…}` segments; `None` for an unknown URL.
fn find_route<'a>(method: &str, segments: &[&'a str]) -> Option<(&'static Route, Vec<&'a str>)> {
    ROUTES
        .iter()
        .filter(|route| route.method == method)
        .find_map(|route| {
            let template = route.path.strip_prefix("/v1/")?;
            let mut arguments = Vec::new();
            let mut parts = template.split('/');
            for segment in segments {
                let part = parts.next()?;
                // An empty segment (`/v1/customers/`) is no id: Stripe answers such a
                // URL as unrecognized, not as a missing object named ''.
                if part.starts_with('{') && !segment.is_empty() {
                    arguments.push(*segment);
                } else if part != *segment {
                    return None;
                }
            }
            parts.next().is_none().then_some((route, arguments))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request (method, path after `/v1/`) and the route template and arguments it finds.
    type Case = (
        &'static str,
        &'static str,
        Option<(&'static str, &'static [&'static str])>,
    );

    #[test]
    fn paths_find_their_route_and_its_arguments() {
        let cases: &[Case] = &[
            ("POST", "customers", Some(("/v1/customers", &[]))),
            (
                "GET",
                "customers/cus_1",
                Some(("/v1/customers/{customer}", &["cus_1"])),
            ),
            (
                "GET",
                "customers/cus_1/payment_methods",
                Some(("/v1/customers/{customer}/payment_methods", &["cus_1"])),
            ),
            (
                "POST",
                "test_helpers/test_clocks/clock_1/advance",
                Some((
                    "/v1/test_helpers/test_clocks/{test_clock}/advance",
                    &["clock_1"],
                )),
            ),
            (
                "GET",
                "customers/search",
                Some(("/v1/customers/search", &[])),
            ),
            ("PUT", "customers", None),
            ("GET", "customers/cus_1/sources", None),
            ("GET", "test_helpers/test_clocks/clock_1/advance", None),
            ("GET", "nothing", None),
            ("GET", "customers/", None),
            ("POST", "payment_intents//confirm", None),
        ];
        for (method, path, expected) in cases {
            let segments: Vec<&str> = path.split('/').collect();
            let found = find_route(method, &segments).map(|(route, args)| (route.path, args));
            assert_eq!(
                found,
                expected.map(|(template, args)| (template, args.to_vec())),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn every_route_is_unique_and_in_stripe_form() {
        let mut seen = std::collections::BTreeSet::new();
        for (method, path) in routes() {
            assert!(path.starts_with("/v1/"), "{path}");
            assert!(seen.insert((method, path)), "{method} {path} twice");
        }
    }
}
