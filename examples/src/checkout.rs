//! A checkout server: orders paid by card through the generated SDK, each order's state
//! moved forward by verified webhook events only.
//!
//! - `POST /orders` with `{"order_id", "amount", "currency", "payment_method"}` records the
//!   order and creates and confirms a payment intent under the logical key
//!   `order/<order id>/pay-with/<payment method>`: a retried request (the browser's, or the
//!   server's after a crash) reuses the journaled idempotency key and never charges twice.
//!   A decline answers 402 with its typed code and leaves the order open for another card.
//! - `GET /orders/{order_id}` reads an order.
//! - The webhook receiver (mounted by the caller, see [`Shop::router`]) verifies, stores and
//!   acknowledges; a worker hands each event to [`Shop::handle`].
//!
//! The order's state only moves forward (`pending` → `paid` → `refunded`, or `pending` →
//! `failed` → `pending` for a new card), and every update names the state it moves from, so a
//! duplicate or late event changes nothing. Which order a payment belongs to travels in the
//! payment intent's metadata, so an event that arrives before `POST /orders` has answered still
//! finds its order.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use payforge::client::Client;
use payforge::journal::LogicalKey;
use payforge::webhook::{Event, HandlerError, Verified};
use payforge::{Currency, ErrorCatalogue, WebhookEvent};
use payforge_stripe::errors::StripeError;
use payforge_stripe::{Charge, CreatePaymentIntent, PaymentIntent, PaymentIntentStatus, Stripe};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

/// The metadata key that names an order on its payment intents.
const ORDER_KEY: &str = "order_id";

/// The events the shop acts on. Declared by hand with `#[derive(WebhookEvent)]` over the
/// SDK's types, so the shop compiles only the resource groups it uses (the generated
/// `payforge_stripe::events::EventObject` covers every event type, and needs the `events`
/// feature). Any other event type is kept raw in [`ShopEvent::Other`].
#[derive(Clone, Debug, WebhookEvent)]
pub enum ShopEvent {
    /// `payment_intent.succeeded`: the money moved.
    #[event("payment_intent.succeeded")]
    PaymentSucceeded(Box<PaymentIntent>),
    /// `payment_intent.payment_failed`: the attempt failed (a decline, a failed 3-D Secure).
    #[event("payment_intent.payment_failed")]
    PaymentFailed(Box<PaymentIntent>),
    /// `charge.refunded`: some or all of a charge went back.
    #[event("charge.refunded")]
    Refunded(Box<Charge>),
    /// Every other event type.
    #[event(unknown)]
    Other {
        /// The event's type.
        event_type: String,
        /// Its object, undecoded.
        object: serde_json::Value,
    },
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not paid yet.
    Pending,
    /// The last attempt failed; another card may be tried.
    Failed,
    /// Paid.
    Paid,
    /// Refunded in full.
    Refunded,
}

impl OrderStatus {
    fn parse(text: &str) -> Result<Self, sqlx::Error> {
        match text {
            "pending" => Ok(Self::Pending),
            "failed" => Ok(Self::Failed),
            "paid" => Ok(Self::Paid),
            "refunded" => Ok(Self::Refunded),
            other => Err(sqlx::Error::Decode(
                format!("unknown order status `{other}`").into(),
            )),
        }
    }
}

/// An order as the shop keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The shop's own id.
    pub order_id: String,
    /// The amount, in the currency's minor unit.
    pub amount: i64,
    /// The ISO currency code, lowercase.
    pub currency: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// The payment intent of the latest attempt, once known.
    pub payment_intent: Option<String>,
    /// Why the latest attempt failed (the provider's error code), if it did.
    pub failure: Option<String>,
    /// The amount refunded so far.
    pub amount_refunded: i64,
}

/// A row of `shop_orders`, in column order.
type OrderRow = (
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

/// The body of `POST /orders`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlaceOrder {
    /// The shop's own order id (the browser sends the same one when it retries).
    pub order_id: String,
    /// The amount, in the currency's minor unit.
    pub amount: i64,
    /// The ISO currency code.
    pub currency: String,
    /// The payment method the browser collected (`pm_…`).
    pub payment_method: String,
}

/// The checkout: the SDK client and the orders table.
pub struct Shop {
    client: Client<Stripe>,
    db: SqlitePool,
}

