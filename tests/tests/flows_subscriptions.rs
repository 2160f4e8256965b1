//! The subscription lifecycle on a test clock: a trial, its end, a renewal, a failing
//! renewal leading to `past_due` and on to cancellation, and cancel at period end, with the
//! events each stage emits (read back through `/v1/events`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use payforge::Currency;
use payforge::wire::StringEnum;
use payforge_stripe::{
    AdvanceTestHelperTestClock, AttachPaymentMethod, CreateCustomer, CreatePrice,
    CreatePriceRecurring, CreatePriceRecurringInterval, CreateProduct, CreateSubscription,
    CreateSubscriptionItems, CreateTestHelperTestClock, ListEvents, RetrieveSubscription,
    RetrieveTestHelperTestClock, Subscription, SubscriptionStatus, TestHelpersTestClockStatus,
    UpdateSubscription,
};
use payforge_tests::flow_tests;
use payforge_tests::flows::{FlowEnv, Target, TestResult, eventually};

flow_tests!(
    a_trial_renews_then_a_failing_card_leads_to_past_due_and_cancellation,
    cancel_at_period_end_ends_the_subscription_without_another_charge,
);

const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;

/// A customer on its own test clock, paying with a test Visa, and a $10 monthly price.
struct Billing {
    clock: String,
    customer: String,
    visa: String,
    price: String,
}

async fn billing(env: &FlowEnv) -> TestResult<Billing> {
    let client = env.client();
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let clock = client
        .send(CreateTestHelperTestClock::new(i64::try_from(now)?))
        .await?;
    let customer = client
        .send(CreateCustomer::new().test_clock(&clock.id))
        .await?;
    let visa = client
        .send(AttachPaymentMethod::new("pm_card_visa", &customer.id))
        .await?;
    let product = client
        .send(CreateProduct::new("payforge flows plan"))
        .await?;
    let price = client
        .send(
            CreatePrice::new(Currency::Usd)
                .product(&product.id)
                .unit_amount(1_000)
                .recurring(CreatePriceRecurring::new(
                    CreatePriceRecurringInterval::Month,
                )),
        )
        .await?;
    Ok(Billing {
        clock: clock.id.into_string(),
        customer: customer.id.into_string(),
        visa: visa.id.into_string(),
        price: price.id.into_string(),
    })
}

/// Moves the clock to `to` and waits until Stripe (or the sandbox) has run everything due.
async fn advance(env: &FlowEnv, clock: &str, to: i64) -> TestResult {
    env.client()
        .send(AdvanceTestHelperTestClock::new(clock, to))
        .await?;
    eventually(
        "the test clock to be ready",
        Duration::from_secs(120),
        || async move {
            let clock = env
                .client()
                .send(RetrieveTestHelperTestClock::new(clock))
                .await?;
            Ok(
                (clock.status == TestHelpersTestClockStatus::Ready && clock.frozen_time == to)
                    .then_some(()),
            )
        },
    )
    .await
}

async fn subscription(env: &FlowEnv, id: &str) -> TestResult<Subscription> {
    Ok(env.client().send(RetrieveSubscription::new(id)).await?)
}

/// The types of the events about `subscription` (the subscription itself or its invoices),
/// oldest first.
async fn events_of(env: &FlowEnv, subscription: &str) -> TestResult<Vec<String>> {
    let types = ["customer.subscription.*", "invoice.*"];
    let mut seen = Vec::new();
    for prefix in types {
        let page = env
            .client()
            .send(ListEvents::new().type_(prefix).limit(100))
            .await?;
        for event in page.data {
            let object = &event.data.object;
            if object["id"] == subscription || object["subscription"] == subscription {
                seen.push((event.created, event.id, event.type_));
            }
        }
    }
    seen.sort();
    Ok(seen
        .into_iter()
        .map(|(_, _, event_type)| event_type)
        .collect())
}

fn count(events: &[String], event_type: &str) -> usize {
    events.iter().filter(|e| e.as_str() == event_type).count()
}

