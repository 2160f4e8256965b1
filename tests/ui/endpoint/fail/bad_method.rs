#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = post, path = "/v1/orders", output = Order)]
#[derive(serde::Serialize)]
struct CreateOrder {
    amount: i64,
}

fn main() {}
