//! The checkout example, run the way its binary runs: a local sandbox, the shop's HTTP server
//! on 127.0.0.1 with its receiver registered as a webhook endpoint, and a browser's requests
//! over HTTP. Money is read from the sandbox's ledger.

use std::time::Duration;

use payforge::client::{Client, Environment};
use payforge::journal::SqliteJournal;
use payforge::secrets::FileSecretProvider;
use payforge::webhook::{InboxState, SqliteInbox, StripeSignature, WebhookInbox, WebhookVerifier};
use payforge_examples::checkout::{Order, OrderStatus, RunningShop};
use payforge_sandbox::{RunningSandbox, Sandbox};
use payforge_stripe::{CreateRefund, CreateWebhookEndpoint, Stripe};
use serde_json::{Value, json};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The sandbox, the shop serving against it, and a browser.
struct World {
    sandbox: RunningSandbox,
    shop: RunningShop,
    client: Client<Stripe>,
    browser: reqwest::Client,
    _data: tempfile::TempDir,
}

impl World {
    async fn start() -> TestResult<Self> {
        let sandbox = Sandbox::builder().start().await?;
        let data = tempfile::tempdir()?;
        // The key comes from a file, as from a mounted secret in production.
        let key_file = data.path().join("stripe-key");
        std::fs::write(&key_file, "sk_test_checkout_example")?; // audit:allow (sandbox key)
        let client = || async {
            Client::<Stripe>::builder()
                .environment(Environment::Sandbox {
                    base_url: sandbox.url(),
                })
                .secrets(FileSecretProvider::new(&key_file))
                .journal(SqliteJournal::open(data.path().join("journal.sqlite")).await?)
                .build()
                .await
                .map_err(|error| -> Box<dyn std::error::Error + Send + Sync> { error.into() })
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let every_event = vec!["*".parse()?];
        let endpoint = client()
            .await?
            .send(CreateWebhookEndpoint::new(
                every_event,
                format!("http://{address}/webhooks/stripe"),
            ))
            .await?;
        let secret = endpoint.secret.ok_or("no signing secret")?;
        let verifier = WebhookVerifier::new("stripe", StripeSignature::new([secret])?);
        let inbox =
            SqliteInbox::open(data.path().join("shop.sqlite"), SqliteInbox::DEFAULT_TABLE).await?;
        let shop = RunningShop::start(listener, client().await?, inbox, verifier).await?;
        Ok(Self {
            client: client().await?,
            sandbox,
            shop,
            browser: reqwest::Client::new(),
            _data: data,
        })
    }

    /// `POST /orders`: the status code and the JSON body.
    async fn place(&self, order_id: &str, amount: i64, card: &str) -> TestResult<(u16, Value)> {
        let response = self
            .browser
            .post(format!("http://{}/orders", self.shop.address))
            .json(&json!({
                "order_id": order_id,
                "amount": amount,
                "currency": "usd",
                "payment_method": card,
            }))
            .send()
            .await?;
        Ok((response.status().as_u16(), response.json().await?))
    }

    /// `GET /orders/{id}`.
    async fn order(&self, order_id: &str) -> TestResult<Order> {
        let url = format!("http://{}/orders/{order_id}", self.shop.address);
        Ok(self
            .browser
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Polls the order until `done` holds (webhooks are asynchronous), for up to 30 s.
    async fn order_once(&self, order_id: &str, done: impl Fn(&Order) -> bool) -> TestResult<Order> {
        let mut order = self.order(order_id).await?;
        for _ in 0..600 {
            if done(&order) {
                return Ok(order);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            order = self.order(order_id).await?;
        }
        Err(format!("the order never got there: {order:?}").into())
    }

    /// Waits until the sandbox delivered every event it emitted so far and the shop's worker
    /// finished each (the sandbox's admin surface lists the deliveries).
    async fn all_events_processed(&self) -> TestResult {
        let url = format!("{}/_sandbox/deliveries", self.sandbox.url());
        for _ in 0..600 {
            let listing: Value = self.browser.get(&url).send().await?.json().await?;
            let deliveries = listing["deliveries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut done = !deliveries.is_empty();
            for delivery in &deliveries {
                let event_id = delivery["event_id"]
                    .as_str()
                    .ok_or("a delivery without event")?;
                let entry = self.shop.inbox().entry("stripe", event_id).await?;
                done &= delivery["status"] == "succeeded"
                    && entry.is_some_and(|entry| matches!(entry.state, InboxState::Done { .. }));
            }
            if done {
                let types: Vec<&str> = deliveries
                    .iter()
                    .filter_map(|d| d["event_type"].as_str())
                    .collect();
                assert!(
                    types.contains(&"payment_intent.payment_failed"),
                    "the decline's event was delivered: {types:?}"
                );
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the shop never processed every delivery".into())
    }

    /// Charges the sandbox made for `payment_intent` that succeeded.
    fn succeeded_charges(&self, payment_intent: &str) -> usize {
        self.sandbox
            .ledger()
            .charges
            .iter()
            .filter(|charge| {
                charge.payment_intent.as_deref() == Some(payment_intent)
                    && charge.status == "succeeded"
            })
            .count()
    }
}

#[tokio::test]
async fn an_order_is_paid_once_however_often_the_browser_retries() -> TestResult {
    let world = World::start().await?;
    let (status, body) = world.place("order-1001", 4_200, "pm_card_visa").await?;
    assert_eq!(status, 202, "{body}");
    // The browser retries (it timed out, say): the same order, the same card.
    let (status, again) = world.place("order-1001", 4_200, "pm_card_visa").await?;
    assert!(status == 202 || status == 200, "{status} {again}");
    assert_eq!(
        again["payment_intent"], body["payment_intent"],
        "one payment intent"
    );

    let order = world
        .order_once("order-1001", |order| order.status == OrderStatus::Paid)
        .await?;
    let intent = order.payment_intent.ok_or("no payment intent")?;
    assert_eq!(world.succeeded_charges(&intent), 1);
    assert_eq!(world.sandbox.ledger().totals.captured, 4_200);

    // Paid orders answer as they are, and charge nothing more.
    let (status, paid) = world.place("order-1001", 4_200, "pm_card_visa").await?;
    assert_eq!((status, paid["status"].as_str()), (200, Some("paid")));
    assert_eq!(world.sandbox.ledger().totals.succeeded_charges, 1);

    // The same order id with other terms is refused.
    let (status, conflict) = world.place("order-1001", 9_900, "pm_card_visa").await?;
    assert_eq!(
        (status, conflict["error"].as_str()),
        (409, Some("order_conflict"))
    );
    world.shop.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn a_declined_card_is_a_402_with_its_reason_and_another_card_pays() -> TestResult {
    let world = World::start().await?;
    let (status, declined) = world
        .place(
            "order-2002",
            1_500,
            "pm_card_chargeDeclinedInsufficientFunds",
        )
        .await?;
    assert_eq!(status, 402, "{declined}");
    assert_eq!(declined["error"], "card_declined");
    assert_eq!(declined["retry_safe"], false);
    assert!(
        declined["customer_message"]
            .as_str()
            .is_some_and(|text| !text.is_empty()),
        "{declined}"
    );
    let order = world.order("order-2002").await?;
    assert_eq!(order.status, OrderStatus::Failed);
    assert_eq!(order.failure.as_deref(), Some("insufficient_funds"));

    let (status, retried) = world.place("order-2002", 1_500, "pm_card_visa").await?;
    assert_eq!(status, 202, "{retried}");
    let order = world
        .order_once("order-2002", |order| order.status == OrderStatus::Paid)
        .await?;
    // The first card's `payment_intent.payment_failed` arrives too, maybe later; it must not
    // undo the payment. Once every event the sandbox emitted is processed, look again.
    world.all_events_processed().await?;
    assert_eq!(world.order("order-2002").await?.status, OrderStatus::Paid);
    assert_eq!(order.failure, None);
    world.shop.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn a_refund_reaches_the_order_through_its_webhook() -> TestResult {
    let world = World::start().await?;
    let (status, body) = world.place("order-3003", 2_500, "pm_card_visa").await?;
    assert_eq!(status, 202, "{body}");
    let order = world
        .order_once("order-3003", |order| order.status == OrderStatus::Paid)
        .await?;
    let intent = order.payment_intent.ok_or("no payment intent")?;

    // Support refunds part, then the rest.
    world
        .client
        .send(
            CreateRefund::new()
                .payment_intent(intent.clone())
                .amount(1_000),
        )
        .await?;
    let partly = world
        .order_once("order-3003", |order| order.amount_refunded == 1_000)
        .await?;
    assert_eq!(
        partly.status,
        OrderStatus::Paid,
        "a partial refund keeps it paid"
    );
    world
        .client
        .send(CreateRefund::new().payment_intent(intent))
        .await?;
    let refunded = world
        .order_once("order-3003", |order| order.status == OrderStatus::Refunded)
        .await?;
    assert_eq!(refunded.amount_refunded, 2_500);
    assert_eq!(world.sandbox.ledger().totals.refunded, 2_500);
    world.shop.shutdown().await?;
    Ok(())
}
