//! What the pinned spec says about requests, checked before an operation runs: the
//! `maxLength` of every string parameter, and which `expand[]` paths each operation's
//! response allows.
//!
//! `build.rs` extracts both tables from the hash-checked spec into `OUT_DIR`; they are
//! embedded in the binary, so the sandbox needs no spec at run time. A route the spec does
//! not describe has no entries, and nothing is checked for it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::error::{ApiError, echo};

/// The tables `build.rs` wrote, one record a line (see there for the format).
const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/spec_tables.tsv"));

static TABLES: LazyLock<SpecTables> = LazyLock::new(|| SpecTables::parse(SOURCE));

/// One string parameter's limit: its path (`items`, ``, `price` for `items[][price]`,
/// `*` for any key of a map) and its `maxLength`.
#[derive(Debug)]
struct Limit {
    path: Vec<String>,
    max: usize,
}

#[derive(Debug, Default)]
struct SpecTables {
    /// `"METHOD /v1/path"` to its string limits.
    lengths: HashMap<String, Vec<Limit>>,
    /// Schema id to its expandable fields.
    expandable: HashMap<String, HashSet<String>>,
    /// `"schema.property"` to the schema ids the property leads to.
    properties: HashMap<String, Vec<String>>,
    /// `"METHOD /v1/path"` to its response schema ids.
    responses: HashMap<String, Vec<String>>,
}

impl SpecTables {
    fn parse(source: &str) -> Self {
        let mut tables = Self::default();
        for line in source.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            let list = |text: &str| -> Vec<String> {
                text.split(',')
                    .filter(|item| !item.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            match fields.as_slice() {
                ["L", method, path, param, max] => {
                    let segments = param
                        .split('[')
                        .map(|segment| segment.trim_end_matches(']').to_owned())
                        .collect();
                    tables
                        .lengths
                        .entry(format!("{method} {path}"))
                        .or_default()
                        .push(Limit {
                            path: segments,
                            max: max.parse().unwrap_or(usize::MAX),
                        });
                }
                ["S", id, fields] => {
                    let fields = list(fields).into_iter().collect();
                    tables.expandable.insert((*id).to_owned(), fields);
                }
                ["P", id, property, targets] => {
                    tables
                        .properties
                        .insert(format!("{id}.{property}"), list(targets));
                }
                ["R", method, path, targets] => {
                    tables
                        .responses
                        .insert(format!("{method} {path}"), list(targets));
                }
                _ => {}
            }
        }
        tables
    }
}

/// Refuses a string parameter longer than the spec's `maxLength` for it, as Stripe does:
/// `Invalid string: {the first 100 characters}...; must be at most 5000 characters`.
pub fn check_lengths(
    method: &str,
    template: &str,
    fields: &Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(limits) = TABLES.lengths.get(&format!("{method} {template}")) else {
        return Ok(());
    };
    for limit in limits {
        let Some((head, rest)) = limit.path.split_first() else {
            continue;
        };
        let Some(value) = fields.get(head) else {
            continue;
        };
        if let Some((param, text)) = too_long(value, rest, head.clone(), limit.max) {
            return Err(ApiError::invalid_value(
                &param,
                format!(
                    "Invalid string: {}; must be at most {} characters",
                    echo(text),
                    limit.max
                ),
            ));
        }
    }
    Ok(())
}

/// The first string under `value` at `path` longer than `max`, with its parameter name.
fn too_long<'v>(
    value: &'v Value,
    path: &[String],
    name: String,
    max: usize,
) -> Option<(String, &'v str)> {
    let Some((segment, rest)) = path.split_first() else {
        return value
            .as_str()
            .filter(|text| text.chars().count() > max)
            .map(|text| (name, text));
    };
    match (value, segment.as_str()) {
        // A list arrives as `a[]=…` (an array) or `a[0]=…` (an object keyed by index).
        (Value::Array(items), "") => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| too_long(item, rest, format!("{name}[{index}]"), max)),
        (Value::Object(entries), "" | "*") => entries
            .iter()
            .find_map(|(key, item)| too_long(item, rest, format!("{name}[{key}]"), max)),
        (Value::Object(entries), key) => entries
            .get(key)
            .and_then(|item| too_long(item, rest, format!("{name}[{key}]"), max)),
        _ => None,
    }
}

