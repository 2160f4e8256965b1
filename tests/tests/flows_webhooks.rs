//! Webhooks end to end: the sandbox delivers signed events to the runtime's receiver on
//! 127.0.0.1, the receiver stores them in the inbox, and a worker hands each, decoded into
//! the SDK's typed event enum, to the application exactly once, duplicate deliveries
//! included.
//!
//! Stripe cannot deliver to a receiver on 127.0.0.1, and duplicates are injected through the
//! sandbox's admin API, so this flow reports itself skipped on Stripe's test mode.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payforge::Currency;
use payforge::Provider;
use payforge::webhook::{
    Backoff, Event, HandlerError, InboxState, SqliteInbox, StripeSignature, Verified, WebhookInbox,
    WebhookReceiver, WebhookVerifier, Worker, WorkerConfig,
};
use payforge_stripe::events::EventObject;
use payforge_stripe::{ChargeId, PaymentIntentId};
use payforge_stripe::{
    CreatePaymentIntent, CreateRefund, CreateWebhookEndpoint, CreateWebhookEndpointEnabledEvents,
    ListEvents, Stripe,
};
use payforge_tests::flow_tests;
use payforge_tests::flows::{FlowEnv, TestResult, eventually};
use serde_json::json;

flow_tests!(each_event_is_processed_once_through_receiver_inbox_and_worker);

/// What the application's handler saw.
#[derive(Debug, Default)]
struct Seen {
    /// Times each event id was handled.
    handled: BTreeMap<String, u32>,
    /// `(payment intent id, amount)` of each `payment_intent.succeeded`.
    succeeded_intents: Vec<(PaymentIntentId, i64)>,
    /// `(charge id, amount refunded)` of each `charge.refunded`.
    refunded_charges: Vec<(ChargeId, i64)>,
}

/// The application's handler: records each event, reading the typed objects it cares about.
fn handler(
    seen: Arc<Mutex<Seen>>,
) -> impl Fn(Verified<Event<EventObject>>) -> std::future::Ready<Result<(), HandlerError>>
+ Send
+ Sync
+ 'static {
    move |event| {
        let mut seen = match seen.lock() {
            Ok(seen) => seen,
            Err(poisoned) => poisoned.into_inner(),
        };
        *seen.handled.entry(event.id.clone()).or_default() += 1;
        match &event.data.object {
            EventObject::PaymentIntentSucceeded(intent) => {
                seen.succeeded_intents
                    .push((intent.id.clone(), intent.amount));
            }
            EventObject::ChargeRefunded(charge) => {
                seen.refunded_charges
                    .push((charge.id.clone(), charge.amount_refunded));
            }
            _ => {}
        }
        std::future::ready(Ok(()))
    }
}

/// The application's side: a receiver on 127.0.0.1 registered with the sandbox, the inbox
/// behind it and one worker running [`handler`].
struct Application {
    inbox: Arc<SqliteInbox>,
    seen: Arc<Mutex<Seen>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    worker: tokio::task::JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

impl Application {
    async fn start(env: &FlowEnv) -> TestResult<Self> {
        let directory = tempfile::tempdir()?;
        let path = directory.path().join("inbox.sqlite");
        let inbox = Arc::new(SqliteInbox::open(path, SqliteInbox::DEFAULT_TABLE).await?);

        // The receiver's address must exist before the endpoint is registered, and the
        // endpoint's secret before the receiver can verify: bind, register, then serve.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/webhooks/stripe", listener.local_addr()?);
        let every_event = vec![CreateWebhookEndpointEnabledEvents::All]; // `*`
        let endpoint = env
            .client()
            .send(CreateWebhookEndpoint::new(every_event, url))
            .await?;
        let secret = endpoint
            .secret
            .ok_or("the create response carries the whsec_ secret")?;
        assert!(secret.starts_with("whsec_"));
        let verifier = WebhookVerifier::new("stripe", StripeSignature::new([secret])?);
        let receiver = WebhookReceiver::new(verifier, Arc::clone(&inbox))
            .with_pinned_api_version(<Stripe as Provider>::API_VERSION);
        let app = axum::Router::new().route("/webhooks/stripe", receiver.into_method_router());
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move { axum::serve(listener, service).await });