async fn a_trial_renews_then_a_failing_card_leads_to_past_due_and_cancellation(
    env: &FlowEnv,
) -> TestResult {
    let client = env.client();
    let billing = billing(env).await?;
    let item = CreateSubscriptionItems::new().price(&billing.price);
    let created = client
        .send(
            CreateSubscription::new(&billing.customer)
                .items(vec![item])
                .default_payment_method(&billing.visa)
                .trial_period_days(7),
        )
        .await?;
    assert_eq!(created.status, SubscriptionStatus::Trialing);
    let trial_end = created.trial_end.ok_or("a trial has an end")?;
    let events = events_of(env, &created.id).await?;
    assert_eq!(
        count(&events, "customer.subscription.created"),
        1,
        "{events:?}"
    );

    // The trial ends: the first real invoice is paid and the subscription becomes active.
    advance(env, &billing.clock, trial_end + HOUR).await?;
    let active = subscription(env, &created.id).await?;
    assert_eq!(active.status, SubscriptionStatus::Active);
    let events = events_of(env, &created.id).await?;
    assert_eq!(
        count(&events, "customer.subscription.trial_will_end"),
        1,
        "{events:?}"
    );
    let paid_after_trial = count(&events, "invoice.payment_succeeded");
    assert!(paid_after_trial >= 1, "the first paid period: {events:?}");

    // A renewal: another period, another paid invoice.
    advance(env, &billing.clock, active.current_period_end + HOUR).await?;
    let renewed = subscription(env, &created.id).await?;
    assert_eq!(renewed.status, SubscriptionStatus::Active);
    assert!(renewed.current_period_start >= active.current_period_end);
    let events = events_of(env, &created.id).await?;
    assert_eq!(
        count(&events, "invoice.payment_succeeded"),
        paid_after_trial + 1,
        "{events:?}"
    );

    failing_renewals_end_the_subscription(env, &billing, &renewed).await
}

/// Switches the subscription to a card that declines every charge and runs its clock through
/// the failed renewal and every retry.
async fn failing_renewals_end_the_subscription(
    env: &FlowEnv,
    billing: &Billing,
    renewed: &Subscription,
) -> TestResult {
    let client = env.client();
    // The card now declines every charge: the next renewal fails and the subscription is
    // past due.
    let failing = client
        .send(AttachPaymentMethod::new(
            "pm_card_chargeCustomerFail",
            &billing.customer,
        ))
        .await?;
    client
        .send(UpdateSubscription::new(&renewed.id).default_payment_method(&failing.id))
        .await?;
    advance(env, &billing.clock, renewed.current_period_end + HOUR).await?;
    let past_due = subscription(env, &renewed.id).await?;
    assert_eq!(past_due.status, SubscriptionStatus::PastDue);
    let events = events_of(env, &renewed.id).await?;
    assert!(count(&events, "invoice.payment_failed") >= 1, "{events:?}");

    // The retries fail too. The sandbox cancels after the fourth failed attempt (2 days
    // apart); on Stripe, what follows the last retry is an account setting (cancel, mark
    // unpaid, or leave past due), so only "no longer active" is asserted there.
    advance(env, &billing.clock, renewed.current_period_end + 9 * DAY).await?;
    let ended = subscription(env, &renewed.id).await?;
    let events = events_of(env, &renewed.id).await?;
    if env.target() == Target::Sandbox {
        assert_eq!(ended.status, SubscriptionStatus::Canceled);
        assert_eq!(
            count(&events, "customer.subscription.deleted"),
            1,
            "{events:?}"
        );
        assert_eq!(count(&events, "invoice.payment_failed"), 4, "{events:?}");
    } else {
        let status = ended.status.as_wire_str();
        assert!(
            ["canceled", "unpaid", "past_due"].contains(&status),
            "{status}"
        );
    }
    Ok(())
}

async fn cancel_at_period_end_ends_the_subscription_without_another_charge(
    env: &FlowEnv,
) -> TestResult {
    let client = env.client();
    let billing = billing(env).await?;
    let created = client
        .send(
            CreateSubscription::new(&billing.customer)
                .items(vec![CreateSubscriptionItems::new().price(&billing.price)])
                .default_payment_method(&billing.visa),
        )
        .await?;
    assert_eq!(
        created.status,
        SubscriptionStatus::Active,
        "charged at creation"
    );

    let ending = client
        .send(UpdateSubscription::new(&created.id).cancel_at_period_end(true))
        .await?;
    assert!(ending.cancel_at_period_end);
    assert_eq!(
        ending.status,
        SubscriptionStatus::Active,
        "active until the period ends"
    );

    advance(env, &billing.clock, created.current_period_end + HOUR).await?;
    let ended = subscription(env, &created.id).await?;
    assert_eq!(ended.status, SubscriptionStatus::Canceled);
    let events = events_of(env, &created.id).await?;
    assert_eq!(
        count(&events, "customer.subscription.deleted"),
        1,
        "{events:?}"
    );
    assert_eq!(
        count(&events, "invoice.payment_succeeded"),
        1,
        "no renewal charge: {events:?}"
    );
    Ok(())
}
