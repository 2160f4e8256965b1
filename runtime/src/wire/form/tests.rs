//! The form encoding, specified by example and by a round-trip property.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::*;
use crate::wire::{FileUpload, Unsettable};

#[derive(Serialize)]
struct Price {
    price: &'static str,
    quantity: u32,
}

#[derive(Serialize)]
struct CreateSession {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<&'static str>,
    expand: Vec<&'static str>,
    line_items: Vec<Price>,
    metadata: BTreeMap<&'static str, &'static str>,
    description: Unsettable<String>,
    capture: bool,
    note: Option<&'static str>,
}

#[test]
fn encodes_stripe_bracket_style_in_field_order() -> Result<(), EncodeError> {
    let params = CreateSession {
        customer: Some("cus_1"),
        expand: vec!["customer", "payment_intent"],
        line_items: vec![
            Price {
                price: "price_1",
                quantity: 2,
            },
            Price {
                price: "price_2",
                quantity: 1,
            },
        ],
        metadata: BTreeMap::from([("order", "6735"), ("note", "a&b=c d")]),
        description: Unsettable::Unset,
        capture: true,
        note: None,
    };
    assert_eq!(
        to_string(&params)?,
        "customer=cus_1\
         &expand[]=customer&expand[]=payment_intent\
         &line_items[0][price]=price_1&line_items[0][quantity]=2\
         &line_items[1][price]=price_2&line_items[1][quantity]=1\
         &metadata[note]=a%26b%3Dc%20d&metadata[order]=6735\
         &description=\
         &capture=true"
    );
    Ok(())
}

#[test]
fn scalars_and_nesting_encode_as_specified() -> Result<(), EncodeError> {
    let cases = [
        (json!({}), ""),
        (json!({"a": null}), ""),
        (json!({"a": []}), ""),
        (json!({"a": {"b": {"c": "d"}}}), "a[b][c]=d"),
        (json!({"a": false, "n": -3, "f": 1.5}), "a=false&n=-3&f=1.5"),
        (json!({"a": [["x"], ["y"]]}), "a[0][]=x&a[1][]=y"),
        (json!({"a": ["x", {"b": "y"}]}), "a[]=x&a[1][b]=y"),
        (
            json!({"caf\u{e9}": "\u{1F4B3}+%"}),
            "caf%C3%A9=%F0%9F%92%B3%2B%25",
        ),
    ];
    for (params, expected) in cases {
        assert_eq!(to_string(&params)?, expected, "{params}");
    }
    Ok(())
}

#[test]
fn values_the_form_cannot_express_are_typed_errors() {
    let cases = [
        (json!("top-level scalar"), ""),
        (json!(["top-level array"]), ""),
        (json!({"metadata": {"a[b]": "1"}}), "metadata[a[b]]"),
        (json!({"metadata": {"": "1"}}), "metadata[]"),
    ];
    for (params, expected_path) in cases {
        match to_string(&params) {
            Err(EncodeError::Unsupported { path, .. }) => assert_eq!(path, expected_path),
            other => panic!("{params}: expected an Unsupported error, got {other:?}"),
        }
    }
    let infinite = BTreeMap::from([("amount", f64::INFINITY)]);
    assert!(
        matches!(to_string(&infinite), Err(EncodeError::Unsupported { path, .. }) if path == "amount")
    );
}

#[derive(Serialize, Default)]
struct Components {
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<bool>,
}

#[derive(Serialize)]
struct CreateAccountSession {
    account: &'static str,
    #[serde(serialize_with = "crate::wire::required")]
    components: Components,
    #[serde(serialize_with = "crate::wire::required")]
    items: Vec<Components>,
}

#[test]
fn a_required_parameter_that_encodes_to_nothing_is_refused_by_name() -> Result<(), EncodeError> {
    let empty = |items| CreateAccountSession {
        account: "acct_1",
        components: Components::default(),
        items,
    };
    let cases = [
        (
            empty(vec![Components {
                payments: Some(true),
            }]),
            "components",
        ),
        (
            CreateAccountSession {
                components: Components {
                    payments: Some(true),
                },
                ..empty(vec![])
            },
            "items",
        ),
        (
            CreateAccountSession {
                components: Components {
                    payments: Some(true),
                },
                ..empty(vec![Components::default()])
            },
            "items",
        ),
    ];
    for (params, expected) in cases {
        match to_string(&params) {
            Err(EncodeError::EmptyRequired { path }) => assert_eq!(path, expected),
            other => panic!("expected `{expected}` refused, got {other:?}"),
        }
        assert!(
            matches!(to_parts(&params), Err(EncodeError::EmptyRequired { path }) if path == expected)
        );
    }
    let set = CreateAccountSession {
        components: Components {
            payments: Some(true),
        },
        ..empty(vec![Components {
            payments: Some(false),
        }])
    };
    assert_eq!(
        to_string(&set)?,
        "account=acct_1&components[payments]=true&items[0][payments]=false"
    );
    // Other serializers see the value unchanged.
    assert_eq!(
        serde_json::to_value(empty(vec![])).map_err(EncodeError::Json)?,
        json!({"account": "acct_1", "components": {}, "items": []})
    );
    Ok(())
}

