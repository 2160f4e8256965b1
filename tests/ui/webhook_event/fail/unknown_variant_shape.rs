#[derive(payforge::WebhookEvent)]
pub enum EventObject {
    #[event("customer.created")]
    CustomerCreated(serde_json::Value),
    #[event(unknown)]
    Unknown(serde_json::Value),
}

fn main() {}
