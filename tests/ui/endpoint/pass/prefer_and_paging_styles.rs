//! `prefer`, `paginate = pages` and `paginate = links`, as a JSON provider's SDK declares them.

use payforge::wire::{ItemsPage, Link, Links, Minimal, MinimalResponse, links_of, next_link};

#[derive(Clone, Debug, serde::Deserialize)]
struct Plan;

#[derive(Clone, Debug, serde::Deserialize)]
struct PlanCollection {
    plans: Option<Vec<Plan>>,
    total_pages: Option<i64>,
    links: Option<Vec<Link>>,
}

impl Links for PlanCollection {
    fn links(&self) -> &[Link] {
        links_of(&self.links)
    }
}

impl ItemsPage for PlanCollection {
    type Item = Plan;
    fn into_items(self) -> Vec<Plan> {
        payforge::wire::page_items(self.plans)
    }
    fn total_pages(&self) -> Option<u64> {
        payforge::wire::page_count(&self.total_pages)
    }
    fn next_link(&self) -> Option<&str> {
        next_link(self)
    }
}

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/billing/plans", output = PlanCollection, paginate = pages, prefer)]
#[derive(Clone, Debug, serde::Serialize)]
struct ListPlans {
    page: Option<i64>,
    page_size: Option<i64>,
}

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = GET, path = "/v1/events", output = PlanCollection, paginate = links)]
#[derive(Clone, Debug, serde::Serialize)]
struct ListEvents {}

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v1/billing/plans", encoding = json, output = Plan, idempotent, prefer)]
#[derive(Clone, Debug, serde::Serialize)]
struct CreatePlan {
    name: String,
}

fn main() {
    let minimal: Minimal<CreatePlan> = CreatePlan { name: "Basic".to_owned() }.minimal();
    let _: fn(MinimalResponse<Plan>) = |_| {};
    let _ = (minimal, ListPlans { page: None, page_size: None }.minimal(), ListEvents {});
}
