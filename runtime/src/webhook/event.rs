//! Typed events: the payload contract ([`EventPayload`]) and three envelope conventions: an
//! event whose body is `{id, type, created, data.object}` ([`Event`], Stripe's), an item of
//! a batch whose id and type the receiver's envelope convention read ([`ItemEvent`], Adyen's
//! notification items), and an event whose `resource` is typed by its `resource_type`
//! ([`ResourceEvent`], PayPal's).

use serde::Deserialize;

use super::verified::VerifiedPayload;

/// The typed `data.object` of a provider's events: one variant per event type, plus an
/// `Unknown` variant for types added after the SDK was generated.
///
/// Implemented by `#[derive(WebhookEvent)]`; write the derive, not the impl.
pub trait EventPayload: Sized + Send + 'static {
    /// Decodes the object of an event of type `event_type` (for example
    /// `payment_intent.succeeded`). An unknown type decodes into the `Unknown` variant;
    /// an error means a *known* type whose object does not match its schema.
    fn decode(event_type: &str, object: serde_json::Value) -> Result<Self, serde_json::Error>;
    /// The event type this payload was decoded for.
    fn event_type(&self) -> &str;
    /// Every event type the enum knows, in declaration order.
    fn known_types() -> &'static [&'static str];
}

/// A payload that keeps `data.object` as raw JSON, for handlers (and tools) that need no
/// typing. It knows no event types, so every event decodes into it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawObject {
    /// The event type.
    pub event_type: String,
    /// The raw `data.object`.
    pub object: serde_json::Value,
}

impl EventPayload for RawObject {
    fn decode(event_type: &str, object: serde_json::Value) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_type: event_type.to_owned(),
            object,
        })
    }

    fn event_type(&self) -> &str {
        &self.event_type
    }

    fn known_types() -> &'static [&'static str] {
        &[]
    }
}

/// A provider's event envelope, decoded from verified bytes by a worker.
///
/// Implemented by [`Event`] (an event that carries its own id and type in its body) and
/// [`ItemEvent`] (an item of a batch, whose id and type the receiver read with the
/// provider's [`EnvelopeConvention`](super::EnvelopeConvention) and the inbox stored beside
/// it); a provider with yet another shape implements it for its own type and uses the same
/// inbox and workers.
pub trait EventEnvelope: Sized + Send + 'static {
    /// Decodes the envelope and its typed payload from the raw body.
    fn decode(body: &[u8]) -> Result<Self, DecodeError>;

    /// Decodes a stored event, with the id and type the envelope convention read. The
    /// default reads only the body.
    fn decode_payload(payload: &VerifiedPayload) -> Result<Self, DecodeError> {
        Self::decode(payload.body())
    }
}

/// Why verified bytes could not be decoded into a typed event. The event stays in the inbox,
/// parked with this reason, and can be replayed after an SDK upgrade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The envelope itself (`id`, `type`, `created`, `data.object`) does not match.
    #[error("the event envelope does not decode: {0}")]
    Envelope(#[source] serde_json::Error),
    /// The stored event has no type, so its payload cannot be chosen.
    #[error("the stored event `{event_id}` has no event type")]
    MissingEventType {
        /// The event id.
        event_id: String,
    },
    /// The envelope decodes, but the object of a known event type does not match its schema
    /// (typically another API version than the SDK's).
    #[error("the `data.object` of a `{event_type}` event does not decode: {source}")]
    Object {
        /// The event type.
        event_type: String,
        /// The decoder's error, with its path and position.
        #[source]
        source: serde_json::Error,
    },
}

/// A provider event in Stripe's envelope, with its `data.object` decoded into `T`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The event id (`evt_…`): the key the inbox deduplicates on.
    pub id: String,
    /// The event type (`payment_intent.succeeded`).
    pub event_type: String,
    /// When the event was created (Unix seconds).
    pub created: i64,
    /// The API version the object was rendered with, if the provider says.
    pub api_version: Option<String>,
    /// Whether the event happened in live mode.
    pub livemode: bool,
    /// The connected account the event concerns, for Connect platforms.
    pub account: Option<String>,
    /// The API request that caused the event, if any.
    pub request: Option<EventRequest>,
    /// The object and, for `*.updated` events, the changed attributes.
    pub data: EventData<T>,
}

/// The `data` member of an event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EventData<T> {
    /// The typed object the event concerns.
    pub object: T,
    /// For `*.updated` events, the previous values of the attributes that changed, as raw
    /// JSON (its shape is a sparse copy of the object).
    pub previous_attributes: Option<serde_json::Value>,
}

/// The API request behind an event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EventRequest {
    /// The request id (`req_…`), absent for events caused by the dashboard or automation.
    #[serde(default)]
    pub id: Option<String>,
    /// The idempotency key the request carried.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Deserialize)]
struct RawEnvelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    created: i64,
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    livemode: bool,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    request: Option<RawRequest>,
    data: RawData,
}

