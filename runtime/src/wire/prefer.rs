//! RFC 7240's `Prefer: return=representation | return=minimal`, typed: an operation declared
//! `#[endpoint(..., prefer)]` asks for the full object and returns its `Output`;
//! `op.minimal()` wraps it in [`Minimal`], which asks for the minimal response and returns a
//! [`MinimalResponse`], so the type says whether the full object is there.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::link::{Link, Links};
use crate::endpoint::{BodyEncoding, EncodeError, Endpoint, RequestBody};

/// The request header of a return preference.
pub const PREFER_HEADER: &str = "Prefer";
/// The preference for the complete resource, sent by default.
pub const RETURN_REPRESENTATION: &str = "return=representation";
/// The preference for a minimal response, sent by [`Minimal`].
pub const RETURN_MINIMAL: &str = "return=minimal";

/// An operation that takes a `Prefer: return=…` header. Implemented by
/// `#[endpoint(..., prefer)]`, which sends `return=representation` (so the output is the
/// full object) and adds `minimal()`; write the flag, not the impl.
pub trait PreferReturn: Endpoint + Sized {
    /// The same request asking for a minimal response (`Prefer: return=minimal`).
    fn minimal(self) -> Minimal<Self> {
        Minimal(self)
    }
}

/// An operation sent with `Prefer: return=minimal`: the provider answers with the object's
/// id, status and links only, so the output is a [`MinimalResponse`], never the full type.
///
/// Built by `op.minimal()`; sent like any operation (`client.send(op.minimal())`), with the
/// same idempotency and retries. The request fingerprint (method, path, body) is the same as
/// the full request's, so do not reuse one logical key for both forms.
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct Minimal<E>(pub E);

impl<E: PreferReturn> Endpoint for Minimal<E> {
    type Provider = E::Provider;
    type Output = MinimalResponse<E::Output>;
    const METHOD: http::Method = E::METHOD;
    const PATH_TEMPLATE: &'static str = E::PATH_TEMPLATE;
    const IDEMPOTENT: bool = E::IDEMPOTENT;
    const ENCODING: BodyEncoding = E::ENCODING;
    const SERVER: Option<&'static str> = E::SERVER;

    fn path(&self) -> Cow<'static, str> {
        self.0.path()
    }

    fn encode(&self) -> Result<RequestBody, EncodeError> {
        self.0.encode()
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        with_preference(self.0.headers(), RETURN_MINIMAL)
    }
}

/// `headers` with the `Prefer` header set to `value` (added if absent).
pub fn with_preference(
    mut headers: Vec<(&'static str, String)>,
    value: &str,
) -> Vec<(&'static str, String)> {
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case(PREFER_HEADER));
    headers.push((PREFER_HEADER, value.to_owned()));
    headers
}

/// The answer to a `return=minimal` request: the object's `id`, `status` and `links`, and any
/// other field the provider chose to include, but not the full `T`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinimalResponse<T> {
    /// The object's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The object's status, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The object's HATEOAS links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Every other field the response carried, as received.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
    /// The full type this is a minimal form of.
    #[serde(skip)]
    full: PhantomData<fn() -> T>,
}

impl<T> Links for MinimalResponse<T> {
    fn links(&self) -> &[Link] {
        &self.links
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preference_replaces_any_prefer_header_once() {
        let headers = vec![
            ("PayPal-Client-Metadata-Id", "m".to_owned()),
            (PREFER_HEADER, RETURN_REPRESENTATION.to_owned()),
        ];
        let minimal = with_preference(headers, RETURN_MINIMAL);
        assert_eq!(
            minimal,
            vec![
                ("PayPal-Client-Metadata-Id", "m".to_owned()),
                (PREFER_HEADER, RETURN_MINIMAL.to_owned())
            ]
        );
    }

    #[test]
    fn a_minimal_response_keeps_id_status_links_and_the_rest() -> serde_json::Result<()> {
        let json = r#"{"id":"5O1","status":"CREATED","links":[{"href":"h","rel":"approve","method":"GET"}],"intent":"CAPTURE"}"#;
        let minimal: MinimalResponse<()> = serde_json::from_str(json)?;
        assert_eq!(minimal.id.as_deref(), Some("5O1"));
        assert_eq!(minimal.status.as_deref(), Some("CREATED"));
        assert_eq!(minimal.link("approve").map(|l| l.href.as_str()), Some("h"));
        assert_eq!(
            minimal.other.get("intent"),
            Some(&serde_json::json!("CAPTURE"))
        );
        assert_eq!(serde_json::to_string(&minimal)?, json);
        Ok(())
    }
}
