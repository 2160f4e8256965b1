//! Payment intents and charges: every test-card outcome, 3-D Secure, capture, cancel,
//! refunds, and the events each step records.

mod common;

use common::{Api, TestResult, expect_status, start};
use serde_json::Value;

/// `(payment method, expected status, code, decline_code)`: `None` codes mean success.
const OUTCOMES: &[(&str, u16, Option<&str>, Option<&str>)] = &[
    ("pm_card_visa", 200, None, None),
    ("pm_card_mastercard", 200, None, None),
    ("pm_card_amex", 200, None, None),
    (
        "pm_card_chargeDeclined",
        402,
        Some("card_declined"),
        Some("generic_decline"),
    ),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        402,
        Some("card_declined"),
        Some("insufficient_funds"),
    ),
    (
        "pm_card_chargeDeclinedLostCard",
        402,
        Some("card_declined"),
        Some("lost_card"),
    ),
    (
        "pm_card_chargeDeclinedStolenCard",
        402,
        Some("card_declined"),
        Some("stolen_card"),
    ),
    (
        "pm_card_chargeDeclinedExpiredCard",
        402,
        Some("expired_card"),
        Some("expired_card"),
    ),
    (
        "pm_card_chargeDeclinedIncorrectCvc",
        402,
        Some("incorrect_cvc"),
        Some("incorrect_cvc"),
    ),
    (
        "pm_card_chargeDeclinedProcessingError",
        402,
        Some("processing_error"),
        Some("processing_error"),
    ),
    (
        "pm_card_radarBlock",
        402,
        Some("card_declined"),
        Some("fraudulent"),
    ),
];

#[tokio::test]
async fn every_test_payment_method_has_its_documented_outcome() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    for (method, status, code, decline_code) in OUTCOMES {
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!("amount=2000&currency=usd&payment_method={method}&confirm=true"),
            )
            .await?;
        assert_eq!(reply.status, *status, "{method}: {}", reply.body);
        if code.is_none() {
            assert_eq!(reply.body["status"], "succeeded", "{method}");
            assert_eq!(reply.body["amount_received"], 2000);
            let charge = api
                .get(&format!(
                    "/v1/charges/{}",
                    reply.body["latest_charge"].as_str().unwrap_or_default()
                ))
                .await?;
            assert_eq!(
                (
                    charge.body["status"].as_str(),
                    charge.body["captured"].as_bool()
                ),
                (Some("succeeded"), Some(true))
            );
            continue;
        }
        let error = &reply.body["error"];
        assert_eq!(error["type"], "card_error", "{method}");
        assert_eq!(
            (error["code"].as_str(), error["decline_code"].as_str()),
            (*code, *decline_code),
            "{method}"
        );
        assert_eq!(
            error["payment_intent"]["status"], "requires_payment_method",
            "{method}"
        );
        assert_eq!(
            error["payment_intent"]["last_payment_error"]["decline_code"].as_str(),
            *decline_code
        );
        let charge = api
            .get(&format!(
                "/v1/charges/{}",
                error["charge"].as_str().unwrap_or_default()
            ))
            .await?;
        assert_eq!(
            (
                charge.body["status"].as_str(),
                charge.body["failure_code"].as_str()
            ),
            (Some("failed"), *code),
            "{method}"
        );
    }
    let ledger = api.admin_get("/ledger").await?;
    assert_eq!(ledger.body["totals"]["succeeded_charges"], 3);
    assert_eq!(ledger.body["totals"]["failed_charges"], 8);
    assert_eq!(ledger.body["totals"]["captured"], 6000);
    Ok(())
}

