//! The generated PayPal SDK, sent by `payforge::Client<Paypal>` to the PayPal-shaped server
//! of `support` (OAuth2 token endpoint included): `Prefer` as a typed choice (the full order
//! by default, a `MinimalResponse` through `.minimal()`), the buyer-approval link in one
//! call, three pages of plans by page number, and webhook events by their HATEOAS `next`
//! links.
#![cfg(all(feature = "orders", feature = "subscriptions", feature = "webhooks"))]

mod support;

use futures::TryStreamExt;
use payforge::client::{Client, Environment};
use payforge::secrets::FileSecretProvider;
use payforge::wire::{LinkMethod, Links, MinimalResponse};
use payforge_paypal::{
    ApproveLink, CheckoutPaymentIntent, CreateOrder, ListPlans, ListWebhookEvents, Order,
    OrderStatus, Paypal,
};
use serde_json::json;
use support::{CREDENTIALS, PaypalServer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A client of `server` in its sandbox environment, its credentials read from a file.
async fn client(
    server: &PaypalServer,
) -> Result<(Client<Paypal>, tempfile::TempDir), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let credentials = dir.path().join("paypal-credentials");
    std::fs::write(&credentials, format!("{CREDENTIALS}\n"))?;
    let client = Client::<Paypal>::builder()
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .secrets(FileSecretProvider::new(credentials))
        .ephemeral_journal()
        .build()
        .await?;
    Ok((client, dir))
}

fn create_order() -> Result<CreateOrder, serde_json::Error> {
    let units = serde_json::from_value(json!([
        {"reference_id": "default", "amount": {"currency_code": "USD", "value": "100.00"}}
    ]))?;
    Ok(CreateOrder::new(CheckoutPaymentIntent::Capture, units))
}

/// Each API request's path and query, in order.
fn requests(server: &PaypalServer) -> Vec<String> {
    server
        .seen()
        .into_iter()
        .map(|seen| format!("{}?{}", seen.path, seen.query))
        .collect()
}

#[tokio::test]
async fn prefer_representation_returns_the_order_and_minimal_says_it_is_minimal() -> TestResult {
    let server = PaypalServer::start().await?;
    let (client, _dir) = client(&server).await?;

    let order: Order = client.send(create_order()?).await?;
    let minimal: MinimalResponse<Order> = client.send(create_order()?.minimal()).await?;

    assert_eq!(order.intent, Some(CheckoutPaymentIntent::Capture));
    assert_eq!(order.status, Some(OrderStatus::Created));
    assert!(order.purchase_units.is_some_and(|units| units.len() == 1));
    assert_eq!(minimal.id.as_deref(), Some("O-2"));
    assert_eq!(minimal.status.as_deref(), Some("CREATED"));
    assert!(minimal.other.get("purchase_units").is_none());
    let prefer: Vec<_> = server.seen().into_iter().map(|seen| seen.prefer).collect();
    assert_eq!(
        prefer,
        [
            Some("return=representation".to_owned()),
            Some("return=minimal".to_owned())
        ]
    );
    assert_eq!(server.token_requests(), 1, "one token for both calls");
    Ok(())
}

#[tokio::test]
async fn the_approval_link_is_one_call_on_the_order_and_on_its_minimal_form() -> TestResult {
    let server = PaypalServer::start().await?;
    let (client, _dir) = client(&server).await?;

    let order = client.send(create_order()?).await?;
    let minimal = client.send(create_order()?.minimal()).await?;

    let approve = order.approve_link().map(|link| link.href.as_str());
    assert_eq!(
        approve,
        Some("https://www.sandbox.paypal.com/checkoutnow?token=O-1")
    );
    assert_eq!(
        minimal.approve_link().map(|link| link.href.as_str()),
        Some("https://www.sandbox.paypal.com/checkoutnow?token=O-2")
    );
    assert_eq!(
        order.link("capture").map(|link| link.method()),
        Some(LinkMethod::Post)
    );
    assert_eq!(order.links().len(), 3);
    Ok(())
}

#[tokio::test]
async fn plans_are_paged_by_number_through_three_pages() -> TestResult {
    let server = PaypalServer::start().await?;
    let (client, _dir) = client(&server).await?;

    let plans: Vec<_> = client
        .paginate(ListPlans::new().page_size(3).total_required(true))
        .try_collect()
        .await?;

    let ids: Vec<_> = plans.iter().filter_map(|plan| plan.id.as_deref()).collect();
    assert_eq!(ids, ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7"]);
    assert_eq!(
        requests(&server),
        [
            "/v1/billing/plans?page_size=3&total_required=true",
            "/v1/billing/plans?page=2&page_size=3&total_required=true",
            "/v1/billing/plans?page=3&page_size=3&total_required=true",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn webhook_events_are_paged_by_their_next_links() -> TestResult {
    let server = PaypalServer::start().await?;
    let (client, _dir) = client(&server).await?;

    let events: Vec<_> = client
        .paginate(ListWebhookEvents::new().page_size(2))
        .try_collect()
        .await?;

    assert_eq!(events.len(), 5);
    assert_eq!(
        requests(&server),
        [
            "/v1/notifications/webhooks-events?page_size=2",
            "/v1/notifications/webhooks-events?page_size=2&start_id=2",
            "/v1/notifications/webhooks-events?page_size=2&start_id=4",
        ]
    );
    Ok(())
}
