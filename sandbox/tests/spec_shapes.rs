//! Every object the sandbox returns has the shape the pinned Stripe spec gives it: each
//! required field present, no field the schema lacks, `null` only where nullable, and the
//! JSON type the schema names, recursively through nested objects and lists.
//!
//! `routes_decode.rs` checks that every route's response decodes into the generated SDK's
//! types; this suite stays for what that decoding lets through: fields the spec does not
//! have (serde ignores them) and enum values the spec does not list (the SDK keeps them in
//! `Unknown`), either of which would make the sandbox answer differently from Stripe.

mod common;

use common::{Api, TestResult, expect_status, start};
use serde_json::Value;

/// The spec's component schemas, read from `$PAYFORGE_SPECS_DIR/stripe/spec3.yaml`.
fn schemas() -> TestResult<serde_json::Map<String, Value>> {
    let dir = std::env::var("PAYFORGE_SPECS_DIR")
        .unwrap_or_else(|_| format!("{}/../../shared/specs", env!("CARGO_MANIFEST_DIR")));
    let text = std::fs::read_to_string(format!("{dir}/stripe/spec3.yaml"))?;
    let spec: Value = serde_yaml::from_str(&text)?;
    spec["components"]["schemas"]
        .as_object()
        .cloned()
        .ok_or_else(|| "the spec has no component schemas".into())
}

/// Collects every mismatch between `value` and `schema` into `problems`.
fn check(
    schemas: &serde_json::Map<String, Value>,
    schema: &Value,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return check(schemas, &schemas[name], value, path, problems);
    }
    if let Some(variants) = schema["anyOf"].as_array().or(schema["oneOf"].as_array()) {
        // A value matches a union when some variant reports no problem.
        let fits = variants.iter().any(|variant| {
            let mut trial = Vec::new();
            check(schemas, variant, value, path, &mut trial);
            trial.is_empty()
        });
        let null_allowed = value.is_null() && schema["nullable"] == true;
        if !fits && !null_allowed {
            problems.push(format!("{path}: matches no variant of the union"));
        }
        return;
    }
    if value.is_null() {
        if schema["nullable"] != true {
            problems.push(format!("{path}: null but not nullable"));
        }
        return;
    }
    let expected = schema["type"].as_str().unwrap_or("object");
    let fits = match expected {
        "string" => value.is_string(),
        "integer" => value.is_i64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        _ => value.is_object(),
    };
    if !fits {
        problems.push(format!("{path}: expected {expected}, got {value}"));
        return;
    }
    if let (Some(allowed), Some(text)) = (schema["enum"].as_array(), value.as_str())
        && !allowed.iter().any(|a| a == text)
    {
        problems.push(format!("{path}: {text} is not one of {allowed:?}"));
    }
    if let Some(items) = value.as_array() {
        for (index, item) in items.iter().enumerate() {
            check(
                schemas,
                &schema["items"],
                item,
                &format!("{path}[{index}]"),
                problems,
            );
        }
    }
    let (Some(object), Some(properties)) = (value.as_object(), schema["properties"].as_object())
    else {
        return;
    };
    for required in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(required) {
            problems.push(format!("{path}.{required}: required but missing"));
        }
    }
    for (key, field) in object {
        match properties.get(key) {
            Some(property) => check(schemas, property, field, &format!("{path}.{key}"), problems),
            None if schema["additionalProperties"].is_object() => {}
            None => problems.push(format!("{path}.{key}: not in the schema")),
        }
    }
}

/// Drives one of every flow and returns `(schema name, object)` pairs to check.
async fn samples(api: &Api) -> TestResult<Vec<(&'static str, Value)>> {
    let clock = api
        .post("/v1/test_helpers/test_clocks", "frozen_time=1700000000")
        .await?;
    let customer = api.post("/v1/customers", &format!("email=s@example.com&test_clock={}&invoice_settings[default_payment_method]=pm_card_visa", clock.id())).await?;
    let paid = api
        .post(
            "/v1/payment_intents",
            "amount=500&currency=usd&payment_method=pm_card_visa&confirm=true",
        )
        .await?;
    let declined = api
        .post(
            "/v1/payment_intents",
            "amount=500&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true",
        )
        .await?;
    let action = api
        .post(
            "/v1/payment_intents",
            "amount=500&currency=usd&payment_method=pm_card_threeDSecureRequired&confirm=true",
        )
        .await?;
    let manual = api.post("/v1/payment_intents", "amount=500&currency=usd&payment_method=pm_card_visa&confirm=true&capture_method=manual").await?;
    let canceled = api
        .post(&format!("/v1/payment_intents/{}/cancel", manual.id()), "")
        .await?;
    let charge = api
        .get(&format!(
            "/v1/charges/{}",
            paid.body["latest_charge"].as_str().unwrap_or_default()
        ))
        .await?;
    let refund = api
        .post(
            "/v1/refunds",
            &format!("payment_intent={}&amount=100", paid.id()),
        )
        .await?;
    let price = api
        .post(
            "/v1/prices",
            "currency=usd&unit_amount=900&recurring[interval]=month&product_data[name]=Plan",
        )
        .await?;
    let product = api
        .get(&format!(
            "/v1/products/{}",
            price.body["product"].as_str().unwrap_or_default()
        ))
        .await?;
    let subscription = api
        .post(
            "/v1/subscriptions",
            &format!(
                "customer={}&items[0][price]={}&trial_period_days=3",
                customer.id(),
                price.id()
            ),
        )
        .await?;
    api.post(
        &format!("/v1/test_helpers/test_clocks/{}/advance", clock.id()),
        "frozen_time=1700500000",
    )
    .await?;
    let invoice = api
        .get(&format!(
            "/v1/invoices?subscription={}&limit=1",
            subscription.id()
        ))
        .await?;
    let endpoint = api
        .post(
            "/v1/webhook_endpoints",
            "url=https://example.com/hook&enabled_events[]=*",
        )
        .await?;
    let deleted = api
        .delete(&format!("/v1/webhook_endpoints/{}", endpoint.id()))
        .await?;
    let mut samples = vec![
        ("test_helpers.test_clock", clock.body),
        ("customer", customer.body),
        ("payment_intent", paid.body),
        (
            "payment_intent",
            declined.body["error"]["payment_intent"].clone(),
        ),
        ("payment_intent", action.body),
        ("payment_intent", canceled.body),
        ("charge", charge.body),
        ("refund", refund.body),
        ("price", price.body),
        ("product", product.body),
        (
            "subscription",
            api.get(&format!("/v1/subscriptions/{}", subscription.id()))
                .await?
                .body,
        ),
        ("invoice", invoice.body["data"][0].clone()),
        ("webhook_endpoint", endpoint.body),
        ("deleted_webhook_endpoint", deleted.body),
        ("api_errors", declined.body["error"].clone()),
    ];
    for event in api.get("/v1/events?limit=100").await?.body["data"]
        .as_array()
        .into_iter()
        .flatten()
    {
        samples.push(("event", event.clone()));
    }
    Ok(samples)
}

#[tokio::test]
async fn every_returned_object_has_the_shape_of_the_pinned_spec() -> TestResult {
    let schemas = schemas()?;
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let samples = samples(&api).await?;
    let mut problems = Vec::new();
    for (name, object) in &samples {
        assert!(!object.is_null(), "no sample for {name}");
        let schema = schemas.get(*name).ok_or(format!("no schema {name}"))?;
        check(&schemas, schema, object, name, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
    expect_status(&api.get("/v1/customers").await?, 200)?;
    Ok(())
}
