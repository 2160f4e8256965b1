#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v2/orders", encoding = form, output = serde_json::Value)]
#[derive(serde::Serialize)]
struct CreateOrder {
    #[endpoint(body)]
    lines: Vec<String>,
}

fn main() {}
