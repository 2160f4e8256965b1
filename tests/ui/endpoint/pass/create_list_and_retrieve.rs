use payforge::wire::{HasId, List};
use payforge_ui_tests::Shop;

#[derive(serde::Deserialize)]
struct Order {
    id: String,
}

impl HasId for Order {
    fn id(&self) -> &str {
        &self.id
    }
}

#[payforge::endpoint(provider = Shop, method = POST, path = "/v1/orders", output = Order, idempotent)]
#[derive(Clone, Debug, serde::Serialize)]
struct CreateOrder {
    amount: i64,
}

#[payforge::idempotent]
#[payforge::endpoint(provider = Shop, method = POST, path = "/v1/orders/{order}/capture", output = Order)]
#[derive(Clone, Debug, serde::Serialize)]
struct CaptureOrder {
    #[endpoint(path)]
    order: String,
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders", output = List<Order>, paginate = cursor)]
#[derive(Clone, Debug, serde::Serialize)]
struct ListOrders {
    starting_after: Option<String>,
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/balance", output = Order)]
#[derive(Clone, Debug, serde::Serialize)]
struct RetrieveBalance;

fn main() {}
