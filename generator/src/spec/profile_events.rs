//! `[events] source`: where a provider's webhook event types come from
//! (docs/generated-code.md, "Webhook events").

use serde::Deserialize;

/// The convention that lists a provider's webhook event types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// A string enum at `[events] event_types_pointer` lists every type (the enum of event
    /// types a webhook endpoint may subscribe to); each type's payload is the object schema
    /// its prefix names (`payment_intent.succeeded` -> `payment_intent`).
    #[default]
    TypeEnum,
    /// The spec's top-level `webhooks:` map (OpenAPI 3.1) lists one entry per event code
    /// (`/AUTHORISATION`, `merchant.created`; a leading `/` is not part of the code); each
    /// code's payload is its operation's JSON request body.
    WebhooksMap,
    /// The profile lists the types itself, for a provider whose specs only show examples
    /// (PayPal): `[events.types]` names every event type, and `[events.resources]` maps each
    /// value of the envelope's resource-type field (`checkout-order`) to the component
    /// schema of the resource it carries (`order`). The payload is typed by the resource
    /// type, not the event type: one resource type serves many event types.
    Profile,
}
