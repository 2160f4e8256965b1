//! Every route the sandbox serves answers in the generated SDK's types (issue #5).
//!
//! One walk drives every `/v1` route of [`payforge_sandbox::routes`] through the real
//! `payforge::Client` with realistic state (a customer paying by card, a manual capture, a
//! refund, a catalogue, a subscription billed on a test clock, webhook endpoints, events,
//! deletions and lists), so each success is decoded by the SDK's own decoding path into the
//! operation's `Endpoint::Output`, and each error into the `StripeError` envelope. A decode
//! failure names the operation and the JSON path of the failing value. The walk records the
//! `(method, path template)` of every operation it sent and must have covered exactly the
//! routes the sandbox reports, so a route added without coverage here fails this test.
//!
//! Errors the client cannot provoke (no key, a live key, an unknown URL, injected 429 and
//! 500, a reused idempotency key) are sent as raw HTTP and decoded with
//! `<StripeError as ApiError>::from_response`, as the client does.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use common::{KEY, TestResult};
use payforge::client::{Client, Environment};
use payforge::retry::RetryPolicy;
use payforge::secrets::{SecretError, SecretProvider};
use payforge::webhook::EventPayload;
use payforge::{ApiError, Currency, Endpoint, Error, SecretKey};
use payforge_sandbox::{FaultKind, FaultSpec, RunningSandbox};
use payforge_stripe::errors::{DeclineCode, ErrorCode, StripeError};
use payforge_stripe::{
    AdvanceTestHelperTestClock, AttachPaymentMethod, CancelPaymentIntent, CapturePaymentIntent,
    ConfirmPaymentIntent, CreateCustomer, CreatePaymentIntent, CreatePaymentMethod,
    CreatePaymentMethodCard, CreatePaymentMethodCardCardDetailsParams, CreatePrice,
    CreatePriceRecurring, CreateProduct, CreateRefund, CreateSubscription, CreateSubscriptionItems,
    CreateTestHelperTestClock, CreateWebhookEndpoint, DeleteCustomer, DeleteProduct,
    DeleteSubscription, DeleteTestHelperTestClock, DeleteWebhookEndpoint, DetachPaymentMethod,
    Event, EventObject, ListCharges, ListCustomerPaymentMethods, ListCustomers, ListEvents,
    ListInvoices, ListPaymentIntents, ListPaymentMethods, ListPrices, ListProducts, ListRefunds,
    ListSubscriptions, ListTestHelperTestClocks, ListWebhookEndpoints, PayInvoice, PaymentIntent,
    PaymentIntentStatus, RetrieveCharge, RetrieveCustomer, RetrieveEvent, RetrieveInvoice,
    RetrievePaymentIntent, RetrievePaymentMethod, RetrievePrice, RetrieveProduct, RetrieveRefund,
    RetrieveSubscription, RetrieveTestHelperTestClock, RetrieveWebhookEndpoint, SearchCustomers,
    Stripe, SubscriptionStatus, UpdateCustomer, UpdatePaymentIntent, UpdatePaymentMethod,
    UpdatePrice, UpdateProduct, UpdateRefund, UpdateSubscription, UpdateWebhookEndpoint,
};
// The typed `expand` paths the walk asks for.
use payforge_stripe::{
    ChargeExpand, CustomerExpand, InvoiceExpand, InvoiceSettingCustomerSettingExpand,
    PaymentIntentExpand, PriceExpand, SubscriptionExpand,
};
// The schemas an event's object is decoded as, to name the path of a mismatch.
use payforge_stripe::{
    Charge, Customer, Invoice, PaymentMethod, Price, Product, Refund, Subscription,
    TestHelpersTestClock,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

const DAY: i64 = 86_400;

/// The sandbox's fixed test key, handed to the client as its secret source.
struct SandboxKey;

impl SecretProvider for SandboxKey {
    fn fetch(&self) -> Pin<Box<dyn Future<Output = Result<SecretKey, SecretError>> + Send + '_>> {
        Box::pin(async { SecretKey::insecure_from_literal(KEY) })
    }

    fn describe(&self) -> String {
        "the sandbox tests' fixed test key".to_owned()
    }
}

/// A client on the sandbox that records the route of every operation it sends.
struct Walk {
    base: String,
    client: Client<Stripe>,
    walked: BTreeSet<(String, String)>,
}

