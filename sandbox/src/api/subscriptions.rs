//! `/v1/subscriptions`: create with trials, update, cancel now or at period end.

use serde_json::{Value, json};

use super::{billing, payment_methods};
use crate::calendar::{DAY, add_interval};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

const KIND: &str = "subscription";

/// `POST /v1/subscriptions`.
pub fn create(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "items",
        "default_payment_method",
        "trial_period_days",
        "trial_end",
        "cancel_at_period_end",
        "metadata",
        "payment_behavior",
        "collection_method",
        "description",
        "off_session",
        "proration_behavior",
        "payment_settings",
    ])?;
    let customer = params.required_str("customer")?.to_owned();
    store.find("customer", &customer, "customer", "customer")?;
    params.one_of("collection_method", &["charge_automatically"])?;
    params.one_of(
        "payment_behavior",
        &[
            "allow_incomplete",
            "default_incomplete",
            "error_if_incomplete",
            "pending_if_incomplete",
        ],
    )?;
    let id = new_id("sub");
    let now = store.time_for_customer(Some(&customer));
    let items = subscription_items(store, params, &id, now)?;
    let currency = items[0]["price"]["currency"].clone();
    let trial_end = trial_end(params, now)?;
    // Validate the remaining parameters before attaching a payment method, the one side
    // effect that precedes storing the subscription.
    let description = params.nullable_str("description")?;
    let cancel_at_period_end = params.bool("cancel_at_period_end")?.unwrap_or(false);
    params.apply_metadata(&mut Value::Null)?;
    let default_payment_method = match params
        .str("default_payment_method")?
        .filter(|m| !m.is_empty())
    {
        Some(method) => {
            payment_methods::attach_to(store, method, &customer, "default_payment_method")?["id"]
                .clone()
        }
        None => Value::Null,
    };
    let mut subscription = json!({
        "id": id, "object": KIND, "application": null, "application_fee_percent": null,
        "automatic_tax": { "enabled": false }, "billing_cycle_anchor": trial_end.unwrap_or(now),
        "billing_thresholds": null, "cancel_at": null, "cancel_at_period_end": false, "canceled_at": null,
        "cancellation_details": { "comment": null, "feedback": null, "reason": null },
        "collection_method": "charge_automatically", "created": now, "currency": currency,
        "current_period_end": 0, "current_period_start": now, "customer": customer, "days_until_due": null,
        "default_payment_method": default_payment_method, "default_source": null, "default_tax_rates": [],
        "description": description, "discount": null, "ended_at": null,
        "items": { "object": "list", "data": items, "has_more": false, "url": format!("/v1/subscription_items?subscription={id}") },
        "latest_invoice": null, "livemode": false, "metadata": {}, "next_pending_invoice_item_invoice": null,
        "on_behalf_of": null, "pause_collection": null,
        "payment_settings": { "payment_method_options": null, "payment_method_types": null, "save_default_payment_method": "off" },
        "pending_invoice_item_interval": null, "pending_setup_intent": null, "pending_update": null, "schedule": null,
        "start_date": now, "status": if trial_end.is_some() { "trialing" } else { "incomplete" },
        "test_clock": store.get("customer", &customer).map(|c| c["test_clock"].clone()).unwrap_or(Value::Null),
        "transfer_data": null, "trial_end": trial_end, "trial_settings": { "end_behavior": { "missing_payment_method": "create_invoice" } },
        "trial_start": trial_end.map(|_| now),
    });
    let (interval, count) = billing::interval_of(&subscription);
    let period_end = trial_end.unwrap_or_else(|| add_interval(now, interval, count));
    subscription["current_period_end"] = json!(period_end);
    if cancel_at_period_end {
        subscription["cancel_at_period_end"] = json!(true);
        subscription["cancel_at"] = json!(period_end);
        subscription["canceled_at"] = json!(now);
    }
    params.apply_metadata(&mut subscription["metadata"])?;
    store.put(subscription.clone());
    store.emit("customer.subscription.created", &subscription);
    billing::bill(
        store,
        &id,
        "subscription_create",
        now,
        period_end,
        trial_end.is_some(),
    )?;
    store.find(KIND, &id, "subscription", "id")
}

/// Reads `items[n][price]` and `items[n][quantity]`: recurring prices of one currency.
fn subscription_items(
    store: &Store,
    params: &Params,
    subscription: &str,
    now: i64,
) -> Result<Vec<Value>, ApiError> {
    let entries = params.hash_list("items", &["price", "quantity", "metadata"])?;
    if entries.is_empty() {
        return Err(ApiError::parameter_missing("items"));
    }
    let mut items = Vec::with_capacity(entries.len());
    for entry in entries {
        let price_id = entry.required_str("price")?;
        let price = store.find("price", price_id, "price", &entry.name("price"))?;
        if price["type"] != "recurring" {
            return Err(ApiError::invalid_value(
                &entry.name("price"),
                format!(
                    "The price specified ({price_id}) is not recurring; subscriptions need recurring prices."
                ),
            ));
        }
        if items
            .first()
            .is_some_and(|first: &Value| first["price"]["currency"] != price["currency"])
        {
            return Err(ApiError::invalid_value(
                &entry.name("price"),
                "All prices of a subscription must use the same currency.",
            ));
        }
        let quantity = entry.int("quantity")?.unwrap_or(1);
        if !(1..=10_000).contains(&quantity) {
            return Err(ApiError::invalid_param(
                "parameter_invalid_integer",
                &entry.name("quantity"),
                "Invalid quantity.",
            ));
        }
        let mut item = json!({
            "id": new_id("si"), "object": "subscription_item", "billing_thresholds": null, "created": now,
            "metadata": {}, "price": price, "quantity": quantity, "subscription": subscription, "tax_rates": [],
        });
        entry.apply_metadata(&mut item["metadata"])?;
        items.push(item);
    }
    Ok(items)
}