#[tokio::test]
async fn raw_card_numbers_create_payment_methods_with_the_same_outcomes() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let cases: &[(&str, &str, u16, Option<&str>)] = &[
        (
            "4242424242424242",
            "12&card[exp_year]=2034&card[cvc]=123",
            200,
            None,
        ),
        (
            "4000000000009995",
            "12&card[exp_year]=2034",
            402,
            Some("insufficient_funds"),
        ),
        (
            "4000000000000101",
            "12&card[exp_year]=2034&card[cvc]=123",
            402,
            Some("incorrect_cvc"),
        ),
        ("4000000000000101", "12&card[exp_year]=2034", 200, None),
    ];
    for (number, rest, status, decline_code) in cases {
        let method = api
            .post(
                "/v1/payment_methods",
                &format!("type=card&card[number]={number}&card[exp_month]={rest}"),
            )
            .await?;
        expect_status(&method, 200)?;
        assert_eq!(method.body["card"]["last4"], &number[12..]);
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!(
                    "amount=700&currency=eur&confirm=true&payment_method={}",
                    method.id()
                ),
            )
            .await?;
        assert_eq!(reply.status, *status, "{number}: {}", reply.body);
        assert_eq!(
            reply.body["error"]["decline_code"].as_str(),
            *decline_code,
            "{number}"
        );
    }
    let refusals = [
        ("4242424242424241", "12", "2034", "123", "incorrect_number"),
        (
            "4242424242424242",
            "13",
            "2034",
            "123",
            "invalid_expiry_month",
        ),
        (
            "4242424242424242",
            "12",
            "2001",
            "123",
            "invalid_expiry_year",
        ),
        ("4242424242424242", "12", "2034", "12", "invalid_cvc"),
    ];
    for (number, month, year, cvc, code) in refusals {
        let form = format!(
            "type=card&card[number]={number}&card[exp_month]={month}&card[exp_year]={year}&card[cvc]={cvc}"
        );
        let reply = api.post("/v1/payment_methods", &form).await?;
        assert_eq!(
            (reply.status, reply.body["error"]["code"].as_str()),
            (402, Some(code)),
            "{form}"
        );
        assert_eq!(reply.body["error"]["type"], "card_error");
    }
    Ok(())
}

#[tokio::test]
async fn three_d_secure_requires_action_then_completes_or_declines_off_session() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let intent = api
        .post(
            "/v1/payment_intents",
            "amount=1500&currency=usd&payment_method=pm_card_threeDSecureRequired&confirm=true",
        )
        .await?;
    expect_status(&intent, 200)?;
    assert_eq!(intent.body["status"], "requires_action");
    assert_eq!(intent.body["next_action"]["type"], "use_stripe_sdk");
    let completed = api
        .admin_post(
            &format!("/payment_intents/{}/authenticate", intent.id()),
            serde_json::json!({ "outcome": "succeed" }),
        )
        .await?;
    assert_eq!(completed.body["status"], "succeeded");
    let off_session = api.post("/v1/payment_intents", "amount=1500&currency=usd&payment_method=pm_card_authenticationRequired&confirm=true&off_session=true").await?;
    assert_eq!(off_session.status, 402);
    assert_eq!(off_session.body["error"]["code"], "authentication_required");
    let then_declined = api.post("/v1/payment_intents", "amount=1500&currency=usd&payment_method=pm_card_authenticationRequiredChargeDeclinedInsufficientFunds&confirm=true").await?;
    assert_eq!(then_declined.body["status"], "requires_action");
    let declined = api
        .admin_post(
            &format!("/payment_intents/{}/authenticate", then_declined.id()),
            serde_json::json!({}),
        )
        .await?;
    assert_eq!(declined.body["error"]["decline_code"], "insufficient_funds");
    let types = api.event_types().await?;
    assert!(
        types.contains(&"payment_intent.requires_action".to_owned()),
        "{types:?}"
    );
    Ok(())
}

