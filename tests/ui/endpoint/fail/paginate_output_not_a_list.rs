use payforge_ui_tests::Shop;

#[derive(serde::Deserialize)]
struct Order;

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders", output = Vec<Order>, paginate = cursor)]
#[derive(serde::Serialize)]
#[derive(Clone)]
struct ListOrders {
    starting_after: Option<String>,
}

fn main() {}
