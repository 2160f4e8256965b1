//! Subscriptions driven by a test clock: trial, renewal, failed renewal, cancellation.

mod common;

use common::{Api, TestResult, expect_status, start};
use serde_json::Value;

const DAY: i64 = 86_400;
/// 2023-11-14T22:13:20Z.
const T0: i64 = 1_700_000_000;

struct Setup {
    clock: String,
    customer: String,
    price: String,
}

async fn setup(api: &Api) -> TestResult<Setup> {
    let clock = api
        .post(
            "/v1/test_helpers/test_clocks",
            &format!("frozen_time={T0}&name=lifecycle"),
        )
        .await?;
    expect_status(&clock, 200)?;
    let customer = api
        .customer(&format!(
            "test_clock={}&invoice_settings[default_payment_method]=pm_card_visa",
            clock.id()
        ))
        .await?;
    let price = api
        .post(
            "/v1/prices",
            "currency=usd&unit_amount=2000&recurring[interval]=month&product_data[name]=Pro",
        )
        .await?;
    expect_status(&price, 200)?;
    assert_eq!(price.body["type"], "recurring");
    Ok(Setup {
        clock: clock.id(),
        customer,
        price: price.id(),
    })
}

async fn advance(api: &Api, clock: &str, to: i64) -> TestResult<Value> {
    let reply = api
        .post(
            &format!("/v1/test_helpers/test_clocks/{clock}/advance"),
            &format!("frozen_time={to}"),
        )
        .await?;
    expect_status(&reply, 200)?;
    assert_eq!(
        (
            reply.body["status"].as_str(),
            reply.body["frozen_time"].as_i64()
        ),
        (Some("ready"), Some(to))
    );
    Ok(reply.body)
}

/// The event types recorded since `seen` events, oldest first; moves `seen` on.
async fn new_events(api: &Api, seen: &mut usize) -> TestResult<Vec<String>> {
    let all = api.event_types().await?;
    let fresh = all[*seen..].to_vec();
    *seen = all.len();
    Ok(fresh)
}

fn assert_contains_in_order(events: &[String], expected: &[&str]) {
    let mut rest = events.iter();
    for wanted in expected {
        assert!(
            rest.any(|e| e == wanted),
            "{wanted} missing (in order) from {events:?}"
        );
    }
}

#[tokio::test]
async fn trial_then_renewals_then_failed_renewals_until_canceled() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let Setup {
        clock,
        customer,
        price,
    } = setup(&api).await?;
    let mut seen = api.event_types().await?.len();
    let created = api
        .post(
            "/v1/subscriptions",
            &format!("customer={customer}&items[0][price]={price}&trial_period_days=7"),
        )
        .await?;
    expect_status(&created, 200)?;
    let subscription = created.id();
    assert_eq!(
        (
            created.body["status"].as_str(),
            created.body["trial_end"].as_i64()
        ),
        (Some("trialing"), Some(T0 + 7 * DAY))
    );
    assert_contains_in_order(
        &new_events(&api, &mut seen).await?,
        &[
            "customer.subscription.created",
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
        ],
    );

    advance(&api, &clock, T0 + 5 * DAY).await?;
    assert_contains_in_order(
        &new_events(&api, &mut seen).await?,
        &[
            "customer.subscription.trial_will_end",
            "test_helpers.test_clock.ready",
        ],
    );

    advance(&api, &clock, T0 + 8 * DAY).await?;
    let active = api
        .get(&format!(
            "/v1/subscriptions/{subscription}?expand[]=latest_invoice"
        ))
        .await?;
    assert_eq!(active.body["status"], "active");
    assert_eq!(
        (
            active.body["current_period_start"].as_i64(),
            active.body["latest_invoice"]["status"].as_str()
        ),
        (Some(T0 + 7 * DAY), Some("paid"))
    );
    assert_eq!(active.body["latest_invoice"]["amount_paid"], 2000);
    assert_contains_in_order(
        &new_events(&api, &mut seen).await?,
        &[
            "customer.subscription.updated",
            "invoice.created",
            "invoice.finalized",
            "charge.succeeded",
            "payment_intent.succeeded",
            "invoice.paid",
            "invoice.payment_succeeded",
        ],
    );

    let period_end = active.body["current_period_end"]
        .as_i64()
        .unwrap_or_default();
    advance(&api, &clock, period_end + 3600).await?;
    let renewed = api
        .get(&format!(
            "/v1/subscriptions/{subscription}?expand[]=latest_invoice"
        ))
        .await?;
    assert_eq!(
        (
            renewed.body["current_period_start"].as_i64(),
            renewed.body["latest_invoice"]["created"].as_i64()
        ),
        (Some(period_end), Some(period_end))
    );
    assert_eq!(
        renewed.body["latest_invoice"]["billing_reason"],
        "subscription_cycle"
    );
    assert_contains_in_order(
        &new_events(&api, &mut seen).await?,
        &["customer.subscription.updated", "invoice.paid"],
    );
    assert_eq!(
        api.admin_get("/ledger").await?.body["totals"]["captured"],
        4000
    );

    let declining = api
        .post(
            &format!("/v1/customers/{customer}"),
            "invoice_settings[default_payment_method]=pm_card_chargeDeclinedInsufficientFunds",
        )
        .await?;
    expect_status(&declining, 200)?;
    let next_end = renewed.body["current_period_end"]
        .as_i64()
        .unwrap_or_default();
    advance(&api, &clock, next_end + 3600).await?;
    let past_due = api
        .get(&format!(
            "/v1/subscriptions/{subscription}?expand[]=latest_invoice"
        ))
        .await?;
    assert_eq!(past_due.body["status"], "past_due");
    let invoice = &past_due.body["latest_invoice"];
    assert_eq!(
        (
            invoice["status"].as_str(),
            invoice["attempt_count"].as_i64()
        ),
        (Some("open"), Some(1))
    );
    assert_eq!(
        invoice["next_payment_attempt"].as_i64(),
        Some(next_end + 2 * DAY)
    );
    assert_contains_in_order(
        &new_events(&api, &mut seen).await?,
        &[
            "invoice.created",
            "charge.failed",
            "payment_intent.payment_failed",
            "invoice.payment_failed",
            "customer.subscription.updated",
        ],
    );

    advance(&api, &clock, next_end + 7 * DAY).await?;
    let canceled = api
        .get(&format!(
            "/v1/subscriptions/{subscription}?expand[]=latest_invoice"
        ))
        .await?;
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(
        canceled.body["cancellation_details"]["reason"],
        "payment_failed"
    );
    assert_eq!(canceled.body["latest_invoice"]["attempt_count"], 4);
    let events = new_events(&api, &mut seen).await?;
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "invoice.payment_failed")
            .count(),
        3
    );
    assert_contains_in_order(
        &events,
        &["invoice.payment_failed", "customer.subscription.deleted"],
    );
    let ledger = api.admin_get("/ledger").await?;
    assert_eq!(
        (
            ledger.body["totals"]["captured"].as_i64(),
            ledger.body["totals"]["failed_charges"].as_i64()
        ),
        (Some(4000), Some(4))
    );
    Ok(())
}

