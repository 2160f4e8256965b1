#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/orders/{order}", encoding = json, output = Order, idempotent)]
#[derive(serde::Serialize)]
struct RetrieveOrder {
    #[endpoint(path)]
    id: String,
}

fn main() {}