impl Walk {
    async fn start(sandbox: &RunningSandbox) -> TestResult<Self> {
        // One attempt: a retried 5xx would hide the response under test.
        let once = RetryPolicy {
            max_attempts: 1,
            max_elapsed: Duration::from_secs(10),
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        };
        let client = Client::<Stripe>::builder()
            .environment(Environment::Sandbox {
                base_url: sandbox.url(),
            })
            .secrets(SandboxKey)
            .retry_policy(once)
            .ephemeral_journal()
            .build()
            .await?;
        Ok(Self {
            base: sandbox.url(),
            client,
            walked: BTreeSet::new(),
        })
    }

    fn record<Op: Endpoint>(&mut self) -> String {
        self.walked
            .insert((Op::METHOD.to_string(), Op::PATH_TEMPLATE.to_owned()));
        format!("{} {}", Op::METHOD, Op::PATH_TEMPLATE)
    }

    /// `POST /_sandbox{path}` with no body; the JSON answer.
    async fn admin_post(&self, path: &str) -> TestResult<Value> {
        let response = reqwest::Client::new()
            .post(format!("{}/_sandbox{path}", self.base))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("POST /_sandbox{path}: HTTP {status}: {body}").into())
        }
    }

    /// Sends `op`, which must succeed; its body has been decoded into `Op::Output`.
    async fn ok<Op>(&mut self, op: Op) -> TestResult<Op::Output>
    where
        Op: Endpoint<Provider = Stripe>,
    {
        let route = self.record::<Op>();
        self.client
            .send(op)
            .await
            .map_err(|error| format!("{route}: {error}").into())
    }

    /// Sends `op`, which must fail with a Stripe error object; returns it decoded.
    async fn refused<Op>(&mut self, op: Op) -> TestResult<StripeError>
    where
        Op: Endpoint<Provider = Stripe>,
    {
        let route = self.record::<Op>();
        match self.client.send(op).await {
            Err(Error::Api { error, .. }) => {
                catalogued(&error).map_err(|problem| format!("{route}: {problem}"))?;
                Ok(error)
            }
            Err(other) => Err(format!("{route}: expected a Stripe error, got {other}").into()),
            Ok(_) => Err(format!("{route}: expected a Stripe error, got a success").into()),
        }
    }
}

/// Decodes a JSON value into `T`, naming the JSON path of a mismatch.
fn decode_at<T: DeserializeOwned>(what: &str, value: &Value) -> TestResult<T> {
    serde_path_to_error::deserialize(value)
        .map_err(|error| format!("{what}: at `{}`: {}", error.path(), error.inner()).into())
}

/// Fails when the error carries a code or decline code that is not in Stripe's catalogue
/// (`specs/stripe/errors.yaml`): code written against the sandbox must meet the same codes
/// on Stripe. A code may be absent (Stripe documents none for some errors).
fn catalogued(error: &StripeError) -> Result<(), String> {
    let (code, decline) = match error {
        StripeError::Card { code, decline, .. } => (Some(code), decline.as_ref()),
        StripeError::InvalidRequest { code, .. }
        | StripeError::Api { code, .. }
        | StripeError::Idempotency { code, .. } => (code.as_ref(), None),
        _ => (None, None),
    };
    if let Some(ErrorCode::Unknown(code)) = code {
        return Err(format!(
            "error code `{code}` is not one of Stripe's: {error:?}"
        ));
    }
    if let Some(DeclineCode::Unknown(decline)) = decline {
        return Err(format!(
            "decline code `{decline}` is not one of Stripe's: {error:?}"
        ));
    }
    Ok(())
}

/// The `code` of an error, or a failure naming the variant it decoded into.
fn code_of(error: &StripeError) -> TestResult<&ErrorCode> {
    match error {
        StripeError::Card { code, .. } => Ok(code),
        StripeError::InvalidRequest {
            code: Some(code), ..
        }
        | StripeError::Api {
            code: Some(code), ..
        }
        | StripeError::Idempotency {
            code: Some(code), ..
        } => Ok(code),
        other => Err(format!("no code in {other:?}").into()),
    }
}

fn metadata(key: &str, value: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(key.to_owned(), value.to_owned())])
}

