#[derive(serde::Deserialize)]
struct Events {
    events: Vec<String>,
}

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/events", output = Events, paginate = links)]
#[derive(Clone, serde::Serialize)]
struct ListEvents {
    page_size: Option<i64>,
}

fn main() {}
