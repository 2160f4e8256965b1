#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v2/orders", output = serde_json::Value, retention_secs = 21600)]
#[derive(serde::Serialize)]
struct CreateOrder {
    amount: i64,
}

fn main() {}
