#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/orders/{order}", output = Order)]
#[derive(serde::Serialize)]
struct RetrieveOrder(String);

fn main() {}