fn now() -> TestResult<i64> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    Ok(i64::try_from(seconds)?)
}

#[tokio::test]
async fn every_route_answers_in_the_generated_types() -> TestResult {
    let sandbox = common::start().await?;
    let mut walk = Walk::start(&sandbox).await?;
    let customer = customers_and_payment_methods(&mut walk).await?;
    payments_and_refunds(&mut walk, &customer).await?;
    let price = catalogue(&mut walk).await?;
    billing_on_a_test_clock(&mut walk, &price).await?;
    webhook_endpoints_and_events(&mut walk).await?;

    let served: BTreeSet<(String, String)> = payforge_sandbox::routes()
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect();
    let missed: Vec<_> = served.difference(&walk.walked).collect();
    let unserved: Vec<_> = walk.walked.difference(&served).collect();
    assert!(
        missed.is_empty() && unserved.is_empty(),
        "routes the sandbox serves that the walk did not decode: {missed:?}; \
         operations the walk sent that the sandbox does not route: {unserved:?}"
    );
    eprintln!("walked {} routes", walk.walked.len());
    sandbox.shutdown().await?;
    Ok(())
}

/// Customers and their cards: create, read, update, list, attach, detach, delete.
async fn customers_and_payment_methods(walk: &mut Walk) -> TestResult<String> {
    let customer = walk
        .ok(CreateCustomer::new()
            .email("walker@example.com")
            .name("Route Walker")
            .metadata(metadata("order", "1")))
        .await?;
    walk.ok(UpdateCustomer::new(&customer.id).description("walks every route"))
        .await?;
    walk.ok(ListCustomers::new().email("walker@example.com").limit(5))
        .await?;
    walk.ok(SearchCustomers::new("email:'walker@example.com'"))
        .await?;

    let card = walk
        .ok(CreatePaymentMethod::new().type_("card".parse()?).card(
            CreatePaymentMethodCard::CardDetailsParams(
                CreatePaymentMethodCardCardDetailsParams::new(
                    12,
                    2_034,
                    "4242424242424242".to_owned(),
                )
                .cvc("123".to_owned()),
            ),
        ))
        .await?;
    walk.ok(AttachPaymentMethod::new(&card.id, &customer.id))
        .await?;
    walk.ok(UpdatePaymentMethod::new(&card.id).metadata(metadata("k", "v")))
        .await?;
    walk.ok(RetrievePaymentMethod::new(&card.id)).await?;
    walk.ok(ListPaymentMethods::new().customer(&customer.id))
        .await?;
    walk.ok(ListCustomerPaymentMethods::new(&customer.id))
        .await?;
    let retrieved = walk
        .ok(
            RetrieveCustomer::new(&customer.id).expand([CustomerExpand::invoice_settings(
                InvoiceSettingCustomerSettingExpand::DefaultPaymentMethod,
            )]),
        )
        .await?;
    assert_eq!(
        serde_json::to_value(&retrieved)?["id"],
        customer.id.as_str()
    );

    // A second card, attached then detached; a second customer, deleted and read back.
    let spare = walk
        .ok(AttachPaymentMethod::new("pm_card_mastercard", &customer.id))
        .await?;
    walk.ok(DetachPaymentMethod::new(&spare.id)).await?;
    let leaving = walk.ok(CreateCustomer::new()).await?;
    let deleted = walk.ok(DeleteCustomer::new(&leaving.id)).await?;
    assert!(deleted.deleted);
    let stub = walk.ok(RetrieveCustomer::new(&leaving.id)).await?;
    assert_eq!(serde_json::to_value(&stub)?["deleted"], true);
    let missing = walk.refused(RetrieveCustomer::new("cus_missing")).await?;
    assert_eq!(code_of(&missing)?, &ErrorCode::ResourceMissing);
    Ok(customer.id.into_string())
}

