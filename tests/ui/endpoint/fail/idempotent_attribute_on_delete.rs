#[derive(serde::Deserialize)]
struct Order;

#[payforge::idempotent]
#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = DELETE, path = "/v1/orders/{order}", output = Order)]
#[derive(serde::Serialize)]
struct DeleteOrder {
    #[endpoint(path)]
    order: String,
}

fn main() {}