impl Shop {
    /// A shop sending through `client` and keeping orders in `db` (the webhook inbox's own
    /// SQLite pool serves: orders and inbox then share one file).
    pub async fn new(client: Client<Stripe>, db: SqlitePool) -> Result<Self, sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS shop_orders (
                order_id TEXT PRIMARY KEY,
                amount INTEGER NOT NULL,
                currency TEXT NOT NULL,
                status TEXT NOT NULL,
                payment_intent TEXT,
                failure TEXT,
                amount_refunded INTEGER NOT NULL DEFAULT 0
            )",
        )
        .execute(&db)
        .await?;
        Ok(Self { client, db })
    }

    /// `POST /orders` and `GET /orders/{order_id}`. Merge the webhook receiver's route into
    /// it at a path of your choosing.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/orders", post(place_order))
            .route("/orders/{order_id}", get(read_order))
            .with_state(self)
    }

    /// Reads an order.
    pub async fn order(&self, order_id: &str) -> Result<Option<Order>, sqlx::Error> {
        let row: Option<OrderRow> = sqlx::query_as(
            "SELECT order_id, amount, currency, status, payment_intent, failure,
                    amount_refunded FROM shop_orders WHERE order_id = ?1",
        )
        .bind(order_id)
        .fetch_optional(&self.db)
        .await?;
        row.map(
            |(order_id, amount, currency, status, payment_intent, failure, amount_refunded)| {
                Ok(Order {
                    order_id,
                    amount,
                    currency,
                    status: OrderStatus::parse(&status)?,
                    payment_intent,
                    failure,
                    amount_refunded,
                })
            },
        )
        .transpose()
    }

    /// The worker's handler: moves orders forward. Database errors are retried by the
    /// worker; events about payments that are not the shop's are ignored.
    pub async fn handle(&self, event: Verified<Event<ShopEvent>>) -> Result<(), HandlerError> {
        let retry = |error: sqlx::Error| HandlerError::Retry(error.to_string());
        match &event.data.object {
            ShopEvent::PaymentSucceeded(intent) => {
                let Some(order_id) = order_of(intent) else {
                    return Ok(());
                };
                sqlx::query(
                    "UPDATE shop_orders SET status = 'paid', payment_intent = ?2, failure = NULL
                     WHERE order_id = ?1 AND status IN ('pending', 'failed')",
                )
                .bind(order_id)
                .bind(intent.id.as_str())
                .execute(&self.db)
                .await
                .map_err(retry)?;
            }
            ShopEvent::PaymentFailed(intent) => {
                let Some(order_id) = order_of(intent) else {
                    return Ok(());
                };
                let code = intent
                    .last_payment_error
                    .as_ref()
                    .and_then(|error| error.decline_code.clone().or_else(|| error.code.clone()))
                    .unwrap_or_else(|| "payment_failed".to_owned());
                // Only the attempt in hand can fail the order: a late event about an earlier
                // card must not undo a retry with another one.
                sqlx::query(
                    "UPDATE shop_orders SET status = 'failed', failure = ?3
                     WHERE order_id = ?1 AND status = 'pending'
                       AND (payment_intent IS NULL OR payment_intent = ?2)",
                )
                .bind(order_id)
                .bind(intent.id.as_str())
                .bind(code)
                .execute(&self.db)
                .await
                .map_err(retry)?;
            }
            ShopEvent::Refunded(charge) => {
                let Some(intent) = charge.payment_intent.as_ref() else {
                    return Ok(());
                };
                let status = if charge.refunded { "refunded" } else { "paid" };
                sqlx::query(
                    "UPDATE shop_orders SET status = ?2,
                        amount_refunded = MAX(amount_refunded, ?3)
                     WHERE payment_intent = ?1 AND status IN ('paid', 'refunded')",
                )
                .bind(intent.id())
                .bind(status)
                .bind(charge.amount_refunded)
                .execute(&self.db)
                .await
                .map_err(retry)?;
            }
            ShopEvent::Other { event_type, .. } => {
                tracing::debug!(%event_type, "the shop does not act on this event type");
            }
        }
        Ok(())
    }

    /// Records the order (once per order id) and pays it with `payment_method`.
    async fn place(&self, request: PlaceOrder) -> Result<(StatusCode, Order), ShopError> {
        if request.amount <= 0 {
            return Err(ShopError::Invalid("`amount` must be positive".into()));
        }
        if !request.payment_method.starts_with("pm_") {
            return Err(ShopError::Invalid(
                "`payment_method` must be a payment method id (`pm_…`)".into(),
            ));
        }
        let currency = request.currency.to_ascii_lowercase();
        sqlx::query(
            "INSERT INTO shop_orders (order_id, amount, currency, status)
             VALUES (?1, ?2, ?3, 'pending') ON CONFLICT (order_id) DO NOTHING",
        )
        .bind(&request.order_id)
        .bind(request.amount)
        .bind(&currency)
        .execute(&self.db)
        .await?;
        let order = self
            .order(&request.order_id)
            .await?
            .ok_or(ShopError::Store(sqlx::Error::RowNotFound))?;
        if (order.amount, order.currency.as_str()) != (request.amount, currency.as_str()) {
            return Err(ShopError::Conflict(
                "this order id was placed with another amount or currency".into(),
            ));
        }
        match order.status {
            OrderStatus::Paid | OrderStatus::Refunded => return Ok((StatusCode::OK, order)),
            OrderStatus::Failed => {
                sqlx::query(
                    "UPDATE shop_orders SET status = 'pending', payment_intent = NULL
                     WHERE order_id = ?1 AND status = 'failed'",
                )
                .bind(&order.order_id)
                .execute(&self.db)
                .await?;
            }
            OrderStatus::Pending => {}
        }

        // One logical operation per order and card: the browser retrying, or this server
        // retrying after a timeout or a crash, sends the same idempotency key.
        let key = LogicalKey::new(format!(
            "order/{}/pay-with/{}",
            order.order_id, request.payment_method
        ))
        .map_err(|error| ShopError::Invalid(error.to_string()))?;
        // Never fails: a code this SDK does not know parses as `Currency::Unknown`, and the
        // provider then refuses it with a typed error.
        let currency = match currency.parse::<Currency>() {
            Ok(currency) => currency,
            Err(never) => match never {},
        };
        let create = CreatePaymentIntent::new(order.amount, currency)
            .payment_method(request.payment_method)
            .payment_method_types(vec!["card".to_owned()])
            .metadata(std::collections::BTreeMap::from([(
                ORDER_KEY.to_owned(),
                order.order_id.clone(),
            )]))
            .confirm(true);
        match self.client.send_with_key(create, key).await {
            Ok(intent) => {
                sqlx::query(
                    "UPDATE shop_orders SET payment_intent = ?2
                     WHERE order_id = ?1 AND payment_intent IS NULL",
                )
                .bind(&order.order_id)
                .bind(intent.id.as_str())
                .execute(&self.db)
                .await?;
                if intent.status == PaymentIntentStatus::RequiresAction {
                    // 3-D Secure: the browser completes `next_action`; the webhook follows.
                    tracing::info!(order_id = %order.order_id, "payment awaits authentication");
                }
                // Accepted, not done: the order turns `paid` when the webhook says so.
                let order = self
                    .order(&order.order_id)
                    .await?
                    .ok_or(ShopError::Store(sqlx::Error::RowNotFound))?;
                Ok((StatusCode::ACCEPTED, order))
            }
            Err(payforge::Error::Api {
                error: StripeError::Card { code, decline, .. },
                ..
            }) => {
                // What the customer may be told: the catalogue's message for the decline
                // reason (or the error code), never the provider's raw message.
                let customer_message = decline
                    .as_ref()
                    .and_then(ErrorCatalogue::user_message)
                    .or_else(|| code.user_message())
                    .unwrap_or("The card was declined.");
                let failure = decline
                    .map(|decline| decline.to_string())
                    .unwrap_or_else(|| code.to_string());
                sqlx::query(
                    "UPDATE shop_orders SET status = 'failed', failure = ?2
                     WHERE order_id = ?1 AND status = 'pending'",
                )
                .bind(&order.order_id)
                .bind(&failure)
                .execute(&self.db)
                .await?;
                Err(ShopError::Declined {
                    code: code.to_string(),
                    reason: failure,
                    customer_message,
                })
            }
            Err(error) => Err(ShopError::Provider {
                retry_safe: error.is_retry_safe(),
                message: error.to_string(),
            }),
        }
    }
}