/// Old API versions send `request` as a bare id string; newer ones as an object.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawRequest {
    Id(String),
    Object(EventRequest),
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
    #[serde(default)]
    previous_attributes: Option<serde_json::Value>,
}

impl<T: EventPayload> EventEnvelope for Event<T> {
    fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let raw: RawEnvelope = serde_json::from_slice(body).map_err(DecodeError::Envelope)?;
        let object =
            T::decode(&raw.event_type, raw.data.object).map_err(|source| DecodeError::Object {
                event_type: raw.event_type.clone(),
                source,
            })?;
        Ok(Self {
            id: raw.id,
            event_type: raw.event_type,
            created: raw.created,
            api_version: raw.api_version,
            livemode: raw.livemode,
            account: raw.account,
            request: raw.request.map(|request| match request {
                RawRequest::Id(id) => EventRequest {
                    id: Some(id),
                    idempotency_key: None,
                },
                RawRequest::Object(request) => request,
            }),
            data: EventData {
                object,
                previous_attributes: raw.data.previous_attributes,
            },
        })
    }
}

/// One item of a batch delivery (or a body without an id and type of its own), with the
/// whole item decoded into `T`.
///
/// The id and type are those the receiver's [`EnvelopeConvention`](super::EnvelopeConvention)
/// read when it verified the delivery (for Adyen's notification items: `pspReference`,
/// `eventCode`, `success` and `eventCode`), so decoding needs no provider knowledge.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ItemEvent<T> {
    /// The event id the inbox deduplicated on.
    pub id: String,
    /// The event type (`AUTHORISATION`).
    pub event_type: String,
    /// The typed item.
    pub item: T,
}

impl<T: EventPayload> EventEnvelope for ItemEvent<T> {
    /// Bytes alone do not say an item's id or type: a worker decodes stored items with
    /// [`decode_payload`](EventEnvelope::decode_payload).
    fn decode(_body: &[u8]) -> Result<Self, DecodeError> {
        Err(DecodeError::MissingEventType {
            event_id: String::new(),
        })
    }

    fn decode_payload(payload: &VerifiedPayload) -> Result<Self, DecodeError> {
        let event_type = payload
            .event_type()
            .ok_or_else(|| DecodeError::MissingEventType {
                event_id: payload.event_id().to_owned(),
            })?
            .to_owned();
        let value: serde_json::Value =
            serde_json::from_slice(payload.body()).map_err(DecodeError::Envelope)?;
        let item = T::decode(&event_type, value).map_err(|source| DecodeError::Object {
            event_type: event_type.clone(),
            source,
        })?;
        Ok(Self {
            id: payload.event_id().to_owned(),
            event_type,
            item,
        })
    }
}

/// A provider event whose payload is a `resource` typed by the event's `resource_type`
/// (PayPal's envelope: `{id, event_type, resource_type, resource, create_time, summary,
/// event_version, resource_version, links}`), with the resource decoded into `T`.
///
/// `T` is keyed by resource type, not event type: one resource type (`capture`) serves many
/// event types (`PAYMENT.CAPTURE.COMPLETED`, `…DENIED`, `…REFUNDED`), and a resource type
/// the SDK does not know decodes into `T`'s `Unknown` variant.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResourceEvent<T> {
    /// The event id (`WH-…`): the key the inbox deduplicates on.
    pub id: String,
    /// The event type (`CHECKOUT.ORDER.APPROVED`).
    pub event_type: String,
    /// The type of the resource (`checkout-order`, `capture`).
    pub resource_type: String,
    /// When the event was created (RFC 3339), if the body says.
    pub create_time: Option<String>,
    /// The provider's one-line summary of the event, if any.
    pub summary: Option<String>,
    /// The version of the event's envelope, if the body says.
    pub event_version: Option<String>,
    /// The API version the resource was rendered with, if the body says.
    pub resource_version: Option<String>,
    /// The typed resource.
    pub resource: T,
}

#[derive(Deserialize)]
struct RawResourceEnvelope {
    id: String,
    event_type: String,
    resource_type: String,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    event_version: Option<String>,
    #[serde(default)]
    resource_version: Option<String>,
    resource: serde_json::Value,
}

impl<T: EventPayload> EventEnvelope for ResourceEvent<T> {
    fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let raw: RawResourceEnvelope =
            serde_json::from_slice(body).map_err(DecodeError::Envelope)?;
        let resource =
            T::decode(&raw.resource_type, raw.resource).map_err(|source| DecodeError::Object {
                event_type: format!("{} ({})", raw.event_type, raw.resource_type),
                source,
            })?;
        Ok(Self {
            id: raw.id,
            event_type: raw.event_type,
            resource_type: raw.resource_type,
            create_time: raw.create_time,
            summary: raw.summary,
            event_version: raw.event_version,
            resource_version: raw.resource_version,
            resource,
        })
    }
}