#[tokio::test]
async fn manual_capture_full_partial_and_cancel() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let create =
        "amount=5000&currency=usd&payment_method=pm_card_visa&confirm=true&capture_method=manual";
    let full = api.post("/v1/payment_intents", create).await?;
    assert_eq!(
        (
            full.body["status"].as_str(),
            full.body["amount_capturable"].as_i64()
        ),
        (Some("requires_capture"), Some(5000))
    );
    let captured = api
        .post(&format!("/v1/payment_intents/{}/capture", full.id()), "")
        .await?;
    assert_eq!(
        (
            captured.body["status"].as_str(),
            captured.body["amount_received"].as_i64()
        ),
        (Some("succeeded"), Some(5000))
    );
    let partial = api.post("/v1/payment_intents", create).await?;
    let too_much = api
        .post(
            &format!("/v1/payment_intents/{}/capture", partial.id()),
            "amount_to_capture=5001",
        )
        .await?;
    assert_eq!(
        (too_much.status, too_much.body["error"]["code"].as_str()),
        (400, Some("amount_too_large"))
    );
    let part = api
        .post(
            &format!("/v1/payment_intents/{}/capture", partial.id()),
            "amount_to_capture=3000&expand[]=latest_charge",
        )
        .await?;
    assert_eq!(part.body["amount_received"], 3000);
    assert_eq!(
        (
            part.body["latest_charge"]["amount_captured"].as_i64(),
            part.body["latest_charge"]["amount_refunded"].as_i64()
        ),
        (Some(3000), Some(2000))
    );
    let again = api
        .post(&format!("/v1/payment_intents/{}/capture", partial.id()), "")
        .await?;
    assert_eq!(
        (again.status, again.body["error"]["code"].as_str()),
        (400, Some("payment_intent_unexpected_state"))
    );
    let released = api.post("/v1/payment_intents", create).await?;
    let canceled = api
        .post(
            &format!("/v1/payment_intents/{}/cancel", released.id()),
            "cancellation_reason=requested_by_customer",
        )
        .await?;
    assert_eq!(
        (
            canceled.body["status"].as_str(),
            canceled.body["cancellation_reason"].as_str()
        ),
        (Some("canceled"), Some("requested_by_customer"))
    );
    let ledger = api.admin_get("/ledger").await?;
    assert_eq!(ledger.body["totals"]["captured"], 8000);
    assert_eq!(ledger.body["totals"]["authorized_uncaptured"], 0);
    let types = api.event_types().await?;
    for expected in [
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
        "payment_intent.canceled",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} missing from {types:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn confirm_later_and_update_before_confirming() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let intent = api
        .post(
            "/v1/payment_intents",
            "amount=900&currency=usd&metadata[order]=42",
        )
        .await?;
    assert_eq!(intent.body["status"], "requires_payment_method");
    let updated = api
        .post(
            &format!("/v1/payment_intents/{}", intent.id()),
            "amount=950&payment_method=pm_card_visa",
        )
        .await?;
    assert_eq!(
        (
            updated.body["status"].as_str(),
            updated.body["amount"].as_i64()
        ),
        (Some("requires_confirmation"), Some(950))
    );
    let confirmed = api
        .post(&format!("/v1/payment_intents/{}/confirm", intent.id()), "")
        .await?;
    assert_eq!(confirmed.body["status"], "succeeded");
    assert_eq!(confirmed.body["metadata"]["order"], "42");
    let late = api
        .post(&format!("/v1/payment_intents/{}", intent.id()), "amount=1")
        .await?;
    assert_eq!(
        late.body["error"]["code"],
        "payment_intent_unexpected_state"
    );
    let listed = api.get("/v1/payment_intents?limit=1").await?;
    assert_eq!(listed.body["data"][0]["id"], Value::String(intent.id()));
    Ok(())
}

#[tokio::test]
async fn refunds_full_partial_several_and_over_refund() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let paid = api
        .post(
            "/v1/payment_intents",
            "amount=10000&currency=usd&payment_method=pm_card_visa&confirm=true",
        )
        .await?;
    let charge = paid.body["latest_charge"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let first = api
        .post(
            "/v1/refunds",
            &format!(
                "payment_intent={}&amount=3000&reason=requested_by_customer",
                paid.id()
            ),
        )
        .await?;
    assert_eq!(
        (first.body["status"].as_str(), first.body["charge"].as_str()),
        (Some("succeeded"), Some(charge.as_str()))
    );
    let second = api
        .post("/v1/refunds", &format!("charge={charge}&amount=2000"))
        .await?;
    expect_status(&second, 200)?;
    let over = api
        .post("/v1/refunds", &format!("charge={charge}&amount=5001"))
        .await?;
    assert_eq!(
        (
            over.status,
            over.body["error"]["code"].as_str(),
            over.body["error"]["param"].as_str()
        ),
        (400, Some("amount_too_large"), Some("amount"))
    );
    let after_partials = api.get(&format!("/v1/charges/{charge}")).await?;
    assert_eq!(
        (
            after_partials.body["amount_refunded"].as_i64(),
            after_partials.body["refunded"].as_bool()
        ),
        (Some(5000), Some(false))
    );
    let rest = api.post("/v1/refunds", &format!("charge={charge}")).await?;
    assert_eq!(rest.body["amount"], 5000);
    let done = api.get(&format!("/v1/charges/{charge}")).await?;
    assert_eq!(
        (
            done.body["amount_refunded"].as_i64(),
            done.body["refunded"].as_bool()
        ),
        (Some(10000), Some(true))
    );
    let again = api
        .post("/v1/refunds", &format!("charge={charge}&amount=1"))
        .await?;
    assert_eq!(again.body["error"]["code"], "charge_already_refunded");
    let listed = api.get(&format!("/v1/refunds?charge={charge}")).await?;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(3));
    let ledger = api.admin_get("/ledger").await?;
    let per_intent = &ledger.body["payment_intents"][paid.id()];
    assert_eq!(
        (
            per_intent["captured"].as_i64(),
            per_intent["refunded"].as_i64(),
            per_intent["net"].as_i64()
        ),
        (Some(10000), Some(10000), Some(0))
    );
    let types = api.event_types().await?;
    assert_eq!(types.iter().filter(|t| *t == "charge.refunded").count(), 3);
    assert_eq!(types.iter().filter(|t| *t == "refund.created").count(), 3);
    Ok(())
}