/// The order id a payment intent belongs to, from its metadata.
fn order_of(intent: &PaymentIntent) -> Option<&str> {
    intent
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.get(ORDER_KEY))
        .map(String::as_str)
}

/// Why `POST /orders` did not place or pay the order.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// The request is not a valid order.
    #[error("invalid order: {0}")]
    Invalid(String),
    /// The order id exists with other terms.
    #[error("{0}")]
    Conflict(String),
    /// The card was declined; `reason` is the decline code where the issuer gave one.
    #[error("the card was declined ({reason})")]
    Declined {
        /// The provider's error code (`card_declined`, `expired_card`, …).
        code: String,
        /// The decline code, or the error code when there is none.
        reason: String,
        /// What the customer may be shown.
        customer_message: &'static str,
    },
    /// The provider could not be reached or failed; `retry_safe` says whether the browser
    /// may simply try again (the same idempotency key is reused).
    #[error("the payment provider failed: {message}")]
    Provider {
        /// Whether retrying the same request is safe.
        retry_safe: bool,
        /// What happened, without card data.
        message: String,
    },
    /// The shop's database failed.
    #[error("the order store failed: {0}")]
    Store(#[from] sqlx::Error),
    /// The server could not start (its listener has no address).
    #[error("the shop cannot serve: {0}")]
    Serve(#[from] std::io::Error),
}

impl IntoResponse for ShopError {
    fn into_response(self) -> Response {
        let customer_message = match &self {
            Self::Declined {
                customer_message, ..
            } => Some(*customer_message),
            _ => None,
        };
        let (status, code, retry_safe) = match &self {
            Self::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_order".to_owned(), false),
            Self::Conflict(_) => (StatusCode::CONFLICT, "order_conflict".to_owned(), false),
            Self::Declined { code, .. } => (StatusCode::PAYMENT_REQUIRED, code.clone(), false),
            Self::Provider { retry_safe, .. } => (
                StatusCode::BAD_GATEWAY,
                "provider_error".to_owned(),
                *retry_safe,
            ),
            Self::Serve(error) => {
                tracing::error!(%error, "the shop cannot serve");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable".to_owned(),
                    true,
                )
            }
            Self::Store(error) => {
                tracing::error!(%error, "order store failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable".to_owned(),
                    true,
                )
            }
        };
        let body = serde_json::json!({
            "error": code,
            "message": self.to_string(),
            "retry_safe": retry_safe,
            "customer_message": customer_message,
        });
        (status, Json(body)).into_response()
    }
}

