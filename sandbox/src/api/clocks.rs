//! `/v1/test_helpers/test_clocks`: frozen time for customers, advanced on request.
//!
//! Advancing a clock runs, in time order, every billing step of the subscriptions of the
//! customers attached to it (trial ends, renewals, payment retries, cancellations) and
//! stamps each step's objects and events with that step's time. The advance completes
//! within the request, so the clock comes back `ready`.

use serde_json::{Value, json};

use super::billing;
use crate::calendar::DAY;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

const KIND: &str = "test_helpers.test_clock";

/// `POST /v1/test_helpers/test_clocks`.
pub fn create(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["frozen_time", "name"])?;
    let frozen_time = params
        .timestamp("frozen_time")?
        .ok_or_else(|| ApiError::parameter_missing("frozen_time"))?;
    let now = store.now();
    let clock = json!({
        "id": new_id("clock"),
        "object": KIND,
        "created": now,
        "deletes_after": now + 30 * DAY,
        "frozen_time": frozen_time,
        "livemode": false,
        "name": params.nullable_str("name")?,
        "status": "ready",
    });
    store.put(clock.clone());
    store.emit("test_helpers.test_clock.created", &clock);
    Ok(clock)
}

/// `POST /v1/test_helpers/test_clocks/{id}/advance`.
pub fn advance(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["frozen_time"])?;
    let mut clock = store.find(KIND, id, "test clock", "id")?;
    let target = params
        .timestamp("frozen_time")?
        .ok_or_else(|| ApiError::parameter_missing("frozen_time"))?;
    let current = clock["frozen_time"].as_i64().unwrap_or(0);
    if target <= current {
        return Err(ApiError::invalid_param(
            "parameter_invalid_integer",
            "frozen_time",
            format!(
                "The frozen_time ({target}) must be after the test clock's current frozen_time ({current})."
            ),
        ));
    }
    let subscriptions: Vec<String> = store
        .all("subscription")
        .filter(|s| s["test_clock"] == id)
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for subscription in &subscriptions {
        billing::run_until(store, subscription, target)?;
    }
    clock["frozen_time"] = json!(target);
    clock["status"] = json!("ready");
    store.put(clock.clone());
    store.emit("test_helpers.test_clock.ready", &clock);
    Ok(clock)
}

/// Runs the billing of subscriptions without a test clock up to sandbox time (after
/// `/_sandbox/clock/advance`).
pub fn run_unclocked(store: &mut Store) -> Result<(), ApiError> {
    let now = store.now();
    let subscriptions: Vec<String> = store
        .all("subscription")
        .filter(|s| s["test_clock"].is_null())
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for subscription in &subscriptions {
        billing::run_until(store, subscription, now)?;
    }
    Ok(())
}

/// `GET /v1/test_helpers/test_clocks/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find(KIND, id, "test clock", "id")
}

/// `DELETE /v1/test_helpers/test_clocks/{id}`: also deletes the customers on the clock.
pub fn delete(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    let clock = store.find(KIND, id, "test clock", "id")?;
    let customers: Vec<String> = store
        .all("customer")
        .filter(|c| c["test_clock"] == id)
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    for customer in customers {
        super::customers::delete(store, &customer, &Params::default())?;
    }
    store.emit("test_helpers.test_clock.deleted", &clock);
    Ok(store.delete(KIND, id))
}

/// `GET /v1/test_helpers/test_clocks`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["limit", "starting_after", "ending_before"])?;
    let items = store.all(KIND).rev();
    store.page(items, "/v1/test_helpers/test_clocks", params)
}
