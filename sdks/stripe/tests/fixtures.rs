//! Every object of Stripe's own fixtures (`fixtures3.json`, what stripe-mock serves) decodes
//! into its generated type and re-encodes without losing a field. Needs every resource type:
//! run with `--all-features`.
#![cfg(feature = "full")]

use std::path::PathBuf;

use payforge::wire::round_trip_losses;
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

#[test]
fn every_fixture_round_trips_through_its_generated_type() -> TestResult {
    let fixtures = fixtures()?;
    assert!(fixtures.len() >= 131, "only {} fixtures", fixtures.len());
    let mut failures = Vec::new();
    for (schema, value) in &fixtures {
        match round_trip(schema, value) {
            None => failures.push(format!("{schema}: no generated type")),
            Some(Err(error)) => failures.push(format!("{schema}: does not decode: {error}")),
            Some(Ok(encoded)) => failures.extend(round_trip_losses(schema, value, &encoded)),
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