async fn place_order(
    State(shop): State<Arc<Shop>>,
    Json(request): Json<PlaceOrder>,
) -> Result<(StatusCode, Json<Order>), ShopError> {
    let (status, order) = shop.place(request).await?;
    Ok((status, Json(order)))
}

async fn read_order(
    State(shop): State<Arc<Shop>>,
    Path(order_id): Path<String>,
) -> Result<Json<Order>, Response> {
    match shop.order(&order_id).await {
        Ok(Some(order)) => Ok(Json(order)),
        Ok(None) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(error) => Err(ShopError::Store(error).into_response()),
    }
}

/// The shop, serving: its HTTP server (orders and the webhook receiver at
/// `/webhooks/stripe`) and the webhook worker.
pub struct RunningShop {
    /// Where the server listens.
    pub address: std::net::SocketAddr,
    shop: Arc<Shop>,
    inbox: Arc<payforge::webhook::SqliteInbox>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    worker: tokio::task::JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl RunningShop {
    /// Serves the shop on `listener`: orders sent through `client`, webhooks verified by
    /// `verifier` into `inbox` (whose SQLite file also keeps the orders), one worker.
    pub async fn start(
        listener: tokio::net::TcpListener,
        client: Client<Stripe>,
        inbox: payforge::webhook::SqliteInbox,
        verifier: payforge::webhook::WebhookVerifier<payforge::webhook::StripeSignature>,
    ) -> Result<Self, ShopError> {
        use payforge::webhook::{WebhookReceiver, Worker, WorkerConfig};

        let address = listener.local_addr()?;
        let inbox = Arc::new(inbox);
        let shop = Arc::new(Shop::new(client, inbox.pool().clone()).await?);
        let receiver = WebhookReceiver::new(verifier, Arc::clone(&inbox))
            .with_pinned_api_version(<Stripe as payforge::Provider>::API_VERSION);
        let app = Arc::clone(&shop)
            .router()
            .route("/webhooks/stripe", receiver.into_method_router());
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = tokio::spawn(async move { axum::serve(listener, service).await });

        let handler_shop = Arc::clone(&shop);
        let handler = move |event: Verified<Event<ShopEvent>>| {
            let shop = Arc::clone(&handler_shop);
            async move { shop.handle(event).await }
        };
        let worker = Worker::new(Arc::clone(&inbox), handler, WorkerConfig::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(async move {
            worker
                .run(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            address,
            shop,
            inbox,
            server,
            worker,
            stop,
        })
    }

    /// The shop, for reading orders directly.
    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    /// The webhook inbox, to inspect events (dead letters, an event's state).
    pub fn inbox(&self) -> &payforge::webhook::SqliteInbox {
        &self.inbox
    }

    /// Serves until the server fails or the worker stops.
    pub async fn wait(self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // Dropping `stop` would stop the worker: keep it for as long as this serves.
        let Self {
            server,
            worker,
            stop: _stop,
            ..
        } = self;
        tokio::select! {
            served = server => served??,
            worked = worker => worked?,
        }
        Ok(())
    }

    /// Lets the worker finish the event in hand, then stops the server.
    pub async fn shutdown(self) -> Result<(), tokio::task::JoinError> {
        let _ = self.stop.send(());
        self.worker.await?;
        self.server.abort();
        Ok(())
    }
}
