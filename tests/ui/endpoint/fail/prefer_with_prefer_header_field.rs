#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v2/orders", encoding = json, output = Order, prefer)]
#[derive(serde::Serialize)]
struct CreateOrder {
    #[endpoint(header = "Prefer")]
    prefer: Option<String>,
}

fn main() {}
