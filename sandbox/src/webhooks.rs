//! Signed webhook deliveries: the queue, its injected faults, and the background sender.
//!
//! Each event is queued once per enabled endpoint that listens to it. One background
//! task sends due deliveries one at a time, in queue order, as
//! `POST` with `Stripe-Signature: t=…,v1=…` (HMAC-SHA256 of `{t}.{body}` keyed by the
//! endpoint's whole `whsec_…` secret), and retries a failing endpoint on the configured
//! backoff schedule until it succeeds or the schedule runs out.
//!
//! The queue is part of the state snapshot: a sandbox restarted from its state file sends
//! the deliveries that were still pending (or being sent, or held by a reorder fault) at
//! once, their attempts so far counting toward the retry schedule.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::Sha256;

use crate::ids::new_id;
use crate::server::Shared;

/// The most deliveries remembered; the oldest finished ones are forgotten first.
const MAX_DELIVERIES: usize = 20_000;

/// Retry schedule and timeouts of webhook deliveries.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Delay before each retry; a delivery is attempted at most `len + 1` times.
    pub retry_delays: Vec<Duration>,
    /// How long one attempt may take before it counts as failed.
    pub attempt_timeout: Duration,
}

impl Default for WebhookConfig {
    /// Stripe retries for up to three days; the sandbox shortens that to seconds.
    fn default() -> Self {
        let retry_delays = [1, 2, 4, 8, 16]
            .into_iter()
            .map(Duration::from_secs)
            .collect();
        Self {
            retry_delays,
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// Faults applied to the next deliveries queued.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WebhookFaults {
    /// The next `duplicate` deliveries are each sent twice.
    #[serde(default)]
    pub duplicate: u32,
    /// The next `delay` deliveries wait `delay_ms` before their first attempt.
    #[serde(default)]
    pub delay: u32,
    /// The wait of delayed deliveries.
    #[serde(default)]
    pub delay_ms: u64,
    /// The next `reorder` deliveries are held, then released together in reverse order.
    #[serde(default)]
    pub reorder: u32,
}

/// One attempt to deliver.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    /// Unix time of the attempt, in milliseconds.
    pub at_ms: u64,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed without a status.
    pub error: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// Held back by a reorder fault until the held batch is released.
    Held,
    /// An attempt is under way.
    Sending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Every attempt of the retry schedule failed.
    Failed,
}

impl DeliveryStatus {
    fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// One event to send to one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    /// The delivery's own id.
    pub id: String,
    /// The event sent.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The endpoint it goes to.
    pub endpoint_id: String,
    /// The endpoint's URL.
    pub url: String,
    /// `pending`, `held`, `sending`, `succeeded` or `failed`.
    pub status: DeliveryStatus,
    /// Every attempt so far.
    pub attempts: Vec<Attempt>,
    /// The signed body; emptied once the delivery is finished.
    #[serde(skip)]
    body: String,
    #[serde(skip)]
    due: Option<Instant>,
    #[serde(skip)]
    order: u64,
}

/// A delivery handed to the sender.
#[derive(Debug)]
pub struct Ticket {
    id: String,
    url: String,
    endpoint_id: String,
    body: String,
}

/// The queue of deliveries.
#[derive(Debug, Default)]
pub struct DeliveryQueue {
    deliveries: VecDeque<Delivery>,
    next_order: u64,
    faults: WebhookFaults,
}

impl DeliveryQueue {
    /// Queues `event` for one endpoint, applying the pending faults.
    pub fn enqueue(&mut self, event: &Value, endpoint_id: &str, url: &str) {
        let copies = if self.faults.duplicate > 0 {
            self.faults.duplicate -= 1;
            2
        } else {
            1
        };
        let mut due = Instant::now();
        if self.faults.delay > 0 {
            self.faults.delay -= 1;
            due += Duration::from_millis(self.faults.delay_ms);
        }
        for _ in 0..copies {
            let held = self.faults.reorder > 0;
            self.next_order += 1;
            self.deliveries.push_back(Delivery {
                id: new_id("whdel"),
                event_id: event["id"].as_str().unwrap_or_default().to_owned(),
                event_type: event["type"].as_str().unwrap_or_default().to_owned(),
                endpoint_id: endpoint_id.to_owned(),
                url: url.to_owned(),
                status: if held {
                    DeliveryStatus::Held
                } else {
                    DeliveryStatus::Pending
                },
                attempts: Vec::new(),
                body: event.to_string(),
                due: Some(due),
                order: self.next_order,
            });
            if held {
                self.faults.reorder -= 1;
                if self.faults.reorder == 0 {
                    self.release_held();
                }
            }
        }
        self.evict();
    }