#[derive(Serialize)]
struct UploadFile {
    file: FileUpload,
    purpose: &'static str,
    file_link_data: BTreeMap<&'static str, bool>,
}

/// A multipart part as (name, file name, content type, data).
type PartSummary<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

#[test]
fn a_file_becomes_a_file_part_and_is_refused_outside_multipart() -> Result<(), EncodeError> {
    let upload = UploadFile {
        file: FileUpload::new("id.png", "image/png", vec![0x89, b'P', b'N', b'G']),
        purpose: "identity_document",
        file_link_data: BTreeMap::from([("create", true)]),
    };
    let parts = to_parts(&upload)?;
    let summary: Vec<PartSummary<'_>> = parts
        .iter()
        .map(|part| {
            (
                part.name.as_str(),
                part.file_name.as_deref(),
                part.content_type.as_deref(),
                part.data.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "file",
                Some("id.png"),
                Some("image/png"),
                &[0x89, b'P', b'N', b'G'][..]
            ),
            ("purpose", None, None, b"identity_document"),
            ("file_link_data[create]", None, None, b"true"),
        ]
    );
    assert!(
        matches!(to_string(&upload), Err(EncodeError::Unsupported { path, .. }) if path == "file")
    );
    Ok(())
}

#[test]
fn parses_what_a_server_sees() -> Result<(), FormError> {
    let cases = [
        ("", json!({})),
        ("a=1&b=", json!({"a": "1", "b": ""})),
        (
            "expand[]=customer&expand[]=invoice",
            json!({"expand": ["customer", "invoice"]}),
        ),
        (
            "items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2",
            json!({"items": [{"price": "p1", "quantity": "2"}, {"price": "p2"}]}),
        ),
        (
            "metadata[order]=6735&metadata[note]=a+b%26",
            json!({"metadata": {"order": "6735", "note": "a b&"}}),
        ),
        (
            "items%5B0%5D%5Bprice%5D=p1",
            json!({"items": [{"price": "p1"}]}),
        ),
        ("expand[0]=a&expand[1]=b", json!({"expand": ["a", "b"]})),
        ("flag&&x=1&", json!({"flag": "", "x": "1"})),
    ];
    for (form, expected) in cases {
        assert_eq!(parse(form)?, expected, "{form}");
    }
    Ok(())
}

#[test]
fn unreadable_forms_are_typed_errors() {
    let malformed = |key: &str, reason| FormError::MalformedKey {
        key: key.to_owned(),
        reason,
    };
    let conflict = |key: &str, reason| FormError::Conflict {
        key: key.to_owned(),
        reason,
    };
    let cases = [
        (
            "[a]=1",
            malformed("[a]", "the name before the brackets is empty"),
        ),
        ("a[b=1", malformed("a[b", "`[` is never closed")),
        (
            "a[b]c=1",
            malformed("a[b]c", "text after `]` must start another `[…]`"),
        ),
        ("a]=1", malformed("a]", "`]` without a matching `[`")),
        ("a=1&a=2", conflict("a", "the parameter is repeated")),
        (
            "a=1&a[b]=2",
            conflict("a[b]", "a scalar parameter is also used as a container"),
        ),
        ("a[b]=1&a[]=2", conflict("a[]", "`[]` used on an object")),
        (
            "a=%FF",
            FormError::Encoding {
                key: "a".to_owned(),
            },
        ),
    ];
    for (form, expected) in cases {
        assert_eq!(parse(form), Err(expected), "{form}");
    }
}

/// A parameter name the encoder accepts and the decoder cannot mistake for an index:
/// never empty, no brackets, not all digits; with the characters that need escaping.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_\u{e9}&=% +][a-zA-Z0-9_\u{e9}\u{1F4B3}&=% +.]{0,6}"
}

fn params() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::String),
        "[\\[\\]&=% +\u{e9}a-z]{0,8}".prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
    ];
    let tree = leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((name(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    });
    prop::collection::vec((name(), tree), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
}

/// What a server reads back: scalars as strings; `null`, and containers left empty, absent.
fn as_server_sees(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Bool(_) | Value::Number(_) => Some(Value::String(value.to_string())),
        Value::String(_) => Some(value.clone()),
        Value::Array(elements) => {
            let kept: Vec<Value> = elements.iter().filter_map(as_server_sees).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        Value::Object(entries) => {
            let kept: serde_json::Map<String, Value> = entries
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), as_server_sees(value)?)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
    }
}

proptest! {
    #[test]
    fn encoding_then_parsing_gives_back_the_parameters(params in params()) {
        let encoded = to_string(&params).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = parse(&encoded).map_err(|e| TestCaseError::fail(format!("{e}: {encoded}")))?;
        let expected = as_server_sees(&params).unwrap_or_else(|| json!({}));
        prop_assert_eq!(parsed, expected, "encoded as {}", encoded);
    }
}
