use payforge::wire::ItemsPage;

#[derive(serde::Deserialize)]
struct Plans {
    plans: Vec<String>,
}

impl ItemsPage for Plans {
    type Item = String;
    fn into_items(self) -> Vec<String> {
        self.plans
    }
}

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/plans", output = Plans, paginate = pages)]
#[derive(Clone, serde::Serialize)]
struct ListPlans {
    page_size: Option<i64>,
}

fn main() {}