    /// Releases held deliveries at once, the newest first.
    pub fn release_held(&mut self) {
        let held: Vec<usize> = (0..self.deliveries.len())
            .filter(|i| self.deliveries[*i].status == DeliveryStatus::Held)
            .collect();
        let orders: Vec<u64> = held.iter().map(|i| self.deliveries[*i].order).collect();
        for (index, order) in held.iter().zip(orders.iter().rev()) {
            let delivery = &mut self.deliveries[*index];
            delivery.status = DeliveryStatus::Pending;
            delivery.order = *order;
            delivery.due = Some(Instant::now());
        }
    }

    /// Replaces the pending faults (and releases any held deliveries when reordering stops).
    pub fn set_faults(&mut self, faults: WebhookFaults) {
        self.faults = faults;
        if self.faults.reorder == 0 {
            self.release_held();
        }
    }

    /// The pending faults.
    pub fn faults(&self) -> &WebhookFaults {
        &self.faults
    }

    /// Every delivery, oldest first.
    pub fn list(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.iter()
    }

    fn evict(&mut self) {
        while self.deliveries.len() > MAX_DELIVERIES {
            match self.deliveries.iter().position(|d| d.status.is_finished()) {
                Some(index) => self.deliveries.remove(index),
                None => self.deliveries.pop_front(),
            };
        }
    }

    /// Takes the first due delivery in queue order, marking it as being sent.
    fn take_due(&mut self, now: Instant) -> Option<Ticket> {
        let next = self
            .deliveries
            .iter_mut()
            .filter(|d| d.status == DeliveryStatus::Pending && d.due.is_some_and(|due| due <= now))
            .min_by_key(|d| d.order)?;
        next.status = DeliveryStatus::Sending;
        Some(Ticket {
            id: next.id.clone(),
            url: next.url.clone(),
            endpoint_id: next.endpoint_id.clone(),
            body: next.body.clone(),
        })
    }

    /// When the next pending delivery falls due.
    fn next_due(&self) -> Option<Instant> {
        self.deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Pending)
            .filter_map(|d| d.due)
            .min()
    }

    /// Records an attempt and schedules a retry from `retry_delays` if it failed.
    fn record(&mut self, id: &str, attempt: Attempt, retry_delays: &[Duration]) {
        let Some(delivery) = self.deliveries.iter_mut().find(|d| d.id == id) else {
            return;
        };
        let succeeded = attempt.status.is_some_and(|s| (200..300).contains(&s));
        delivery.attempts.push(attempt);
        let retry = retry_delays.get(delivery.attempts.len() - 1);
        (delivery.status, delivery.due) = match (succeeded, retry) {
            (true, _) => (DeliveryStatus::Succeeded, None),
            (false, Some(delay)) => (DeliveryStatus::Pending, Some(Instant::now() + *delay)),
            (false, None) => (DeliveryStatus::Failed, None),
        };
        if delivery.status.is_finished() {
            // Nothing sends it again; the state file need not keep it.
            delivery.body = String::new();
        }
    }
}

/// The queue as the state file keeps it: every delivery with its body and queue order.
/// Pending faults are not kept, as injected `/v1` faults are not.
#[derive(Serialize, Deserialize)]
struct SavedQueue<D> {
    deliveries: Vec<D>,
    next_order: u64,
}

#[derive(Serialize)]
struct SavedDeliveryRef<'a> {
    #[serde(flatten)]
    delivery: &'a Delivery,
    body: &'a str,
    order: u64,
}

#[derive(Deserialize)]
struct SavedDelivery {
    #[serde(flatten)]
    delivery: Delivery,
    body: String,
    order: u64,
}

impl Serialize for DeliveryQueue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let deliveries: Vec<SavedDeliveryRef<'_>> = self
            .deliveries
            .iter()
            .map(|delivery| SavedDeliveryRef {
                delivery,
                body: &delivery.body,
                order: delivery.order,
            })
            .collect();
        SavedQueue {
            deliveries,
            next_order: self.next_order,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DeliveryQueue {
    /// Reloads a saved queue. Every unfinished delivery (pending, held, or interrupted while
    /// being sent) is due at once: the reorder fault that held some is not kept, and an
    /// interrupted attempt may not have arrived, so it is sent again, as Stripe may.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = SavedQueue::<SavedDelivery>::deserialize(deserializer)?;
        let now = Instant::now();
        let deliveries = saved
            .deliveries
            .into_iter()
            .map(|saved| {
                let mut delivery = saved.delivery;
                delivery.body = saved.body;
                delivery.order = saved.order;
                if !delivery.status.is_finished() {
                    delivery.status = DeliveryStatus::Pending;
                    delivery.due = Some(now);
                }
                delivery
            })
            .collect();
        Ok(Self {
            deliveries,
            next_order: saved.next_order,
            faults: WebhookFaults::default(),
        })
    }
}

