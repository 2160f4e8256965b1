//! Stripe's search query language, the subset the sandbox serves: clauses
//! `field:'value'` (exact, case-insensitive), `field~'value'` (substring, at least three
//! characters), `-field:'value'` (negation), `metadata['key']:'value'`, `field:null`, and
//! numeric comparisons `created>1700000000` (`>`, `>=`, `<`, `<=`, `:`), joined by `AND` or
//! by `OR` (not both in one query, as on Stripe). Values are in single or double quotes;
//! numbers may be bare.

use serde_json::{Value, json};

use crate::error::{ApiError, echo};
use crate::params::Params;
use crate::store::Store;

/// The most results one search page holds.
const MAX_LIMIT: i64 = 100;

/// A parsed query: its clauses and whether all (`AND`) or any (`OR`) must hold.
#[derive(Debug, PartialEq)]
pub struct Query {
    clauses: Vec<Clause>,
    any: bool,
}

#[derive(Debug, PartialEq)]
struct Clause {
    negated: bool,
    /// `email`, or `metadata` with the key in `key`.
    field: String,
    key: Option<String>,
    operator: &'static str,
    /// `None` for `null`.
    value: Option<String>,
}

/// Why a query could not be read, as Stripe reports it (a 400 naming `query`).
fn invalid(query: &str, why: &str) -> ApiError {
    ApiError::invalid_value(
        "query",
        format!("Invalid search query `{}`: {why}", echo(query)),
    )
}

impl Query {
    /// Parses `text`, accepting only `fields` (plus `metadata[...]`).
    pub fn parse(text: &str, fields: &[&str]) -> Result<Self, ApiError> {
        let mut rest = text.trim();
        let mut clauses = Vec::new();
        let mut joins = Vec::new();
        loop {
            let (clause, after) = next_clause(rest).ok_or_else(|| {
                invalid(text, "expected a clause such as email:'jenny@example.com'")
            })?;
            if clause.field != "metadata" && !fields.contains(&clause.field.as_str()) {
                return Err(invalid(
                    text,
                    &format!(
                        "`{}` is not a field customers can be searched by",
                        echo(&clause.field)
                    ),
                ));
            }
            clauses.push(clause);
            rest = after.trim_start();
            if rest.is_empty() {
                break;
            }
            let (join, after) = rest
                .split_once(char::is_whitespace)
                .ok_or_else(|| invalid(text, "expected AND or OR between clauses"))?;
            match join {
                "AND" | "OR" => joins.push(join),
                _ => return Err(invalid(text, "expected AND or OR between clauses")),
            }
            rest = after.trim_start();
        }
        if joins.contains(&"AND") && joins.contains(&"OR") {
            return Err(invalid(text, "AND and OR cannot be combined in one query"));
        }
        Ok(Self {
            clauses,
            any: joins.first() == Some(&"OR"),
        })
    }

    /// Whether `object` satisfies the query.
    pub fn matches(&self, object: &Value) -> bool {
        let holds = |clause: &Clause| clause.matches(object) != clause.negated;
        if self.any {
            self.clauses.iter().any(holds)
        } else {
            self.clauses.iter().all(holds)
        }
    }
}

/// One clause at the start of `text`, and what follows it.
fn next_clause(text: &str) -> Option<(Clause, &str)> {
    let (negated, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let name_end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (field, mut rest) = text.split_at(name_end);
    let mut key = None;
    if let Some(after) = rest.strip_prefix('[') {
        let (quoted, after) = quoted(after)?;
        key = Some(quoted);
        rest = after.strip_prefix(']')?;
    }
    let operator = [">=", "<=", ":", "~", ">", "<"]
        .into_iter()
        .find(|operator| rest.starts_with(operator))?;
    rest = &rest[operator.len()..];
    let (value, rest) = if let Some(after) = rest.strip_prefix("null") {
        (None, after)
    } else if rest.starts_with(['\'', '"']) {
        let (value, after) = quoted(rest)?;
        (Some(value), after)
    } else {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let number = &rest[..end];
        number.parse::<i64>().ok()?;
        (Some(number.to_owned()), &rest[end..])
    };
    if field.is_empty() || (operator == "~" && value.as_ref().is_none_or(|v| v.chars().count() < 3))
    {
        return None;
    }
    let clause = Clause {
        negated,
        field: field.to_owned(),
        key,
        operator,
        value,
    };
    Some((clause, rest))
}

/// A value in single or double quotes (a backslash escapes the next character).
fn quoted(text: &str) -> Option<(String, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut value = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            c if c == quote => return Some((value, &text[1 + at + 1..])),
            c => value.push(c),
        }
    }
    None
}

