#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/orders", output = Order)]
enum ListOrders {
    All,
    Paid,
}

fn main() {}