        let seen = Arc::new(Mutex::new(Seen::default()));
        let config = WorkerConfig {
            idle_wait: Duration::from_millis(10),
            backoff: Backoff {
                initial: Duration::from_millis(10),
                max: Duration::from_millis(100),
            },
            ..WorkerConfig::default()
        };
        let worker = Worker::new(Arc::clone(&inbox), handler(Arc::clone(&seen)), config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(async move {
            worker
                .run(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            inbox,
            seen,
            server,
            worker,
            stop,
            _directory: directory,
        })
    }

    /// Stops the worker (so nothing is handled after this) and the receiver.
    async fn stop(self) -> TestResult<Arc<Mutex<Seen>>> {
        let _ = self.stop.send(());
        self.worker.await?;
        self.server.abort();
        Ok(self.seen)
    }
}

async fn each_event_is_processed_once_through_receiver_inbox_and_worker(
    env: &FlowEnv,
) -> TestResult {
    let Some(admin) = env.sandbox_admin(
        "Stripe cannot deliver to 127.0.0.1 and duplicates are injected by the sandbox",
    ) else {
        return Ok(());
    };
    let client = env.client();
    let application = Application::start(env).await?;

    // Every delivery from now on is sent twice.
    admin.webhook_faults(json!({ "duplicate": 1_000 })).await?;
    let intent = client
        .send(
            CreatePaymentIntent::new(2_500, Currency::Usd)
                .payment_method_types(vec!["card".to_owned()])
                .payment_method("pm_card_visa")
                .confirm(true),
        )
        .await?;
    client
        .send(CreateRefund::new().payment_intent(&intent.id))
        .await?;

    let events: BTreeSet<String> = client
        .send(ListEvents::new().limit(100))
        .await?
        .data
        .into_iter()
        .map(|event| event.id.into_string())
        .collect();
    assert!(
        events.len() >= 4,
        "created, succeeded, charge, refund events at least: {events:?}"
    );

    // Wait until every delivery (each event twice) was acknowledged and every event is done
    // in the inbox (the worker marks it done after the handler returns).
    let (inbox, expected) = (&application.inbox, &events);
    eventually(
        "every delivery acknowledged and every event done",
        Duration::from_secs(30),
        || async move {
            let deliveries = admin.deliveries().await?;
            let all_delivered = deliveries.iter().all(|d| d["status"] == "succeeded");
            if !all_delivered || deliveries.len() != 2 * expected.len() {
                return Ok(None);
            }
            for event_id in expected {
                let entry = inbox.entry("stripe", event_id).await?;
                if !entry.is_some_and(|e| matches!(e.state, InboxState::Done { .. })) {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        },
    )
    .await?;

    let deliveries = admin.deliveries().await?;
    for event_id in &events {
        let copies = deliveries
            .iter()
            .filter(|d| d["event_id"] == event_id.as_str())
            .count();
        assert_eq!(copies, 2, "{event_id} was delivered twice");
    }
    // Stop the worker before the last look, so nothing can be handled after it.
    let seen = application.stop().await?;
    let seen = seen.lock().map_err(|e| e.to_string())?;
    let handled: BTreeSet<&String> = seen.handled.keys().collect();
    assert_eq!(handled, events.iter().collect(), "every event was handled");
    let twice: Vec<_> = seen.handled.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "handled more than once: {twice:?}");
    assert_eq!(seen.succeeded_intents, [(intent.id.clone(), 2_500)]);
    let charge = intent.latest_charge.as_ref().ok_or("no charge")?;
    assert_eq!(seen.refunded_charges, [(charge.to_id(), 2_500)]);
    Ok(())
}