impl Clause {
    fn matches(&self, object: &Value) -> bool {
        let field = match &self.key {
            Some(key) => &object[self.field.as_str()][key.as_str()],
            None => &object[self.field.as_str()],
        };
        let Some(wanted) = &self.value else {
            return field.is_null();
        };
        if let (Some(actual), Ok(wanted)) = (field.as_i64(), wanted.parse::<i64>()) {
            return match self.operator {
                ">" => actual > wanted,
                ">=" => actual >= wanted,
                "<" => actual < wanted,
                "<=" => actual <= wanted,
                _ => actual == wanted,
            };
        }
        let Some(actual) = field.as_str() else {
            return false;
        };
        let (actual, wanted) = (actual.to_lowercase(), wanted.to_lowercase());
        match self.operator {
            ":" => actual == wanted,
            "~" => actual.contains(&wanted),
            _ => false,
        }
    }
}

/// A `search_result` page of the objects of `kind` matching `params`' `query`, newest
/// first; `page` is the cursor from the previous page's `next_page`.
pub fn page(
    store: &Store,
    kind: &str,
    fields: &[&str],
    url: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    params.allow(&["query", "limit", "page"])?;
    let text = params.required_str("query")?;
    let query = Query::parse(text, fields)?;
    let limit = params.int("limit")?.unwrap_or(10);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_param(
            "parameter_invalid_integer",
            "limit",
            "Invalid limit: must be between 1 and 100.",
        ));
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    let skip = match params.str("page")?.filter(|page| !page.is_empty()) {
        Some(page) => page
            .strip_prefix("page_")
            .and_then(|offset| offset.parse::<usize>().ok())
            .ok_or_else(|| {
                ApiError::invalid_value("page", format!("Invalid page: {}", echo(page)))
            })?,
        None => 0,
    };
    let mut found: Vec<Value> = store
        .all(kind)
        .rev()
        .filter(|object| query.matches(object))
        .skip(skip)
        .take(limit + 1)
        .collect();
    let has_more = found.len() > limit;
    found.truncate(limit);
    let next_page = has_more.then(|| format!("page_{}", skip + limit));
    Ok(json!({
        "object": "search_result",
        "data": found,
        "has_more": has_more,
        "next_page": next_page,
        "url": url,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["email", "name", "phone", "created"];

    #[test]
    fn queries_match_as_stripes_search_does() {
        let jenny = json!({
            "email": "Jenny@Example.com",
            "name": "Jenny Rosen",
            "phone": null,
            "created": 1_700_000_000,
            "metadata": { "plan": "gold" },
        });
        let cases = [
            ("email:'jenny@example.com'", true),
            ("email:\"jenny@example.com\"", true),
            ("email:'other@example.com'", false),
            ("name~'rose'", true),
            ("-name~'rose'", false),
            ("metadata['plan']:'gold'", true),
            ("metadata[\"plan\"]:'silver'", false),
            ("phone:null", true),
            ("created>1600000000 AND email:'jenny@example.com'", true),
            ("created<1600000000 AND email:'jenny@example.com'", false),
            ("created<1600000000 OR email:'jenny@example.com'", true),
            ("created>=1700000000", true),
        ];
        for (text, expected) in cases {
            let query = Query::parse(text, FIELDS).map_err(|error| error.to_body());
            assert_eq!(query.map(|q| q.matches(&jenny)), Ok(expected), "{text}");
        }
    }

    #[test]
    fn malformed_queries_are_400s_naming_query() {
        for text in [
            "",
            "email",
            "email:'unterminated",
            "colour:'red'",
            "name~'ab'",
            "email:'a' AND name:'b' OR phone:'c'",
            "email:'a' name:'b'",
            "email:bare",
        ] {
            let error = Query::parse(text, FIELDS)
                .err()
                .map(|error| error.to_body());
            assert_eq!(
                error.as_ref().map(|body| body["error"]["param"].clone()),
                Some(json!("query")),
                "{text}"
            );
        }
    }
}