/// Payment intents through every state the sandbox reaches, their charges and refunds.
async fn payments_and_refunds(walk: &mut Walk, customer: &str) -> TestResult {
    let intent = walk
        .ok(CreatePaymentIntent::new(2_000, Currency::Usd).customer(customer))
        .await?;
    walk.ok(UpdatePaymentIntent::new(&intent.id).description("the walk's payment"))
        .await?;
    let paid = walk
        .ok(ConfirmPaymentIntent::new(&intent.id).payment_method("pm_card_visa"))
        .await?;
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    walk.ok(RetrievePaymentIntent::new(&intent.id).expand([
        PaymentIntentExpand::LatestCharge,
        PaymentIntentExpand::Customer,
    ]))
    .await?;
    let again = walk.refused(ConfirmPaymentIntent::new(&intent.id)).await?;
    assert_eq!(code_of(&again)?, &ErrorCode::PaymentIntentUnexpectedState);

    // A manual capture of part of the amount, and an intent canceled before payment.
    let held = walk
        .ok(CreatePaymentIntent::new(3_000, Currency::Usd)
            .payment_method("pm_card_visa")
            .capture_method("manual".parse()?)
            .confirm(true))
        .await?;
    assert_eq!(held.status, PaymentIntentStatus::RequiresCapture);
    walk.ok(CapturePaymentIntent::new(&held.id).amount_to_capture(2_500))
        .await?;
    let open = walk
        .ok(CreatePaymentIntent::new(500, Currency::Eur))
        .await?;
    walk.ok(CancelPaymentIntent::new(&open.id)).await?;

    // 3-D Secure leaves a `next_action`; a decline is a 402 card error with its intent.
    let challenged = walk
        .ok(CreatePaymentIntent::new(700, Currency::Usd)
            .payment_method("pm_card_threeDSecureRequired")
            .confirm(true))
        .await?;
    assert_eq!(challenged.status, PaymentIntentStatus::RequiresAction);
    // The admin surface completes the challenge and answers with the intent.
    let authenticated: PaymentIntent = decode_at(
        "POST /_sandbox/payment_intents/{id}/authenticate",
        &walk
            .admin_post(&format!("/payment_intents/{}/authenticate", challenged.id))
            .await?,
    )?;
    assert_eq!(authenticated.status, PaymentIntentStatus::Succeeded);
    let declined = walk
        .refused(
            CreatePaymentIntent::new(900, Currency::Usd)
                .payment_method("pm_card_chargeDeclinedInsufficientFunds")
                .confirm(true),
        )
        .await?;
    let failed: PaymentIntent = match &declined {
        StripeError::Card {
            code,
            decline,
            details,
            ..
        } => {
            assert_eq!(code, &ErrorCode::CardDeclined);
            assert_eq!(decline, &Some(DeclineCode::InsufficientFunds));
            let intent = details
                .get("payment_intent")
                .ok_or("the decline's intent")?;
            decode_at("error.payment_intent", intent)?
        }
        other => return Err(format!("a decline is a card error, not {other:?}").into()),
    };
    let failed = walk.ok(RetrievePaymentIntent::new(&failed.id)).await?;
    assert!(failed.last_payment_error.is_some());
    walk.ok(ListPaymentIntents::new()
        .customer(customer)
        .expand([PaymentIntentExpand::Customer]))
        .await?;
    walk.ok(ListPaymentIntents::new().limit(100)).await?;

    let charge_id = serde_json::to_value(&paid)?["latest_charge"]
        .as_str()
        .ok_or("a paid intent has a charge")?
        .to_owned();
    walk.ok(RetrieveCharge::new(&charge_id).expand([ChargeExpand::PaymentIntent]))
        .await?;
    walk.ok(ListCharges::new()
        .limit(100)
        .expand([ChargeExpand::PaymentIntent]))
        .await?;
    walk.ok(ListCharges::new().payment_intent(&intent.id))
        .await?;

    let refund = walk
        .ok(CreateRefund::new().payment_intent(&intent.id).amount(500))
        .await?;
    walk.ok(CreateRefund::new().charge(&charge_id)).await?;
    let spent = walk.refused(CreateRefund::new().charge(&charge_id)).await?;
    assert_eq!(code_of(&spent)?, &ErrorCode::ChargeAlreadyRefunded);
    walk.ok(UpdateRefund::new(&refund.id).metadata(metadata("why", "walk")))
        .await?;
    walk.ok(RetrieveRefund::new(&refund.id)).await?;
    walk.ok(ListRefunds::new().limit(100)).await?;
    walk.ok(RetrieveCharge::new(&charge_id)).await?;
    Ok(())
}

