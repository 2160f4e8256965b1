//! HATEOAS links (`{href, rel, method}`): [`Link`], its [`LinkMethod`], and the [`Links`]
//! trait of every object that carries a list of them.
//!
//! A provider whose responses link to the calls that follow (PayPal's `links`) maps its
//! link schema to [`Link`] in its profile (`[types.runtime_types]`), and every generated
//! object with a `links` property implements [`Links`], so `order.link("approve")` reads
//! the same on every such object.

use serde::{Deserialize, Serialize};

use super::StringEnum;

/// One HATEOAS link of a response: where the related call goes (`href`), what it means
/// (`rel`, such as `self`, `next`, `approve`) and the HTTP method it takes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// The complete target URL.
    pub href: String,
    /// The link relation type, which names what the link is for (`self`, `next`,
    /// `approve`, `payer-action`, `capture`).
    pub rel: String,
    /// The HTTP method of the related call; absent means `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<LinkMethod>,
}

impl Link {
    /// The HTTP method of the related call: the link's own, `GET` when it names none.
    pub fn method(&self) -> LinkMethod {
        self.method.clone().unwrap_or(LinkMethod::Get)
    }
}

/// The HTTP method a [`Link`] names, with a fallback for one this version does not know.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LinkMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
    /// `CONNECT`
    Connect,
    /// A method this SDK version does not know, kept as received.
    Unknown(String),
}

/// Each known method and its wire string.
const METHODS: [(LinkMethod, &str); 8] = [
    (LinkMethod::Get, "GET"),
    (LinkMethod::Post, "POST"),
    (LinkMethod::Put, "PUT"),
    (LinkMethod::Patch, "PATCH"),
    (LinkMethod::Delete, "DELETE"),
    (LinkMethod::Head, "HEAD"),
    (LinkMethod::Options, "OPTIONS"),
    (LinkMethod::Connect, "CONNECT"),
];

impl StringEnum for LinkMethod {
    fn as_wire_str(&self) -> &str {
        match self {
            Self::Unknown(wire) => wire,
            known => METHODS
                .iter()
                .find(|(method, _)| method == known)
                .map_or("", |(_, wire)| wire),
        }
    }

    fn known(wire: &str) -> Option<Self> {
        METHODS
            .iter()
            .find(|(_, known)| *known == wire)
            .map(|(method, _)| method.clone())
    }

    fn unknown(wire: String) -> Self {
        Self::Unknown(wire)
    }
}

impl LinkMethod {
    /// The method's wire string (`GET`).
    pub fn as_str(&self) -> &str {
        self.as_wire_str()
    }
}

impl std::fmt::Display for LinkMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_wire_str())
    }
}

impl Serialize for LinkMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_wire_str())
    }
}

impl<'de> Deserialize<'de> for LinkMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::string_enum::deserialize(deserializer)
    }
}

/// An object carrying HATEOAS links (a `links` list of [`Link`]).
///
/// Implemented by every generated type with such a field; `link(rel)` finds one by its
/// relation.
pub trait Links {
    /// Every link of the object, in the order received (empty when it has none).
    fn links(&self) -> &[Link];

    /// The first link whose `rel` is `rel` (compared exactly, as relations are lower case
    /// on the wire).
    fn link(&self, rel: &str) -> Option<&Link> {
        self.links().iter().find(|link| link.rel == rel)
    }

    /// The first link whose `rel` is one of `rels`, in the order of `rels`: the first
    /// relation that is present wins (`["approve", "payer-action"]`).
    fn link_any(&self, rels: &[&str]) -> Option<&Link> {
        rels.iter().find_map(|rel| self.link(rel))
    }
}

/// A field holding links: `Vec<Link>` or `Option<Vec<Link>>`, as a generated type declares
/// it. Generated `Links` impls read their field through [`links_of`].
pub trait LinkField {
    /// The links the field holds.
    fn as_links(&self) -> &[Link];
}

impl LinkField for Vec<Link> {
    fn as_links(&self) -> &[Link] {
        self
    }
}

impl LinkField for Option<Vec<Link>> {
    fn as_links(&self) -> &[Link] {
        self.as_deref().unwrap_or_default()
    }
}

/// The links of a links field, whichever way it is declared.
pub fn links_of<F: LinkField + ?Sized>(field: &F) -> &[Link] {
    field.as_links()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Order {
        links: Option<Vec<Link>>,
    }

    impl Links for Order {
        fn links(&self) -> &[Link] {
            links_of(&self.links)
        }
    }

    #[test]
    fn a_link_decodes_with_a_typed_method_and_keeps_an_unknown_one() -> serde_json::Result<()> {
        let cases = [
            (
                r#"{"href":"h","rel":"capture","method":"POST"}"#,
                LinkMethod::Post,
            ),
            (r#"{"href":"h","rel":"self"}"#, LinkMethod::Get),
            (
                r#"{"href":"h","rel":"x","method":"REDIRECT"}"#,
                LinkMethod::Unknown("REDIRECT".into()),
            ),
        ];
        for (json, method) in cases {
            let link: Link = serde_json::from_str(json)?;
            assert_eq!(link.method(), method, "{json}");
            assert_eq!(serde_json::to_string(&link)?, json, "re-encodes losslessly");
        }
        Ok(())
    }

    #[test]
    fn links_are_found_by_relation_and_in_preference_order() {
        let link = |rel: &str| Link {
            href: format!("https://example.test/{rel}"),
            rel: rel.to_owned(),
            method: None,
        };
        let order = Order {
            links: Some(vec![link("self"), link("payer-action")]),
        };
        assert_eq!(
            order.link("self").map(|l| l.href.as_str()),
            Some("https://example.test/self")
        );
        assert_eq!(order.link("approve"), None);
        let approve = order.link_any(&["approve", "payer-action"]);
        assert_eq!(approve.map(|l| l.rel.as_str()), Some("payer-action"));
        assert!(Order { links: None }.links().is_empty());
    }
}
