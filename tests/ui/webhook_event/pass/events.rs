#[derive(serde::Deserialize)]
pub struct PaymentIntent {
    pub id: String,
}

#[derive(payforge::WebhookEvent)]
pub enum EventObject {
    #[event("payment_intent.succeeded")]
    PaymentIntentSucceeded(PaymentIntent),
    #[event(unknown)]
    Unknown { event_type: String, object: serde_json::Value },
}

fn main() {}