/// Products and prices; returns a monthly price.
async fn catalogue(walk: &mut Walk) -> TestResult<String> {
    let product = walk.ok(CreateProduct::new("Walk plan")).await?;
    walk.ok(UpdateProduct::new(&product.id).description("a plan to walk".to_owned()))
        .await?;
    walk.ok(RetrieveProduct::new(&product.id)).await?;
    let price = walk
        .ok(CreatePrice::new(Currency::Usd)
            .product(&product.id)
            .unit_amount(1_000)
            .recurring(CreatePriceRecurring::new("month".parse()?)))
        .await?;
    walk.ok(CreatePrice::new(Currency::Usd)
        .product(&product.id)
        .unit_amount(300))
        .await?;
    walk.ok(UpdatePrice::new(&price.id).nickname("monthly"))
        .await?;
    walk.ok(RetrievePrice::new(&price.id).expand([PriceExpand::Product]))
        .await?;
    walk.ok(ListPrices::new().limit(100)).await?;
    walk.ok(ListProducts::new().limit(100)).await?;

    let unused = walk.ok(CreateProduct::new("Never sold")).await?;
    let deleted = walk.ok(DeleteProduct::new(&unused.id)).await?;
    assert!(deleted.deleted);
    Ok(price.id.into_string())
}

/// A trial on a test clock, its end and a renewal, a failed first payment paid by hand,
/// invoices, cancellation, and the clock's deletion.
async fn billing_on_a_test_clock(walk: &mut Walk, price: &str) -> TestResult {
    let start = now()?;
    let clock = walk.ok(CreateTestHelperTestClock::new(start)).await?;
    walk.ok(RetrieveTestHelperTestClock::new(&clock.id)).await?;
    walk.ok(ListTestHelperTestClocks::new()).await?;
    let customer = walk.ok(CreateCustomer::new().test_clock(&clock.id)).await?;
    let visa = walk
        .ok(AttachPaymentMethod::new("pm_card_visa", &customer.id))
        .await?;
    let item = || CreateSubscriptionItems::new().price(price).quantity(2);
    let trialing = walk
        .ok(CreateSubscription::new(&customer.id)
            .items(vec![item()])
            .default_payment_method(&visa.id)
            .trial_period_days(7))
        .await?;
    assert_eq!(trialing.status, SubscriptionStatus::Trialing);
    walk.ok(UpdateSubscription::new(&trialing.id).metadata(metadata("plan", "walk")))
        .await?;
    walk.ok(AdvanceTestHelperTestClock::new(&clock.id, start + 40 * DAY))
        .await?;
    let renewed = walk
        .ok(RetrieveSubscription::new(&trialing.id).expand([SubscriptionExpand::LatestInvoice]))
        .await?;
    assert_eq!(renewed.status, SubscriptionStatus::Active);
    let failing_card = walk
        .ok(AttachPaymentMethod::new(
            "pm_card_chargeCustomerFail",
            &customer.id,
        ))
        .await?;

    // A subscription whose first payment fails stays incomplete with an open invoice,
    // which is then paid by hand with a working card.
    let incomplete = walk
        .ok(CreateSubscription::new(&customer.id)
            .items(vec![item()])
            .default_payment_method(&failing_card.id))
        .await?;
    assert_eq!(incomplete.status, SubscriptionStatus::Incomplete);
    let open = walk
        .ok(ListInvoices::new()
            .subscription(&incomplete.id)
            .status("open".parse()?))
        .await?;
    let invoice = open
        .data
        .first()
        .and_then(|invoice| invoice.id.clone())
        .ok_or("an open invoice with an id")?;
    walk.ok(PayInvoice::new(&invoice).payment_method(&visa.id))
        .await?;
    walk.ok(RetrieveInvoice::new(&invoice)
        .expand([InvoiceExpand::PaymentIntent, InvoiceExpand::Subscription]))
        .await?;
    walk.ok(ListInvoices::new().customer(&customer.id).limit(100))
        .await?;
    walk.ok(ListSubscriptions::new().customer(&customer.id))
        .await?;
    walk.ok(DeleteSubscription::new(&incomplete.id)).await?;
    let again = walk
        .refused(DeleteSubscription::new(&incomplete.id))
        .await?;
    assert!(
        matches!(again, StripeError::InvalidRequest { .. }),
        "{again:?}"
    );

    // The first subscription's renewals fail from now on: past due, then canceled after
    // the last retry, its invoice left open.
    walk.ok(UpdateSubscription::new(&renewed.id).default_payment_method(&failing_card.id))
        .await?;
    walk.ok(AdvanceTestHelperTestClock::new(
        &clock.id,
        renewed.current_period_end + 10 * DAY,
    ))
    .await?;
    let ended = walk.ok(RetrieveSubscription::new(&renewed.id)).await?;
    assert_eq!(ended.status, SubscriptionStatus::Canceled);
    walk.ok(ListInvoices::new()
        .subscription(&renewed.id)
        .expand([InvoiceExpand::Subscription, InvoiceExpand::PaymentIntent]))
        .await?;
    walk.ok(ListSubscriptions::new().status("all".parse()?))
        .await?;
    walk.ok(DeleteTestHelperTestClock::new(&clock.id)).await?;
    Ok(())
}

