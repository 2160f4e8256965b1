//! The sandbox's state: every object, the events, the idempotency records, the clock.
//!
//! Objects are kept in their Stripe wire shape (`serde_json::Value`), keyed by id in
//! creation order, because the sandbox's job is to return exactly those shapes; the
//! handlers read and write them through the small typed accessors below. The whole
//! `Store` sits behind one `std::sync::Mutex` that is never held across an `.await`,
//! so requests are serialised at the state and cannot deadlock.

use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::{IndexMap, IndexSet};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cards::Behaviour;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::webhooks::DeliveryQueue;

/// The most events kept; older ones are forgotten (Stripe keeps 30 days).
pub const MAX_EVENTS: usize = 20_000;
/// The most idempotency records kept before the oldest are evicted early.
pub const MAX_IDEMPOTENCY_RECORDS: usize = 100_000;
/// How long an idempotency key is remembered, in sandbox seconds (Stripe: 24 hours).
pub const IDEMPOTENCY_RETENTION: i64 = 24 * 3600;

/// How a payment method behaves when charged; the card number itself is never kept.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CardProfile {
    /// What charging it does.
    pub behaviour: Behaviour,
    /// Whether a CVC was supplied when it was created.
    pub cvc_supplied: bool,
}

/// A finished request remembered under its idempotency key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotentResult {
    /// The request's method, path and parameters, to detect a reused key.
    pub fingerprint: String,
    /// The response status, or `None` while the first request is still in flight.
    pub status: Option<u16>,
    /// The response body, as JSON text.
    pub body: String,
    /// Sandbox time of the first request.
    pub created: i64,
    /// The first request's `Request-Id`, sent again on replays.
    #[serde(default)]
    pub request_id: String,
}

/// An event kept as JSON text, with the fields lists filter on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The `evt_…` id.
    pub id: String,
    /// The event type, such as `charge.refunded`.
    pub kind: String,
    json: Box<str>,
}

impl StoredEvent {
    /// The event object.
    pub fn parse(&self) -> Option<Value> {
        serde_json::from_str(&self.json).ok()
    }
}

/// The request being served, recorded on the events it causes.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The `req_…` id.
    pub id: Option<String>,
    /// The request's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
}

/// All state of one sandbox.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    /// Objects as compact JSON text: a parsed `Value` takes several times the memory,
    /// and every request touches only a handful of objects.
    objects: IndexMap<String, Box<str>>,
    /// Object ids per `object` type, in creation order, so lists never scan everything.
    #[serde(skip)]
    by_kind: HashMap<String, IndexSet<String>>,
    cards: HashMap<String, CardProfile>,
    events: VecDeque<StoredEvent>,
    endpoint_secrets: HashMap<String, String>,
    clock_offset: i64,
    idempotency: HashMap<String, IdempotentResult>,
    /// `(created, scope)` in the order records were stored, for O(1) expiry from the front;
    /// entries whose record was replaced or forgotten are skipped when they reach it.
    #[serde(skip)]
    idempotency_order: VecDeque<(i64, String)>,
    /// One-off facts that are not part of any object, such as "trial_will_end sent".
    marks: std::collections::HashSet<String>,
    /// Webhook deliveries, kept in the snapshot so a restart sends those still pending
    /// (absent from snapshots written before they were kept).
    #[serde(default)]
    pub deliveries: DeliveryQueue,
    #[serde(skip)]
    request: RequestContext,
    /// While a test clock advances, the time events are stamped with.
    #[serde(skip)]
    event_time: Option<i64>,
}

