#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = PATCH, path = "/v2/orders", encoding = json, output = serde_json::Value)]
#[derive(serde::Serialize)]
struct UpdateOrder {
    #[endpoint(body)]
    patch: Vec<String>,
    note: String,
}

fn main() {}
