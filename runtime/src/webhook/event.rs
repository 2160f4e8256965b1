//! Typed event payloads.

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
