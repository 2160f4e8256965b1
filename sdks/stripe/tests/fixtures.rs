//! Every object of Stripe's own fixtures (`fixtures3.json`, what stripe-mock serves) decodes
//! into its generated type and re-encodes without losing a field. Needs every resource type:
//! run with `--all-features`.
#![cfg(feature = "full")]

use std::path::PathBuf;

use serde_json::Value;

/// Defines `round_trip(schema, value)`: decode `value` as the schema's generated type and
/// encode it again; `None` for a schema the table does not know.
macro_rules! resource_table {
    ($($schema:literal => $ty:ident,)*) => {
        fn round_trip(schema: &str, value: &Value) -> Option<Result<Value, serde_json::Error>> {
            match schema {
                $($schema => Some(
                    serde_json::from_value::<payforge_stripe::$ty>(value.clone()).and_then(|typed| serde_json::to_value(&typed)),
                ),)*
                _ => None,
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/resources.rs"));

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixtures() -> Result<serde_json::Map<String, Value>, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::var("PAYFORGE_SPECS_DIR")?);
    let text = std::fs::read_to_string(dir.join("stripe/fixtures3.json"))?;
    let mut root: Value = serde_json::from_str(&text)?;
    match root.get_mut("resources").map(Value::take) {
        Some(Value::Object(resources)) => Ok(resources),
        _ => Err("fixtures3.json has no `resources` object".into()),
    }
}

/// Where Stripe's fixtures disagree with the spec they ship with (same commit), so no
/// generated type can round-trip them; each is reported by its JSON path and reason, and any
/// other difference fails the test. (A required field the fixtures leave out is no longer
/// one: the profile's `omitted_in_fixtures` policy makes it optional, as the treasury
/// outbound payment's `billing_details` shows.)
const UPSTREAM_DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "identity.verification_report.document.address.zip: lost",
        "the `address` schema has `postal_code`, not `zip`; fields the spec does not define are ignored on decode",
    ),
    (
        "treasury.outbound_payment.destination_payment_method_details.destination: lost",
        "the `outbound_payments_payment_method_details` schema has no `destination`; fields the spec does not define are ignored on decode",
    ),
];

/// The JSON paths where `encoded` lost or changed something of `original`. A `null` and an
/// absent field are the same (an optional, nullable field is encoded as `null` when absent,
/// and a `null` the spec does not define is dropped); every other difference is reported.
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

#[test]
fn every_fixture_round_trips_through_its_generated_type() -> TestResult {
    let fixtures = fixtures()?;
    assert!(fixtures.len() >= 131, "only {} fixtures", fixtures.len());
    let mut failures = Vec::new();
    for (schema, value) in &fixtures {
        match round_trip(schema, value) {
            None => failures.push(format!("{schema}: no generated type")),
            Some(Err(error)) => failures.push(format!("{schema}: does not decode: {error}")),
            Some(Ok(encoded)) => differences(schema, value, &encoded, &mut failures),
        }
    }
    let known: Vec<&str> = UPSTREAM_DISAGREEMENTS
        .iter()
        .map(|(problem, _)| *problem)
        .collect();
    let unexpected: Vec<&String> = failures
        .iter()
        .filter(|f| !known.contains(&f.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} problems:\n{unexpected:#?}",
        unexpected.len()
    );
    for problem in known {
        assert!(
            failures.iter().any(|f| f == problem),
            "fixed upstream? remove `{problem}`"
        );
    }
    Ok(())
}

#[test]
fn the_comparison_reports_the_json_path_of_a_lost_or_changed_field() {
    let original = serde_json::json!({"a": {"b": [1, {"c": "x"}]}, "d": 1, "e": null, "g": null});
    let encoded = serde_json::json!({"a": {"b": [1, {"c": "y"}]}, "e": null, "f": null});
    let mut out = Vec::new();
    differences("obj", &original, &encoded, &mut out);
    assert_eq!(out, ["obj.a.b[1].c: \"x\" became \"y\"", "obj.d: lost"]);
}

#[test]
fn a_required_field_the_fixtures_leave_out_decodes_as_absent_and_stays_absent() -> TestResult {
    let fixtures = fixtures()?;
    let payment = fixtures
        .get("treasury.outbound_payment")
        .ok_or("no treasury.outbound_payment fixture")?;
    let decoded: payforge_stripe::TreasuryOutboundPayment =
        serde_json::from_value(payment.clone())?;
    let details = decoded
        .destination_payment_method_details
        .as_ref()
        .ok_or("the fixture has destination_payment_method_details")?;
    assert_eq!(details.billing_details, None);
    // Re-encoded, the absent field stays absent (`destination` is not in the spec: see
    // UPSTREAM_DISAGREEMENTS).
    assert_eq!(
        serde_json::to_value(&decoded)?["destination_payment_method_details"],
        serde_json::json!({"type": "us_bank_account"})
    );
    Ok(())
}
