//! Stripe's bracket-style form encoding, parsed into a `serde_json::Value` tree.
//!
//! `metadata[k]=v` becomes `{"metadata": {"k": "v"}}`, `expand[]=customer` appends to an
//! array, and `items[0][price]=p` becomes an object keyed by `"0"` that [`Params::list`]
//! reads as a list in index order. Every leaf is a string: the handlers decide the type,
//! exactly as Stripe does, so `amount=12x` is reported against the parameter it names.
//! This parser is independent of the runtime's encoder on purpose: a stand-in for the
//! provider must not share the client's assumptions.

use percent_encoding::percent_decode;
use serde_json::{Map, Value};

use crate::error::{ApiError, echo};

/// The most `key=value` pairs one request may carry.
const MAX_PAIRS: usize = 2_000;
/// The deepest bracket nesting accepted (`a[b][c]…`).
const MAX_DEPTH: usize = 8;

/// Parses an `application/x-www-form-urlencoded` body in Stripe's bracket style.
pub fn parse(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let mut root = Map::new();
    let pairs: Vec<&[u8]> = body
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .collect();
    if pairs.len() > MAX_PAIRS {
        return Err(ApiError::invalid_request(format!(
            "Too many parameters: at most {MAX_PAIRS} are accepted in one request."
        )));
    }
    for pair in pairs {
        let (raw_key, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        let key = decode(raw_key)?;
        let value = decode(raw_value)?;
        let path = key_path(&key)?;
        insert(&mut root, &key, &path, value)?;
    }
    Ok(root)
}

/// Percent-decodes one component, with `+` meaning a space; bad UTF-8 is a 400.
fn decode(raw: &[u8]) -> Result<String, ApiError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| {
        ApiError::invalid_request("Invalid request body: a parameter is not valid UTF-8.")
    })
}

/// Splits `a[b][]` into `["a", "b", ""]`, rejecting unbalanced brackets.
fn key_path(key: &str) -> Result<Vec<String>, ApiError> {
    let malformed =
        || ApiError::invalid_request(format!("Invalid parameter name: `{}`.", echo(key)));
    let (head, mut rest) = match key.find('[') {
        Some(at) => (&key[..at], &key[at..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(malformed());
    }
    let mut path = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(malformed)?;
        let close = inner.find(']').ok_or_else(malformed)?;
        path.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
        if path.len() > MAX_DEPTH {
            return Err(ApiError::invalid_request(format!(
                "Parameter `{}` is nested deeper than {MAX_DEPTH} levels.",
                echo(key)
            )));
        }
    }
    Ok(path)
}

/// Inserts one decoded leaf at `path`, creating objects and arrays on the way.
fn insert(
    root: &mut Map<String, Value>,
    key: &str,
    path: &[String],
    value: String,
) -> Result<(), ApiError> {
    let conflict =
        || ApiError::invalid_request(format!("Conflicting values for parameter `{}`.", echo(key)));
    let mut slot = root.entry(path[0].clone()).or_insert(Value::Null);
    for segment in &path[1..] {
        if slot.is_null() {
            *slot = if segment.is_empty() {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            };
        }
        slot = match (slot, segment.is_empty()) {
            (Value::Array(items), true) => {
                items.push(Value::Null);
                items.last_mut().ok_or_else(conflict)?
            }
            (Value::Object(fields), false) => fields.entry(segment.clone()).or_insert(Value::Null),
            _ => return Err(conflict()),
        };
    }
    match slot {
        Value::Null | Value::String(_) => {
            *slot = Value::String(value);
            Ok(())
        }
        _ => Err(conflict()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_brackets_arrays_and_indexed_lists() -> Result<(), ApiError> {
        let cases = [
            ("a=1&b=x+y%21", json!({"a": "1", "b": "x y!"})),
            (
                "metadata[order]=7&metadata[k]=",
                json!({"metadata": {"order": "7", "k": ""}}),
            ),
            (
                "expand[]=customer&expand[]=latest_charge",
                json!({"expand": ["customer", "latest_charge"]}),
            ),
            (
                "items[0][price]=p1&items[1][price]=p2",
                json!({"items": {"0": {"price": "p1"}, "1": {"price": "p2"}}}),
            ),
            ("flag", json!({"flag": ""})),
        ];
        for (body, expected) in cases {
            assert_eq!(Value::Object(parse(body.as_bytes())?), expected, "{body}");
        }
        Ok(())
    }

    #[test]
    fn rejects_malformed_bodies_with_a_400() {
        let cases: [&[u8]; 6] = [
            b"a[b=1",
            b"[x]=1",
            b"a=1&a[b]=2",
            b"a=%FF",
            b"a[]=1&a[k]=2",
            b"a]b[=1",
        ];
        for body in cases {
            let error = parse(body).err();
            assert_eq!(
                error.map(|e| e.status().as_u16()),
                Some(400),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
