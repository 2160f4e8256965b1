#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v1/orders")]
#[derive(serde::Serialize)]
struct CreateOrder {
    amount: i64,
}

fn main() {}
