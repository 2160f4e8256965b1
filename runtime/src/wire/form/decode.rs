//! Reads a bracket-style form string back into the JSON tree a server sees.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// A form string that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// A key is not `name` followed by `[segment]`s.
    #[error("malformed parameter name `{key}`: {reason}")]
    MalformedKey {
        /// The key as decoded.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key or value is not percent-encoded UTF-8.
    #[error("parameter `{key}` is not valid percent-encoded UTF-8")]
    Encoding {
        /// The key as received.
        key: String,
    },
    /// A key clashes with an earlier one (`a=1&a[b]=2`, or a repeated scalar).
    #[error("parameter `{key}` conflicts with an earlier parameter: {reason}")]
    Conflict {
        /// The key as decoded.
        key: String,
        /// How it conflicts.
        reason: &'static str,
    },
}

/// Parses a form-encoded body or query string into a JSON object whose scalars are all
/// strings: `a[b]=1&c[]=x&c[]=y&d[0][e]=2` reads as
/// `{"a": {"b": "1"}, "c": ["x", "y"], "d": [{"e": "2"}]}`. Keys keep their first-seen
/// order.
///
/// Brackets may arrive literal or percent-encoded, and `+` is a space. A numeric segment
/// opens an array element, so a map whose keys are all numbers reads as an array (a server
/// with the schema at hand tells them apart, as Stripe's does).
///
/// # Errors
/// [`FormError`] for a malformed key, bad percent-encoding or conflicting keys.
pub fn parse(input: &str) -> Result<Value, FormError> {
    let mut root = Vec::new();
    for pair in input.split('&').filter(|pair| !pair.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_component(raw_key, raw_key)?;
        let value = decode_component(raw_value, raw_key)?;
        let (name, segments) = split_key(&key)?;
        let mut path = Vec::with_capacity(segments.len() + 1);
        path.push(Segment::Name(name));
        path.extend(segments);
        insert_into_object(&mut root, &path, value, &key)?;
    }
    Ok(object_to_value(root))
}

fn decode_component(raw: &str, raw_key: &str) -> Result<String, FormError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| FormError::Encoding {
            key: raw_key.to_owned(),
        })
}

/// One step of a key's path.
#[derive(Debug)]
enum Segment<'k> {
    /// `name` or `[name]`.
    Name(&'k str),
    /// `[3]`.
    Index(&'k str),
    /// `[]`.
    Append,
}

fn split_key(key: &str) -> Result<(&str, Vec<Segment<'_>>), FormError> {
    let malformed = |reason| FormError::MalformedKey {
        key: key.to_owned(),
        reason,
    };
    let (name, mut rest) = key.find('[').map_or((key, ""), |at| key.split_at(at));
    if name.is_empty() {
        return Err(malformed("the name before the brackets is empty"));
    }
    if name.contains(']') {
        return Err(malformed("`]` without a matching `[`"));
    }
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let inner = rest
            .strip_prefix('[')
            .ok_or_else(|| malformed("text after `]` must start another `[…]`"))?;
        let close = inner
            .find(']')
            .ok_or_else(|| malformed("`[` is never closed"))?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(malformed("`[` inside a bracket segment"));
        }
        segments.push(match segment {
            "" => Segment::Append,
            digits if digits.bytes().all(|byte| byte.is_ascii_digit()) => Segment::Index(digits),
            name => Segment::Name(name),
        });
        rest = &inner[close + 1..];
    }
    Ok((name, segments))
}

/// The tree while parsing: arrays remember the index each element was written with, so
/// `d[0][a]=1&d[0][b]=2` fills one element, and `[]` always appends.
enum Node {
    Leaf(String),
    Object(Vec<(String, Node)>),
    Array(Vec<(Option<String>, Node)>),
}

impl Node {
    /// An empty container of the kind the next segment asks for.
    fn container_for(segment: &Segment<'_>) -> Node {
        match segment {
            Segment::Name(_) => Node::Object(Vec::new()),
            Segment::Index(_) | Segment::Append => Node::Array(Vec::new()),
        }
    }
}

fn conflict(key: &str, reason: &'static str) -> FormError {
    FormError::Conflict {
        key: key.to_owned(),
        reason,
    }
}

fn insert_into_object(
    entries: &mut Vec<(String, Node)>,
    path: &[Segment<'_>],
    value: String,
    key: &str,
) -> Result<(), FormError> {
    let (name, rest) = match path {
        [Segment::Name(name) | Segment::Index(name), rest @ ..] => (*name, rest),
        [Segment::Append, ..] => return Err(conflict(key, "`[]` used on an object")),
        [] => return Err(conflict(key, "empty path")),
    };
    let position = entries.iter().position(|(existing, _)| existing == name);
    match (position, rest.first()) {
        (Some(_), None) => Err(conflict(key, "the parameter is repeated")),
        (None, None) => {
            entries.push((name.to_owned(), Node::Leaf(value)));
            Ok(())
        }
        (Some(at), Some(_)) => insert_below(&mut entries[at].1, rest, value, key),
        (None, Some(next)) => {
            entries.push((name.to_owned(), Node::container_for(next)));
            let last = entries.len() - 1;
            insert_below(&mut entries[last].1, rest, value, key)
        }
    }
}

fn insert_into_array(
    elements: &mut Vec<(Option<String>, Node)>,
    path: &[Segment<'_>],
    value: String,
    key: &str,
) -> Result<(), FormError> {
    let (index, rest) = match path {
        [Segment::Append, rest @ ..] => (None, rest),
        [Segment::Index(index), rest @ ..] => (Some(*index), rest),
        [Segment::Name(_), ..] => return Err(conflict(key, "a named field on an array")),
        [] => return Err(conflict(key, "empty path")),
    };
    let existing = index.and_then(|index| {
        elements
            .iter()
            .position(|(seen, _)| seen.as_deref() == Some(index))
    });
    match (existing, rest.first()) {
        (Some(_), None) => Err(conflict(key, "the array element is repeated")),
        (Some(at), Some(_)) => insert_below(&mut elements[at].1, rest, value, key),
        (None, None) => {
            elements.push((index.map(str::to_owned), Node::Leaf(value)));
            Ok(())
        }
        (None, Some(next)) => {
            elements.push((index.map(str::to_owned), Node::container_for(next)));
            let last = elements.len() - 1;
            insert_below(&mut elements[last].1, rest, value, key)
        }
    }
}

fn insert_below(
    node: &mut Node,
    path: &[Segment<'_>],
    value: String,
    key: &str,
) -> Result<(), FormError> {
    match node {
        Node::Leaf(_) => Err(conflict(
            key,
            "a scalar parameter is also used as a container",
        )),
        Node::Object(entries) => insert_into_object(entries, path, value, key),
        Node::Array(elements) => insert_into_array(elements, path, value, key),
    }
}

fn object_to_value(entries: Vec<(String, Node)>) -> Value {
    let map: Map<String, Value> = entries
        .into_iter()
        .map(|(name, node)| (name, node_to_value(node)))
        .collect();
    Value::Object(map)
}

fn node_to_value(node: Node) -> Value {
    match node {
        Node::Leaf(text) => Value::String(text),
        Node::Object(entries) => object_to_value(entries),
        Node::Array(elements) => elements
            .into_iter()
            .map(|(_, node)| node_to_value(node))
            .collect(),
    }
}