/// Webhook endpoints, and every event the walk caused, page by page.
async fn webhook_endpoints_and_events(walk: &mut Walk) -> TestResult {
    let endpoint = walk
        .ok(CreateWebhookEndpoint::new(
            vec!["*".parse()?],
            "https://example.invalid/hooks",
        ))
        .await?;
    walk.ok(UpdateWebhookEndpoint::new(&endpoint.id).disabled(true))
        .await?;
    walk.ok(RetrieveWebhookEndpoint::new(&endpoint.id)).await?;
    walk.ok(ListWebhookEndpoints::new()).await?;
    let deleted = walk.ok(DeleteWebhookEndpoint::new(&endpoint.id)).await?;
    assert!(deleted.deleted);

    let mut events = 0;
    let mut page = walk.ok(ListEvents::new().limit(100)).await?;
    loop {
        events += page.data.len();
        for event in &page.data {
            typed_payload(event)?;
        }
        let Some(last) = page.data.last() else { break };
        if !page.has_more {
            walk.ok(RetrieveEvent::new(&last.id)).await?;
            break;
        }
        page = walk
            .ok(ListEvents::new().limit(100).starting_after(&last.id))
            .await?;
    }
    assert!(events > 50, "the walk caused {events} events");
    walk.ok(ListEvents::new().type_("invoice.*")).await?;
    Ok(())
}

/// Decodes an event's `data.object` into the SDK's typed payload for its type, which must
/// be a type Stripe has.
fn typed_payload(event: &Event) -> TestResult {
    if !EventObject::known_types().contains(&event.type_.as_str()) {
        return Err(format!(
            "{}: an event type Stripe does not have: {}",
            event.id, event.type_
        )
        .into());
    }
    let object = &event.data.object;
    if let Err(error) = EventObject::decode(&event.type_, object.clone()) {
        // The payload decoder reports no path; decoding the object as its own schema does.
        let what = format!("{} ({}): data.object", event.id, event.type_);
        let path = match object["object"].as_str().unwrap_or_default() {
            "charge" => decode_at::<Charge>(&what, object).err(),
            "customer" => decode_at::<Customer>(&what, object).err(),
            "invoice" => decode_at::<Invoice>(&what, object).err(),
            "payment_intent" => decode_at::<PaymentIntent>(&what, object).err(),
            "payment_method" => decode_at::<PaymentMethod>(&what, object).err(),
            "price" => decode_at::<Price>(&what, object).err(),
            "product" => decode_at::<Product>(&what, object).err(),
            "refund" => decode_at::<Refund>(&what, object).err(),
            "subscription" => decode_at::<Subscription>(&what, object).err(),
            "test_helpers.test_clock" => decode_at::<TestHelpersTestClock>(&what, object).err(),
            _ => None,
        };
        return Err(path.unwrap_or_else(|| format!("{what}: {error}").into()));
    }
    Ok(())
}

