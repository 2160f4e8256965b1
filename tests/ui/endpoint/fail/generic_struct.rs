#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v1/orders", output = Order)]
#[derive(serde::Serialize)]
struct CreateOrder<T> {
    metadata: T,
}

fn main() {}