impl Store {
    /// Sandbox time: the wall clock plus the offset moved by `/_sandbox/clock/advance`.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        i64::try_from(wall)
            .unwrap_or(i64::MAX)
            .saturating_add(self.clock_offset)
    }

    /// Moves sandbox time forward.
    pub fn advance_clock(&mut self, seconds: i64) {
        self.clock_offset = self.clock_offset.saturating_add(seconds.max(0));
    }

    /// The clock an object's customer lives on: its test clock's frozen time, else `now`.
    pub fn time_for_customer(&self, customer: Option<&str>) -> i64 {
        if let Some(time) = self.event_time {
            return time;
        }
        let clock = customer
            .and_then(|id| self.load(id))
            .and_then(|c| c["test_clock"].as_str().and_then(|id| self.load(id)));
        clock
            .and_then(|clock| clock["frozen_time"].as_i64())
            .unwrap_or_else(|| self.now())
    }

    /// Sets the request whose id and idempotency key events record.
    pub fn set_request(&mut self, request: RequestContext) {
        self.request = request;
    }

    /// Stamps events with `time` until called with `None` (test clock advances).
    pub fn set_event_time(&mut self, time: Option<i64>) {
        self.event_time = time;
    }

    /// Records a one-off fact; `true` the first time.
    pub fn mark(&mut self, fact: String) -> bool {
        self.marks.insert(fact)
    }

    /// Whether a fact was recorded with [`Store::mark`].
    pub fn is_marked(&self, fact: &str) -> bool {
        self.marks.contains(fact)
    }

    fn load(&self, id: &str) -> Option<Value> {
        serde_json::from_str(self.objects.get(id)?).ok()
    }

    /// Stores an object under its `id`.
    pub fn put(&mut self, object: Value) {
        let (Some(id), Some(kind)) = (object["id"].as_str(), object["object"].as_str()) else {
            return;
        };
        if !self.objects.contains_key(id) {
            self.by_kind
                .entry(kind.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
        self.objects
            .insert(id.to_owned(), object.to_string().into_boxed_str());
    }

    /// An object by id, of the given `object` type.
    pub fn get(&self, kind: &str, id: &str) -> Option<Value> {
        self.load(id)
            .filter(|o| o["object"] == kind && o["deleted"] != true)
    }

    /// An object by id whatever its type, deletion stubs included.
    pub fn raw_object(&self, id: &str) -> Option<Value> {
        self.load(id)
    }

    /// An object by id, or Stripe's 404 naming `noun` and `param`.
    pub fn find(&self, kind: &str, id: &str, noun: &str, param: &str) -> Result<Value, ApiError> {
        self.get(kind, id)
            .ok_or_else(|| ApiError::resource_missing(noun, id, param))
    }

    /// Every live object of a type, oldest first, parsed as the iterator reaches it.
    pub fn all<'a>(&'a self, kind: &str) -> impl DoubleEndedIterator<Item = Value> + 'a {
        self.by_kind
            .get(kind)
            .into_iter()
            .flat_map(|ids| ids.iter())
            .filter_map(|id| self.load(id))
            .filter(|o| o["deleted"] != true)
    }

    /// Replaces an object by a `{"id", "object", "deleted": true}` stub and returns it.
    pub fn delete(&mut self, kind: &str, id: &str) -> Value {
        let stub = json!({ "id": id, "object": kind, "deleted": true });
        self.objects
            .insert(id.to_owned(), stub.to_string().into_boxed_str());
        stub
    }

    /// Records a payment method's card behaviour.
    pub fn set_card(&mut self, payment_method: &str, profile: CardProfile) {
        self.cards.insert(payment_method.to_owned(), profile);
    }

    /// A payment method's card behaviour.
    pub fn card(&self, payment_method: &str) -> Option<CardProfile> {
        self.cards.get(payment_method).copied()
    }

    /// Keeps a webhook endpoint's signing secret.
    pub fn set_endpoint_secret(&mut self, endpoint: &str, secret: String) {
        self.endpoint_secrets.insert(endpoint.to_owned(), secret);
    }

    /// A webhook endpoint's signing secret.
    pub fn endpoint_secret(&self, endpoint: &str) -> Option<&str> {
        self.endpoint_secrets.get(endpoint).map(String::as_str)
    }

    /// Records a Stripe event for `object` and queues its webhook deliveries.
    pub fn emit(&mut self, kind: &str, object: &Value) {
        self.emit_with_previous(kind, object, None);
    }

    /// Like [`Store::emit`], with `data.previous_attributes` for `*.updated` events.
    pub fn emit_with_previous(&mut self, kind: &str, object: &Value, previous: Option<Value>) {
        let customer = object["customer"].as_str().or_else(|| {
            (object["object"] == "customer")
                .then(|| object["id"].as_str())
                .flatten()
        });
        let created = self.time_for_customer(customer);
        let mut data = json!({ "object": object });
        if let Some(previous) = previous {
            data["previous_attributes"] = previous;
        }
        let mut event = json!({
            "id": new_id("evt"),
            "object": "event",
            "account": "acct_payforgesandbox",
            "api_version": "2023-08-16",
            "created": created,
            "data": data,
            "livemode": false,
            "pending_webhooks": 0,
            "request": { "id": self.request.id, "idempotency_key": self.request.idempotency_key },
            "type": kind,
        });
        let endpoints: Vec<(String, String)> = self
            .all("webhook_endpoint")
            .filter(|endpoint| endpoint["status"] == "enabled" && listens_to(endpoint, kind))
            .filter_map(|endpoint| {
                Some((
                    endpoint["id"].as_str()?.to_owned(),
                    endpoint["url"].as_str()?.to_owned(),
                ))
            })
            .collect();
        event["pending_webhooks"] = json!(endpoints.len());
        for (endpoint, url) in endpoints {
            self.deliveries.enqueue(&event, &endpoint, &url);
        }
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        let json = event.to_string().into_boxed_str();
        self.events.push_back(StoredEvent {
            id,
            kind: kind.to_owned(),
            json,
        });
        if self.events.len() > MAX_EVENTS {
            self.events.pop_front();
        }
    }

    /// Events, newest first.
    pub fn events(&self) -> impl Iterator<Item = &StoredEvent> {
        self.events.iter().rev()
    }

    /// An idempotency record, unless it has expired.
    pub fn idempotent_result(&self, scope: &str) -> Option<&IdempotentResult> {
        let now = self.now();
        self.idempotency
            .get(scope)
            .filter(|record| now - record.created < IDEMPOTENCY_RETENTION)
    }

    /// Stores (or replaces) an idempotency record, evicting expired and excess ones.
    pub fn remember(&mut self, scope: String, record: IdempotentResult) {
        let now = self.now();
        self.idempotency_order
            .push_back((record.created, scope.clone()));
        self.idempotency.insert(scope, record);
        while let Some((created, _)) = self.idempotency_order.front() {
            let expired = now - created >= IDEMPOTENCY_RETENTION;
            if !expired && self.idempotency.len() <= MAX_IDEMPOTENCY_RECORDS {
                break;
            }
            let Some((created, oldest)) = self.idempotency_order.pop_front() else {
                break;
            };
            if self
                .idempotency
                .get(&oldest)
                .is_some_and(|r| r.created == created)
            {
                self.idempotency.remove(&oldest);
            }
        }
    }

    /// Forgets an idempotency key (its request failed before it was processed).
    pub fn forget(&mut self, scope: &str) {
        self.idempotency.remove(scope);
    }

    /// Drops records of requests that were still in flight (after a reload).
    pub fn forget_in_flight(&mut self) {
        self.idempotency.retain(|_, record| record.status.is_some());
    }

    /// Rebuilds the per-type index and the idempotency expiry order (after a reload).
    pub fn reindex(&mut self) {
        let mut order: Vec<(i64, String)> = self
            .idempotency
            .iter()
            .map(|(scope, r)| (r.created, scope.clone()))
            .collect();
        order.sort();
        self.idempotency_order = order.into();
        self.by_kind.clear();
        for (id, text) in &self.objects {
            let object: Value = serde_json::from_str(text).unwrap_or_default();
            let kind = object["object"].as_str().unwrap_or_default().to_owned();
            self.by_kind.entry(kind).or_default().insert(id.clone());
        }
    }

    /// Empties the store, keeping nothing.
    pub fn reset(&mut self) {
        *self = Store::default();
    }

    /// A Stripe list object over `items` (newest first), honouring `limit`,
    /// `starting_after` and `ending_before`; items past the page are never parsed.
    pub fn page(
        &self,
        mut items: impl Iterator<Item = Value>,
        url: &str,
        params: &Params,
    ) -> Result<Value, ApiError> {
        let limit = params.int("limit")?.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid_param(
                "parameter_invalid_integer",
                "limit",
                "Invalid limit: must be between 1 and 100.",
            ));
        }
        let limit = usize::try_from(limit).unwrap_or(10);
        let after = params.str("starting_after")?.filter(|s| !s.is_empty());
        let before = params.str("ending_before")?.filter(|s| !s.is_empty());
        let mut window: Vec<Value> = Vec::with_capacity(limit + 1);
        let has_more = if let Some(before) = before {
            // Everything newer than the cursor, of which the page is the last `limit`.
            let mut newer = Vec::new();
            let found = items.any(|item| {
                let is_cursor = item["id"] == before;
                if !is_cursor {
                    newer.push(item);
                }
                is_cursor
            });
            if !found {
                return Err(ApiError::resource_missing(
                    "object",
                    before,
                    "ending_before",
                ));
            }
            let from = newer.len().saturating_sub(limit);
            window.extend(newer.drain(from..));
            from > 0
        } else {
            // Skipping through the cursor leaves the iterator on the item after it.
            if let Some(after) = after
                && !items.any(|item| item["id"] == after)
            {
                return Err(ApiError::resource_missing(
                    "object",
                    after,
                    "starting_after",
                ));
            }
            window.extend(items.take(limit + 1));
            let more = window.len() > limit;
            window.truncate(limit);
            more
        };
        Ok(json!({ "object": "list", "data": window, "has_more": has_more, "url": url }))
    }

    /// Replaces id strings named by `expand[]` paths (`customer`, `latest_charge.refunds`,
    /// `data.customer` in lists) by the objects they name.
    pub fn expand(&self, value: &mut Value, paths: &[String]) {
        for path in paths {
            let segments: Vec<&str> = path.split('.').collect();
            self.expand_path(value, &segments);
        }
    }

    fn expand_path(&self, value: &mut Value, segments: &[&str]) {
        let Some((first, rest)) = segments.split_first() else {
            return;
        };
        if value["object"] == "list" && *first == "data" {
            if let Some(items) = value["data"].as_array_mut() {
                for item in items {
                    self.expand_path(item, rest);
                }
            }
            return;
        }
        let Some(field) = value.get_mut(*first) else {
            return;
        };
        if let Some(object) = field.as_str().and_then(|id| self.load(id)) {
            *field = object;
        }
        if !rest.is_empty() {
            self.expand_path(field, rest);
        }
    }
}

fn listens_to(endpoint: &Value, kind: &str) -> bool {
    endpoint["enabled_events"]
        .as_array()
        .is_some_and(|events| events.iter().any(|e| e == "*" || e == kind))
}
