use payforge_ui_tests::Shop;

#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders/{order}", output = Order)]
#[derive(serde::Serialize)]
struct RetrieveOrder {
    #[endpoint(path)]
    order: Vec<u8>,
}

fn main() {}