/// Errors the client never provokes: each body is Stripe's error object, decoded by the
/// same `ApiError::from_response` the client uses.
#[tokio::test]
async fn errors_outside_the_client_decode_into_the_error_envelope() -> TestResult {
    let sandbox = common::start().await?;
    let base = sandbox.url();
    let http = reqwest::Client::new();
    let decode = |status: u16, body: &[u8]| -> TestResult<StripeError> {
        let status = http::StatusCode::from_u16(status)?;
        let error = StripeError::from_response(status, body).ok_or_else(|| {
            format!(
                "HTTP {status}: not Stripe's error object: {}",
                String::from_utf8_lossy(body)
            )
        })?;
        catalogued(&error)?;
        Ok(error)
    };
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        TestResult::Ok((status, body))
    };

    let (status, body) = send(http.get(format!("{base}/v1/customers"))).await?;
    assert_eq!(status, 401);
    assert!(matches!(
        decode(status, &body)?,
        StripeError::InvalidRequest { .. }
    ));
    let (status, body) = send(
        http.get(format!("{base}/v1/customers"))
            .bearer_auth("sk_live_not_a_real_key"), // audit:allow (a made-up live-looking key)
    )
    .await?;
    assert_eq!(status, 401);
    decode(status, &body)?;
    let (status, body) = send(
        http.get(format!("{base}/v1/no_such_thing"))
            .bearer_auth(KEY),
    )
    .await?;
    assert_eq!(status, 404);
    decode(status, &body)?;

    let post = |key: &str, form: &str| {
        http.post(format!("{base}/v1/customers"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
    };
    let (status, _) = send(post("walk-1", "name=A")).await?;
    assert_eq!(status, 200);
    let (status, body) = send(post("walk-1", "name=B")).await?;
    assert_eq!(status, 400);
    assert!(matches!(
        decode(status, &body)?,
        StripeError::Idempotency { .. }
    ));

    // Values of the wrong type or outside their enum: a 400 naming the parameter, with no
    // code (Stripe documents none), never an invented one; a too-long idempotency key too.
    let intents = |form: &str, key: &str| {
        http.post(format!("{base}/v1/payment_intents"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
    };
    let long_key = "k".repeat(300);
    for (form, key, param) in [
        (
            "amount=100&currency=usd&capture_method=sometimes",
            "walk-2",
            "capture_method",
        ),
        ("amount=100&currency=usd&confirm=maybe", "walk-3", "confirm"),
        (
            "amount=100&currency=usd&metadata=flat",
            "walk-4",
            "metadata",
        ),
        (
            "amount=100&currency=usd",
            long_key.as_str(),
            "Idempotency-Key",
        ),
    ] {
        let (status, body) = send(intents(form, key)).await?;
        assert_eq!(status, 400, "{form}");
        match decode(status, &body)? {
            StripeError::InvalidRequest {
                code: None,
                param: Some(named),
                ..
            } => assert_eq!(named, param, "{form}"),
            other => return Err(format!("{form}: {other:?}").into()),
        }
    }

    for (kind, expected) in [(FaultKind::RateLimit, 429), (FaultKind::Error, 500)] {
        sandbox.add_fault(FaultSpec {
            method: None,
            path: "/v1/customers".to_owned(),
            kind,
            latency_ms: 0,
            retry_after: 1,
            count: Some(1),
            probability: None,
            seed: 0,
        })?;
        let (status, body) =
            send(http.get(format!("{base}/v1/customers")).bearer_auth(KEY)).await?;
        assert_eq!(status, expected);
        let error = decode(status, &body)?;
        assert!(
            matches!(
                (&error, expected),
                (StripeError::InvalidRequest { .. }, 429) | (StripeError::Api { .. }, 500)
            ),
            "{error:?}"
        );
    }
    sandbox.shutdown().await?;
    Ok(())
}

/// The admin surface lists the same routes as [`payforge_sandbox::routes`].
#[tokio::test]
async fn the_admin_surface_lists_the_served_routes() -> TestResult {
    let sandbox = common::start().await?;
    let body: Value = reqwest::get(format!("{}/_sandbox/routes", sandbox.url()))
        .await?
        .json()
        .await?;
    let listed: Vec<(String, String)> = body["routes"]
        .as_array()
        .ok_or("a route list")?
        .iter()
        .map(|route| {
            (
                route["method"].as_str().unwrap_or_default().to_owned(),
                route["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let routes: Vec<(String, String)> = payforge_sandbox::routes()
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect();
    assert_eq!(listed, routes);
    assert!(routes.contains(&(
        "POST".to_owned(),
        "/v1/payment_intents/{intent}/confirm".to_owned()
    )));
    sandbox.shutdown().await?;
    Ok(())
}