/// `trial_end` (a timestamp, or `now` for none) or `trial_period_days`.
fn trial_end(params: &Params, now: i64) -> Result<Option<i64>, ApiError> {
    if params.str("trial_end")? == Some("now") {
        return Ok(None);
    }
    if let Some(end) = params.timestamp("trial_end")? {
        if end <= now {
            return Err(ApiError::invalid_param(
                "parameter_invalid_integer",
                "trial_end",
                "Invalid timestamp: must be in the future.",
            ));
        }
        return Ok(Some(end));
    }
    match params.int("trial_period_days")? {
        None | Some(0) => Ok(None),
        Some(days) if (1..=730).contains(&days) => Ok(Some(now + days * DAY)),
        Some(_) => Err(ApiError::invalid_param(
            "parameter_invalid_integer",
            "trial_period_days",
            "trial_period_days must be between 0 and 730.",
        )),
    }
}

/// `POST /v1/subscriptions/{id}`: `cancel_at_period_end`, `default_payment_method`,
/// `description`, `metadata`.
pub fn update(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "cancel_at_period_end",
        "default_payment_method",
        "description",
        "metadata",
        "proration_behavior",
        "payment_behavior",
    ])?;
    let mut subscription = store.find(KIND, id, "subscription", "id")?;
    if subscription["status"] == "canceled" {
        return Err(ApiError::unexpected_state(
            "resource_missing",
            format!("A canceled subscription can only update its metadata: {id}"),
        ));
    }
    let before = subscription.clone();
    let customer = subscription["customer"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(cancel) = params.bool("cancel_at_period_end")? {
        let now = store.time_for_customer(Some(&customer));
        subscription["cancel_at_period_end"] = json!(cancel);
        subscription["cancel_at"] = if cancel {
            subscription["current_period_end"].clone()
        } else {
            Value::Null
        };
        subscription["canceled_at"] = if cancel { json!(now) } else { Value::Null };
    }
    if let Some(method) = params.str("default_payment_method")? {
        subscription["default_payment_method"] = if method.is_empty() {
            Value::Null
        } else {
            payment_methods::attach_to(store, method, &customer, "default_payment_method")?["id"]
                .clone()
        };
    }
    if let Some(description) = params.nullable_str("description")? {
        subscription["description"] = description;
    }
    params.apply_metadata(&mut subscription["metadata"])?;
    store.put(subscription.clone());
    let previous = super::customers::changed_fields(&before, &subscription);
    store.emit_with_previous(
        "customer.subscription.updated",
        &subscription,
        Some(previous),
    );
    Ok(subscription)
}

/// `DELETE /v1/subscriptions/{id}`: cancels at once.
pub fn cancel(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["invoice_now", "prorate", "cancellation_details"])?;
    let subscription = store.find(KIND, id, "subscription", "id")?;
    if subscription["status"] == "canceled" {
        return Err(ApiError::invalid_request(format!(
            "The subscription {id} is already canceled."
        )));
    }
    cancel_now(store, id)?;
    store.find(KIND, id, "subscription", "id")
}

/// Cancels a subscription at once because it was asked to.
pub fn cancel_now(store: &mut Store, id: &str) -> Result<(), ApiError> {
    cancel_with_reason(store, id, "cancellation_requested")
}

/// Cancels a subscription at once, recording why, and emits `customer.subscription.deleted`.
pub fn cancel_with_reason(store: &mut Store, id: &str, reason: &str) -> Result<(), ApiError> {
    let mut subscription = store.find(KIND, id, "subscription", "id")?;
    let now = store.time_for_customer(subscription["customer"].as_str());
    subscription["status"] = json!("canceled");
    subscription["ended_at"] = json!(now);
    if subscription["canceled_at"].is_null() {
        subscription["canceled_at"] = json!(now);
    }
    subscription["cancellation_details"]["reason"] = json!(reason);
    store.put(subscription.clone());
    store.emit("customer.subscription.deleted", &subscription);
    Ok(())
}

/// `GET /v1/subscriptions/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find(KIND, id, "subscription", "id")
}

/// `GET /v1/subscriptions`: by default every status except `canceled`, as Stripe lists.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "price",
        "status",
        "test_clock",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let customer = params.str("customer")?;
    let status = params.str("status")?;
    let items = store
        .all(KIND)
        .rev()
        .filter(|s| customer.is_none_or(|c| s["customer"] == c))
        .filter(|s| match status {
            None => s["status"] != "canceled",
            Some("all") => true,
            Some(wanted) => s["status"] == wanted,
        });
    store.page(items, "/v1/subscriptions", params)
}
