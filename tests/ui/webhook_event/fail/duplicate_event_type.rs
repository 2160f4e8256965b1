#[derive(payforge::WebhookEvent)]
pub enum EventObject {
    #[event("payment_intent.succeeded")]
    Succeeded(serde_json::Value),
    #[event("payment_intent.succeeded")]
    AlsoSucceeded(serde_json::Value),
    #[event(unknown)]
    Unknown { event_type: String, object: serde_json::Value },
}

fn main() {}