#[tokio::test]
async fn cancel_at_period_end_immediate_cancel_and_paying_a_past_due_invoice() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let Setup {
        clock,
        customer,
        price,
    } = setup(&api).await?;
    let at_end = api
        .post(
            "/v1/subscriptions",
            &format!("customer={customer}&items[0][price]={price}"),
        )
        .await?;
    assert_eq!(at_end.body["status"], "active");
    let period_end = at_end.body["current_period_end"]
        .as_i64()
        .unwrap_or_default();
    let flagged = api
        .post(
            &format!("/v1/subscriptions/{}", at_end.id()),
            "cancel_at_period_end=true",
        )
        .await?;
    assert_eq!(
        (
            flagged.body["status"].as_str(),
            flagged.body["cancel_at"].as_i64()
        ),
        (Some("active"), Some(period_end))
    );
    advance(&api, &clock, period_end + 60).await?;
    let ended = api
        .get(&format!("/v1/subscriptions/{}", at_end.id()))
        .await?;
    assert_eq!(
        (
            ended.body["status"].as_str(),
            ended.body["ended_at"].as_i64()
        ),
        (Some("canceled"), Some(period_end))
    );

    let now_sub = api
        .post(
            "/v1/subscriptions",
            &format!("customer={customer}&items[0][price]={price}"),
        )
        .await?;
    let canceled = api
        .delete(&format!("/v1/subscriptions/{}", now_sub.id()))
        .await?;
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(
        api.get(&format!("/v1/subscriptions?customer={customer}"))
            .await?
            .body["data"],
        serde_json::json!([])
    );

    api.post(
        &format!("/v1/customers/{customer}"),
        "invoice_settings[default_payment_method]=pm_card_chargeDeclined",
    )
    .await?;
    let recovering = api
        .post(
            "/v1/subscriptions",
            &format!(
                "customer={customer}&items[0][price]={price}&default_payment_method=pm_card_visa"
            ),
        )
        .await?;
    assert_eq!(
        recovering.body["status"], "active",
        "the subscription's own payment method wins"
    );
    api.post(
        &format!("/v1/subscriptions/{}", recovering.id()),
        "default_payment_method=",
    )
    .await?;
    let renewal_at = recovering.body["current_period_end"]
        .as_i64()
        .unwrap_or_default();
    advance(&api, &clock, renewal_at + 60).await?;
    let past_due = api
        .get(&format!("/v1/subscriptions/{}", recovering.id()))
        .await?;
    assert_eq!(past_due.body["status"], "past_due");
    let invoice = past_due.body["latest_invoice"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let paid = api
        .post(
            &format!("/v1/invoices/{invoice}/pay"),
            "payment_method=pm_card_visa",
        )
        .await?;
    assert_eq!(paid.body["status"], "paid");
    assert_eq!(
        api.get(&format!("/v1/subscriptions/{}", recovering.id()))
            .await?
            .body["status"],
        "active"
    );
    Ok(())
}

#[tokio::test]
async fn a_first_payment_that_fails_leaves_the_subscription_incomplete_until_it_expires()
-> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let Setup {
        clock,
        customer,
        price,
    } = setup(&api).await?;
    let form = format!(
        "customer={customer}&items[0][price]={price}&default_payment_method=pm_card_chargeDeclined"
    );
    let incomplete = api.post("/v1/subscriptions", &form).await?;
    assert_eq!(incomplete.body["status"], "incomplete");
    advance(&api, &clock, T0 + DAY).await?;
    assert_eq!(
        api.get(&format!("/v1/subscriptions/{}", incomplete.id()))
            .await?
            .body["status"],
        "incomplete_expired"
    );
    let one_time = api
        .post(
            "/v1/prices",
            "currency=usd&unit_amount=500&product_data[name]=Once",
        )
        .await?;
    let refused = api
        .post(
            "/v1/subscriptions",
            &format!("customer={customer}&items[0][price]={}", one_time.id()),
        )
        .await?;
    assert_eq!(
        (refused.status, refused.body["error"]["param"].as_str()),
        (400, Some("items[0][price]"))
    );
    Ok(())
}
