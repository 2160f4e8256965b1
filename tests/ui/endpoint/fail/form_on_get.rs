#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/orders", encoding = form, output = Order)]
#[derive(serde::Serialize)]
struct ListOrders {
    limit: Option<u8>,
}

fn main() {}
