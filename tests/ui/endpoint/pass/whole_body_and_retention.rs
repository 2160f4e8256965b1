use payforge::{Endpoint, RequestBody};
use payforge_ui_tests::Shop;

#[derive(Clone, Debug, serde::Serialize)]
struct Patch {
    op: String,
    path: String,
}

#[payforge::endpoint(provider = Shop, method = PATCH, path = "/v2/orders/{id}", encoding = json, output = serde_json::Value, idempotent, retention_secs = 21600)]
#[derive(Clone, Debug, serde::Serialize)]
struct UpdateOrder {
    #[endpoint(path)]
    id: String,
    #[endpoint(body)]
    patch: Vec<Patch>,
}

fn main() {
    let update = UpdateOrder {
        id: "O-1".to_owned(),
        patch: vec![Patch { op: "remove".to_owned(), path: "/note".to_owned() }],
    };
    let Ok(RequestBody::Json(body)) = update.encode() else {
        panic!("a JSON body");
    };
    assert_eq!(body, br#"[{"op":"remove","path":"/note"}]"#);
    assert_eq!(UpdateOrder::IDEMPOTENCY_RETENTION_SECS, Some(21600));
}