/// Refuses an `expand[]` path the operation's response does not allow, with Stripe's
/// message `This property cannot be expanded (path).`; on a list, a path that would be
/// valid under `data.` gets Stripe's hint to expand that instead.
pub fn check_expand(method: &str, template: &str, paths: &[String]) -> Result<(), ApiError> {
    let Some(roots) = TABLES.responses.get(&format!("{method} {template}")) else {
        return Ok(());
    };
    for path in paths {
        let segments: Vec<&str> = path.split('.').collect();
        if roots.iter().any(|root| expandable(root, &segments)) {
            continue;
        }
        let mut message = format!("This property cannot be expanded ({}).", echo(path));
        let mut under_data = vec!["data"];
        under_data.extend(&segments);
        if roots.iter().any(|root| expandable(root, &under_data)) {
            message.push_str(&format!(
                " You may want to try expanding 'data.{}' instead.",
                echo(path)
            ));
        }
        return Err(ApiError::invalid_request(message));
    }
    Ok(())
}

/// Whether `segments` name an expandable field reached from schema `id`: every segment
/// but the last is a property leading to an object schema, the last is expandable there.
fn expandable(id: &str, segments: &[&str]) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut schemas = vec![id.to_owned()];
    for segment in parents {
        schemas = schemas
            .iter()
            .filter_map(|schema| TABLES.properties.get(&format!("{schema}.{segment}")))
            .flatten()
            .cloned()
            .collect();
        if schemas.is_empty() {
            return false;
        }
    }
    schemas.iter().any(|schema| {
        TABLES
            .expandable
            .get(schema)
            .is_some_and(|fields| fields.contains(*last))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_tables_know_the_sandboxs_operations() {
        let lengths = TABLES.lengths.get("POST /v1/products").map(Vec::len);
        assert!(lengths.is_some_and(|count| count > 5), "{lengths:?}");
        assert!(TABLES.responses.contains_key("GET /v1/customers/search"));
    }

    #[test]
    fn expand_paths_follow_the_spec() {
        let cases: &[(&str, &str, &str, bool)] = &[
            ("GET", "/v1/payment_intents/{intent}", "customer", true),
            (
                "GET",
                "/v1/payment_intents/{intent}",
                "latest_charge.balance_transaction",
                true,
            ),
            ("GET", "/v1/payment_intents/{intent}", "bogus", false),
            ("GET", "/v1/payment_intents/{intent}", "amount", false),
            (
                "GET",
                "/v1/payment_intents/{intent}",
                "customer.bogus",
                false,
            ),
            (
                "GET",
                "/v1/customers/{customer}",
                "invoice_settings.default_payment_method",
                true,
            ),
            ("GET", "/v1/payment_intents", "data.customer", true),
            ("GET", "/v1/payment_intents", "customer", false),
            ("POST", "/v1/customers", "default_source", true),
            ("GET", "/v1/nothing", "bogus", true), // Not in the spec: nothing is checked.
        ];
        for (method, template, path, allowed) in cases {
            let result = check_expand(method, template, &[(*path).to_owned()]);
            assert_eq!(
                result.is_ok(),
                *allowed,
                "{method} {template} expand[]={path}"
            );
        }
    }

    #[test]
    fn lists_get_stripes_hint_to_expand_under_data() {
        let error = check_expand("GET", "/v1/payment_intents", &["customer".to_owned()]).err();
        let body = error.map(|error| error.to_body()).unwrap_or_default();
        assert_eq!(
            body["error"]["message"],
            "This property cannot be expanded (customer). You may want to try expanding 'data.customer' instead."
        );
    }

    #[test]
    fn strings_over_their_max_length_are_refused_with_their_parameter() {
        let long = "x".repeat(5_001);
        let cases: Vec<(Value, Option<&str>)> = vec![
            (serde_json::json!({ "name": long }), Some("name")),
            (serde_json::json!({ "name": "x".repeat(5_000) }), None),
            (
                serde_json::json!({ "name": "ok", "expand": { "0": "ok", "1": long } }),
                Some("expand[1]"),
            ),
            (
                serde_json::json!({ "name": "ok", "expand": ["ok", long] }),
                Some("expand[1]"),
            ),
            (serde_json::json!({ "images": [long] }), None), // The spec gives no limit.
        ];
        for (fields, param) in cases {
            let Value::Object(fields) = fields else {
                continue;
            };
            let result = check_lengths("POST", "/v1/products", &fields);
            let named = result
                .err()
                .map(|error| error.to_body()["error"]["param"].clone());
            assert_eq!(named, param.map(Value::from), "{param:?}");
        }
    }
}
