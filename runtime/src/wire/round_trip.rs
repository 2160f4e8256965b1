//! What a decode and re-encode through a generated type lost or changed of the provider's
//! JSON: the check behind the SDKs' fixture and example round trips, by JSON path.

use serde_json::Value;

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
