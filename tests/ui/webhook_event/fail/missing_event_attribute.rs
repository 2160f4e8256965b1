#[derive(payforge::WebhookEvent)]
pub enum EventObject {
    PaymentIntentSucceeded(serde_json::Value),
    #[event(unknown)]
    Unknown { event_type: String, object: serde_json::Value },
}

fn main() {}
