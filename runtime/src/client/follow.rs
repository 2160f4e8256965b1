//! Following a page's `next` link (`paginate = links`): the link is resolved against the
//! base URL its operation is sent to, and refused unless it stays there (same scheme, host,
//! port and base path), so the credentials never travel to a host the client was not
//! configured for. The request is the operation's own, as a `GET` of the link's path and
//! query, with the operation's headers and its log template.

use std::borrow::Cow;
use std::marker::PhantomData;

use reqwest::Url;
use serde::{Serialize, Serializer};

use crate::endpoint::{BodyEncoding, EncodeError, Endpoint, RequestBody};

/// A `GET` of a link's path and query, answered like `Op`.
pub(super) struct FollowLink<Op> {
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    op: PhantomData<fn() -> Op>,
}

impl<Op: Endpoint> FollowLink<Op> {
    /// The request for `href`, relative to `base`, carrying `op`'s headers; the reason it
    /// is refused otherwise.
    pub(super) fn resolve(base: &str, href: &str, op: &Op) -> Result<Self, String> {
        let (path, query) = resolve_link(base, href)?;
        Ok(Self {
            path,
            query,
            headers: op.headers(),
            op: PhantomData,
        })
    }
}

/// The path (after `base`'s own path) and query of `href` resolved against `base`, or why
/// it is refused.
pub(super) fn resolve_link(base: &str, href: &str) -> Result<(String, String), String> {
    let base_url = Url::parse(base).map_err(|_| "the base URL does not parse".to_owned())?;
    let target = base_url
        .join(href)
        .map_err(|_| "the link is not a URL".to_owned())?;
    let origin = |url: &Url| {
        (
            url.scheme().to_owned(),
            url.host_str().map(str::to_ascii_lowercase),
            url.port_or_known_default(),
        )
    };
    if origin(&target) != origin(&base_url) {
        return Err(format!(
            "it points to {}",
            target.origin().ascii_serialization()
        ));
    }
    if !target.username().is_empty() || target.password().is_some() {
        return Err("it carries credentials of its own".to_owned());
    }
    let prefix = base_url.path().trim_end_matches('/');
    let path = target
        .path()
        .strip_prefix(prefix)
        .filter(|rest| rest.starts_with('/'))
        .ok_or_else(|| format!("its path is outside the base path `{prefix}`"))?;
    Ok((
        path.to_owned(),
        target.query().unwrap_or_default().to_owned(),
    ))
}

impl<Op> Serialize for FollowLink<Op> {
    // The parameters are in the link's query; there is no body.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<Op: Endpoint> Endpoint for FollowLink<Op> {
    type Provider = Op::Provider;
    type Output = Op::Output;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = Op::PATH_TEMPLATE;
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    const SERVER: Option<&'static str> = Op::SERVER;

    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(self.path.clone())
    }

    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Query(self.query.clone()))
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        self.headers.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::resolve_link;

    #[test]
    fn a_link_is_followed_only_inside_the_api_it_came_from() {
        let paypal = "https://api-m.paypal.com";
        let local = "http://127.0.0.1:4010";
        let prefixed = "https://checkout-test.example.com/checkout/v72";
        let next = "/v1/notifications/webhooks-events?page_size=2&start_time=x";
        let followed = [
            (
                paypal,
                "https://api-m.paypal.com/v1/notifications/webhooks-events?page_size=2&start_time=x",
            ),
            (
                paypal,
                "HTTPS://API-M.PAYPAL.COM:443/v1/notifications/webhooks-events?page_size=2&start_time=x",
            ),
            (paypal, next),
            (
                local,
                "http://127.0.0.1:4010/v1/notifications/webhooks-events?page_size=2&start_time=x",
            ),
        ];
        for (base, href) in followed {
            assert_eq!(
                resolve_link(base, href),
                Ok((
                    "/v1/notifications/webhooks-events".to_owned(),
                    "page_size=2&start_time=x".to_owned()
                )),
                "{base} {href}"
            );
        }
        assert_eq!(
            resolve_link(
                prefixed,
                "https://checkout-test.example.com/checkout/v72/payments?page=2"
            ),
            Ok(("/payments".to_owned(), "page=2".to_owned()))
        );
        let refused = [
            (paypal, "https://api-m.paypal.com.evil.test/v1/x"),
            (paypal, "http://api-m.paypal.com/v1/x"),
            (paypal, "https://api-m.paypal.com:8443/v1/x"),
            (paypal, "https://user@evil.test/v1/x"),
            (paypal, "//evil.test/v1/x"),
            (paypal, "https://someone@api-m.paypal.com/v1/x"),
            (local, "http://127.0.0.1:4011/v1/x"),
            (prefixed, "https://checkout-test.example.com/other/payments"),
            (
                prefixed,
                "https://checkout-test.example.com/checkout/v72x/payments",
            ),
        ];
        for (base, href) in refused {
            assert!(resolve_link(base, href).is_err(), "{base} {href}");
        }
    }
}
