//! What a decode and re-encode through a generated type lost or changed of the provider's
//! JSON: the check behind the SDKs' fixture and example round trips, by JSON path; and the
//! examples a spec embeds in its bodies, which those round trips read.

use serde_json::Value;

/// One example a spec embeds in a JSON request or response body.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyExample {
    /// Where it is: `POST /payments request example `card``, `… response 201 example …`.
    pub place: String,
    /// The component schema of its body (`PaymentRequest`), or `(inline)`.
    pub schema: String,
    /// The example's value.
    pub value: Value,
}

/// Every example of every `application/json` request and response body of an OpenAPI
/// document, in path order: `$ref`s to shared `requestBodies` and `responses` are followed,
/// and so are an example's `$ref` to `components/examples`. An example without a `value` is
/// an error naming its place.
pub fn body_examples(spec: &Value) -> Result<Vec<BodyExample>, String> {
    let mut out = Vec::new();
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the document has no `paths`")?;
    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let responses = operation.get("responses").and_then(Value::as_object);
            let bodies = operation
                .get("requestBody")
                .map(|body| ("request".to_owned(), body))
                .into_iter()
                .chain(
                    responses
                        .into_iter()
                        .flatten()
                        .map(|(status, body)| (format!("response {status}"), body)),
                );
            for (which, body) in bodies {
                let body = shared(spec, body).unwrap_or(body);
                let Some(media) = body.pointer("/content/application~1json") else {
                    continue;
                };
                let schema = media
                    .pointer("/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .unwrap_or("(inline)");
                let examples = media.get("examples").and_then(Value::as_object);
                for (name, example) in examples.into_iter().flatten() {
                    let place =
                        format!("{} {path} {which} example `{name}`", method.to_uppercase());
                    let value = shared(spec, example)
                        .unwrap_or(example)
                        .get("value")
                        .ok_or_else(|| format!("{place}: no value"))?;
                    out.push(BodyExample {
                        place,
                        schema: schema.to_owned(),
                        value: value.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The shared component a `{"$ref": "#/…"}` names, if it is one.
fn shared<'a>(spec: &'a Value, node: &Value) -> Option<&'a Value> {
    let reference = node.get("$ref")?.as_str()?.strip_prefix('#')?;
    spec.pointer(reference)
}

/// The JSON paths, under `root`, where `encoded` lost or changed something of `original`
/// (`root.a.b[1].c: "x" became "y"`, `root.d: lost`, `root.f: added 1`). A `null` and an
/// absent field are the same (an optional, nullable field encodes as `null` when absent, and
/// a `null` the spec does not define is dropped); numbers compare by value (`1` and `1.0`);
/// every other difference is reported.
pub fn round_trip_losses(root: &str, original: &Value, encoded: &Value) -> Vec<String> {
    let mut out = Vec::new();
    differences(root, original, encoded, &mut out);
    out
}

fn differences(path: &str, original: &Value, encoded: &Value, out: &mut Vec<String>) {
    match (original, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let child = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => differences(&child, value, other, out),
                    None if value.is_null() => {}
                    None => out.push(format!("{child}: lost")),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) && !value.is_null() {
                    out.push(format!("{path}.{key}: added {value}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{index}]"), x, y, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} became {b}")),
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn examples_are_found_through_shared_bodies_and_example_refs() -> Result<(), String> {
        let spec = serde_json::json!({
            "paths": {"/orders": {
                "post": {
                    "requestBody": {"$ref": "#/components/requestBodies/order"},
                    "responses": {"201": {"content": {"application/json": {
                        "schema": {"type": "object"},
                        "examples": {"made": {"$ref": "#/components/examples/made"}},
                    }}}},
                },
            }},
            "components": {
                "requestBodies": {"order": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Order"},
                    "examples": {"one": {"value": {"id": 1}}},
                }}}},
                "examples": {"made": {"value": {"id": 2}}},
            },
        });
        let found = body_examples(&spec)?;
        let got: Vec<(&str, &str, &Value)> = found
            .iter()
            .map(|e| (e.place.as_str(), e.schema.as_str(), &e.value))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "POST /orders request example `one`",
                    "Order",
                    &serde_json::json!({"id": 1})
                ),
                (
                    "POST /orders response 201 example `made`",
                    "(inline)",
                    &serde_json::json!({"id": 2})
                ),
            ]
        );
        let broken = serde_json::json!({"paths": {"/a": {"get": {"responses": {"200": {"content":
            {"application/json": {"examples": {"x": {"summary": "no value"}}}}}}}}}});
        assert_eq!(
            body_examples(&broken),
            Err("GET /a response 200 example `x`: no value".to_owned())
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::round_trip_losses;

    #[test]
    fn the_comparison_reports_the_json_path_of_a_lost_or_changed_field() {
        // (original, encoded, reported)
        let cases = [
            (
                json!({"a": {"b": [1, {"c": "x"}]}, "d": 1, "e": null}),
                json!({"a": {"b": [1, {"c": "y"}]}, "f": null}),
                vec!["obj.a.b[1].c: \"x\" became \"y\"", "obj.d: lost"],
            ),
            (
                json!({"a": {"b": [1, {"c": "x"}]}, "d": 1, "e": null, "g": null}),
                json!({"a": {"b": [1, {"c": "y"}]}, "e": null, "f": null}),
                vec!["obj.a.b[1].c: \"x\" became \"y\"", "obj.d: lost"],
            ),
            (json!({"n": 1}), json!({"n": 1.0}), vec![]),
            (json!({}), json!({"f": 1}), vec!["obj.f: added 1"]),
            (json!([1, 2]), json!([1]), vec!["obj: [1,2] became [1]"]),
        ];
        for (original, encoded, reported) in cases {
            assert_eq!(
                round_trip_losses("obj", &original, &encoded),
                reported,
                "{original} -> {encoded}"
            );
        }
    }
}
