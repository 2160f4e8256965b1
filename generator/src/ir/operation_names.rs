//! Operation names from the REST shape of a path: a verb and the resource
//! (`ListCustomers`, `ConfirmPaymentIntent`), unless the profile names the operation.

use std::collections::BTreeSet;

use super::names::type_name;
use super::operations::OutputKind;

/// The paths of a spec, for naming operations.
pub(crate) struct PathIndex<'a> {
    /// Every path.
    pub(crate) all: BTreeSet<&'a str>,
    /// The paths whose `GET` returns one object rather than a page: a `POST` there changes
    /// that object (`/v1/customers/{customer}/cash_balance`).
    pub(crate) singletons: BTreeSet<&'a str>,
}

/// A readable operation name from its method, path and output: `ListCustomers`,
/// `RetrieveCustomer`, `CreateCustomer`, `UpdateCustomer`, `DeleteCustomer`,
/// `SearchCustomers`, and for an action sub-path the action's verb first,
/// `ConfirmPaymentIntent`. A `POST` to a path whose `GET` returns one object updates it
/// (`UpdateCustomerCashBalance`).
pub(crate) fn operation_name(
    method: &str,
    path: &str,
    output: &OutputKind,
    paths: &PathIndex<'_>,
    prefix: &str,
) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let ends_with_param = segments.last().is_some_and(|s| s.starts_with('{'));
    let literals: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| !s.starts_with('{'))
        .collect();
    let nouns = |words: &[&str]| {
        words
            .iter()
            .map(|w| type_name(&singular(w)))
            .collect::<String>()
    };
    let plural = |words: &[&str]| {
        let (last, init) = words
            .split_last()
            .map(|(l, i)| (*l, i))
            .unwrap_or(("", &[]));
        format!("{}{}", nouns(init), type_name(last))
    };
    let is_collection = paths
        .all
        .iter()
        .any(|p| p.starts_with(&format!("{path}/{{")));
    match (method, output) {
        ("get", OutputKind::List) => format!("List{}", plural(&literals)),
        ("get", OutputKind::Search) => format!(
            "Search{}",
            plural(&literals[..literals.len().saturating_sub(1)])
        ),
        ("get", _) => format!("Retrieve{}", nouns(&literals)),
        ("delete", _) => format!("Delete{}", nouns(&literals)),
        ("patch" | "put", _) => format!("Update{}", nouns(&literals)),
        ("post", _) if ends_with_param || paths.singletons.contains(path) => {
            format!("Update{}", nouns(&literals))
        }
        ("post", _) if is_collection || literals.last().is_some_and(|l| l.ends_with('s')) => {
            format!("Create{}", nouns(&literals))
        }
        ("post", _) if literals.len() == 1 => format!("Update{}", nouns(&literals)),
        (_, _) => match literals.split_last() {
            Some((action, init)) => format!("{}{}", type_name(action), nouns(init)),
            None => type_name(method),
        },
    }
}

/// A resource segment in the singular (`payment_intents` -> `payment_intent`).
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("sses") || word.ends_with("xes") {
        word[..word.len() - 2].to_owned()
    } else if word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_read_as_verbs_on_resources() {
        let paths = PathIndex {
            all: [
                "/v1/customers",
                "/v1/customers/{customer}",
                "/v1/customers/{customer}/cash_balance",
                "/v1/payment_intents/{intent}/confirm",
            ]
            .into(),
            singletons: ["/v1/customers/{customer}/cash_balance"].into(),
        };
        let cases = [
            ("get", "/v1/customers", OutputKind::List, "ListCustomers"),
            ("post", "/v1/customers", OutputKind::Other, "CreateCustomer"),
            (
                "get",
                "/v1/customers/{customer}",
                OutputKind::Other,
                "RetrieveCustomer",
            ),
            (
                "post",
                "/v1/customers/{customer}",
                OutputKind::Other,
                "UpdateCustomer",
            ),
            (
                "delete",
                "/v1/customers/{customer}",
                OutputKind::Other,
                "DeleteCustomer",
            ),
            (
                "get",
                "/v1/customers/search",
                OutputKind::Search,
                "SearchCustomers",
            ),
            (
                "post",
                "/v1/payment_intents/{intent}/confirm",
                OutputKind::Other,
                "ConfirmPaymentIntent",
            ),
            ("post", "/v1/account", OutputKind::Other, "UpdateAccount"),
            (
                "post",
                "/v1/customers/{customer}/cash_balance",
                OutputKind::Other,
                "UpdateCustomerCashBalance",
            ),
        ];
        for (method, path, output, expected) in cases {
            assert_eq!(
                operation_name(method, path, &output, &paths, "/v1/"),
                expected,
                "{method} {path}"
            );
        }
    }
}