/// The `Stripe-Signature` header for `body` signed at `timestamp` with `secret`.
pub fn signature_header(secret: &str, timestamp: u64, body: &str) -> String {
    let signature = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map(|mut mac| {
        mac.update(format!("{timestamp}.{body}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    });
    format!("t={timestamp},v1={}", signature.unwrap_or_default())
}

fn next_ticket(shared: &Shared) -> Result<Ticket, Option<Instant>> {
    let mut store = shared.lock();
    let next = store.deliveries.take_due(Instant::now());
    next.ok_or_else(|| store.deliveries.next_due())
}

/// Sends due deliveries until `shutdown` fires.
pub async fn run_sender(shared: Arc<Shared>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(shared.webhooks.attempt_timeout)
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhook sender could not start");
            return;
        }
    };
    loop {
        match next_ticket(&shared) {
            Ok(ticket) => send(&shared, &client, ticket).await,
            Err(next_due) => {
                let wait = next_due.map_or(Duration::from_secs(3600), |due| {
                    due.saturating_duration_since(Instant::now())
                });
                tokio::select! {
                    () = shared.deliveries_changed.notified() => {}
                    () = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    }
}

async fn send(shared: &Shared, client: &reqwest::Client, ticket: Ticket) {
    let secret = shared
        .lock()
        .endpoint_secret(&ticket.endpoint_id)
        .map(str::to_owned)
        .unwrap_or_default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let header = signature_header(&secret, now.as_secs(), &ticket.body);
    let response = client
        .post(&ticket.url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header(
            "User-Agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .header("Stripe-Signature", header)
        .body(ticket.body)
        .send()
        .await;
    let at_ms = u64::try_from(now.as_millis()).unwrap_or(u64::MAX);
    let attempt = match response {
        Ok(response) => Attempt {
            at_ms,
            status: Some(response.status().as_u16()),
            error: None,
        },
        Err(error) => Attempt {
            at_ms,
            status: None,
            error: Some(error.to_string()),
        },
    };
    tracing::debug!(delivery = %ticket.id, status = ?attempt.status, "webhook attempt");
    shared
        .lock()
        .deliveries
        .record(&ticket.id, attempt, &shared.webhooks.retry_delays);
    shared.state_changed();
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn attempt(status: u16) -> Attempt {
        Attempt {
            at_ms: 1,
            status: Some(status),
            error: None,
        }
    }

    #[test]
    fn a_reloaded_queue_sends_every_unfinished_delivery_at_once() -> Result<(), serde_json::Error> {
        let mut queue = DeliveryQueue::default();
        let retry_in_an_hour = [Duration::from_secs(3_600)];
        for n in 1..=4 {
            let event = json!({ "id": format!("evt_{n}"), "type": "customer.created" });
            queue.enqueue(&event, "we_1", "http://127.0.0.1:9/hook");
        }
        let ids: Vec<String> = queue.list().map(|d| d.id.clone()).collect();
        queue.record(&ids[0], attempt(200), &retry_in_an_hour);
        queue.record(&ids[1], attempt(500), &retry_in_an_hour);
        queue.record(&ids[2], attempt(500), &[]);
        queue.set_faults(WebhookFaults {
            reorder: 2,
            ..WebhookFaults::default()
        });
        queue.enqueue(&json!({ "id": "evt_5" }), "we_1", "http://127.0.0.1:9/hook");
        let before: Vec<DeliveryStatus> = queue.list().map(|d| d.status).collect();
        use DeliveryStatus::{Failed, Held, Pending, Succeeded};
        assert_eq!(before, [Succeeded, Pending, Failed, Pending, Held]);

        let saved = serde_json::to_string(&queue)?;
        let mut reloaded: DeliveryQueue = serde_json::from_str(&saved)?;
        let after: Vec<(DeliveryStatus, usize, bool)> = reloaded
            .list()
            .map(|d| (d.status, d.attempts.len(), d.body.is_empty()))
            .collect();
        // Finished deliveries keep their history but not their body; the rest are due now.
        assert_eq!(
            after,
            [
                (Succeeded, 1, true),
                (Pending, 1, false),
                (Failed, 1, true),
                (Pending, 0, false),
                (Pending, 0, false),
            ]
        );
        let mut sent = Vec::new();
        while let Some(ticket) = reloaded.take_due(Instant::now()) {
            sent.push(serde_json::from_str::<Value>(&ticket.body)?["id"].clone());
        }
        assert_eq!(sent, [json!("evt_2"), json!("evt_4"), json!("evt_5")]);
        Ok(())
    }
}
