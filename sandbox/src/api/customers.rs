//! `/v1/customers`.

use rand::Rng;
use serde_json::{Value, json};

use super::payment_methods;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

const FIELDS: &[&str] = &["description", "email", "name", "phone"];

/// `POST /v1/customers`.
pub fn create(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "description",
        "email",
        "name",
        "phone",
        "metadata",
        "payment_method",
        "invoice_settings",
        "test_clock",
        "balance",
    ])?;
    // Referenced payment methods must exist before anything is stored, so a bad id
    // leaves no half-created customer behind.
    for (param, method) in [
        ("payment_method", params.str("payment_method")?),
        (
            "invoice_settings[default_payment_method]",
            default_method_param(params)?,
        ),
    ] {
        if let Some(method) = method.filter(|m| !m.is_empty()) {
            payment_methods::check_exists(store, method, param)?;
        }
    }
    let test_clock = match params.str("test_clock")?.filter(|c| !c.is_empty()) {
        Some(clock) => {
            store.find("test_helpers.test_clock", clock, "test_clock", "test_clock")?;
            json!(clock)
        }
        None => Value::Null,
    };
    let prefix: String = (0..8)
        .map(|_| char::from(b"0123456789ABCDEF"[rand::thread_rng().gen_range(0..16)]))
        .collect();
    let id = new_id("cus");
    let mut customer = json!({
        "id": id,
        "object": "customer",
        "address": null,
        "balance": params.int("balance")?.unwrap_or(0),
        "created": 0,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": null,
        "discount": null,
        "email": null,
        "invoice_prefix": prefix,
        "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null },
        "livemode": false,
        "metadata": {},
        "name": null,
        "next_invoice_sequence": 1,
        "phone": null,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": test_clock,
    });
    apply_fields(&mut customer, params)?;
    store.put(customer.clone());
    customer["created"] = json!(store.time_for_customer(Some(&id)));
    store.put(customer.clone());
    if let Some(method) = params.str("payment_method")?.filter(|m| !m.is_empty()) {
        payment_methods::attach_to(store, method, &id, "payment_method")?;
    }
    set_default_payment_method(store, &mut customer, params)?;
    store.put(customer.clone());
    store.emit("customer.created", &customer);
    Ok(customer)
}

fn default_method_param(params: &Params) -> Result<Option<&str>, ApiError> {
    match params.raw_hash("invoice_settings") {
        Some(settings) => settings
            .get("default_payment_method")
            .map_or(Ok(None), |v| {
                v.as_str().map(Some).ok_or_else(|| {
                    ApiError::invalid_value(
                        "invoice_settings[default_payment_method]",
                        "Invalid string.",
                    )
                })
            }),
        None => Ok(None),
    }
}

fn apply_fields(customer: &mut Value, params: &Params) -> Result<(), ApiError> {
    for field in FIELDS {
        if let Some(value) = params.nullable_str(field)? {
            customer[*field] = value;
        }
    }
    params.apply_metadata(&mut customer["metadata"])
}

/// Handles `invoice_settings[default_payment_method]`, attaching the method if needed.
fn set_default_payment_method(
    store: &mut Store,
    customer: &mut Value,
    params: &Params,
) -> Result<(), ApiError> {
    let Some(settings) = params.hash("invoice_settings", &["default_payment_method"])? else {
        return Ok(());
    };
    let Some(method) = settings.str("default_payment_method")? else {
        return Ok(());
    };
    if method.is_empty() {
        customer["invoice_settings"]["default_payment_method"] = Value::Null;
        return Ok(());
    }
    let id = customer["id"].as_str().unwrap_or_default().to_owned();
    let attached = payment_methods::attach_to(
        store,
        method,
        &id,
        "invoice_settings[default_payment_method]",
    )?;
    customer["invoice_settings"]["default_payment_method"] = attached["id"].clone();
    Ok(())
}

/// `GET /v1/customers/{id}`: a deleted customer comes back as its deletion stub.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    match store.raw_object(id) {
        Some(customer) if customer["object"] == "customer" => Ok(customer.clone()),
        _ => Err(ApiError::resource_missing("customer", id, "id")),
    }
}

/// `POST /v1/customers/{id}`.
pub fn update(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "description",
        "email",
        "name",
        "phone",
        "metadata",
        "invoice_settings",
        "balance",
    ])?;
    let mut customer = store.find("customer", id, "customer", "id")?;
    let before = customer.clone();
    apply_fields(&mut customer, params)?;
    if let Some(balance) = params.int("balance")? {
        customer["balance"] = json!(balance);
    }
    set_default_payment_method(store, &mut customer, params)?;
    store.put(customer.clone());
    store.emit_with_previous(
        "customer.updated",
        &customer,
        Some(changed_fields(&before, &customer)),
    );
    Ok(customer)
}

/// The previous values of the top-level fields that changed, for `previous_attributes`.
pub fn changed_fields(before: &Value, after: &Value) -> Value {
    let mut previous = serde_json::Map::new();
    if let (Some(old), Some(new)) = (before.as_object(), after.as_object()) {
        for (key, value) in old {
            if new.get(key) != Some(value) {
                previous.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(previous)
}

/// `DELETE /v1/customers/{id}`: also cancels the customer's subscriptions, as Stripe does.
pub fn delete(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    let customer = store.find("customer", id, "customer", "id")?;
    let subscriptions: Vec<String> = store
        .all("subscription")
        .filter(|s| s["customer"] == id && s["status"] != "canceled")
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for subscription in subscriptions {
        super::subscriptions::cancel_now(store, &subscription)?;
    }
    store.emit("customer.deleted", &customer);
    Ok(store.delete("customer", id))
}

/// `GET /v1/customers/search`, over the fields Stripe lets customers be searched by.
pub fn search(store: &Store, params: &Params) -> Result<Value, ApiError> {
    let fields = ["created", "email", "metadata", "name", "phone"];
    super::search::page(store, "customer", &fields, "/v1/customers/search", params)
}

/// `GET /v1/customers`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "email",
        "test_clock",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let email = params.str("email")?;
    let clock = params.str("test_clock")?;
    let items = store
        .all("customer")
        .rev()
        .filter(|c| email.is_none_or(|e| c["email"] == e))
        .filter(|c| clock.is_none_or(|t| c["test_clock"] == t));
    store.page(items, "/v1/customers", params)
}
