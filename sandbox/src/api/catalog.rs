//! `/v1/products` and `/v1/prices` (one-time and recurring).

use serde_json::{Value, json};

use crate::calendar::Interval;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

/// `POST /v1/products`.
pub fn create_product(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "name",
        "description",
        "active",
        "metadata",
        "statement_descriptor",
        "unit_label",
        "url",
        "id",
    ])?;
    let product = new_product(store, params)?;
    store.put(product.clone());
    store.emit("product.created", &product);
    Ok(product)
}

fn new_product(store: &Store, params: &Params) -> Result<Value, ApiError> {
    let name = params.required_str("name")?;
    let id = match params.str("id")?.filter(|s| !s.is_empty()) {
        Some(id) if store.raw_object(id).is_some() => {
            return Err(ApiError::invalid_param(
                "resource_already_exists",
                "id",
                format!("Product already exists: {id}"),
            ));
        }
        Some(id) => id.to_owned(),
        None => new_id("prod"),
    };
    let now = store.now();
    let mut product = json!({
        "id": id,
        "object": "product",
        "active": params.bool("active")?.unwrap_or(true),
        "created": now,
        "default_price": null,
        "description": params.nullable_str("description")?,
        "features": [],
        "images": [],
        "livemode": false,
        "metadata": {},
        "name": name,
        "package_dimensions": null,
        "shippable": null,
        "statement_descriptor": params.nullable_str("statement_descriptor")?,
        "tax_code": null,
        "unit_label": params.nullable_str("unit_label")?,
        "updated": now,
        "url": params.nullable_str("url")?,
    });
    params.apply_metadata(&mut product["metadata"])?;
    Ok(product)
}

/// `GET /v1/products/{id}`.
pub fn retrieve_product(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("product", id, "product", "id")
}

/// `POST /v1/products/{id}`.
pub fn update_product(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "name",
        "description",
        "active",
        "metadata",
        "default_price",
        "statement_descriptor",
        "unit_label",
        "url",
    ])?;
    let mut product = store.find("product", id, "product", "id")?;
    if let Some(name) = params.str("name")? {
        product["name"] = json!(params.required_str("name").map(|_| name)?);
    }
    for field in ["description", "statement_descriptor", "unit_label", "url"] {
        if let Some(value) = params.nullable_str(field)? {
            product[field] = value;
        }
    }
    if let Some(active) = params.bool("active")? {
        product["active"] = json!(active);
    }
    if let Some(price) = params.str("default_price")?.filter(|p| !p.is_empty()) {
        product["default_price"] =
            store.find("price", price, "price", "default_price")?["id"].clone();
    }
    params.apply_metadata(&mut product["metadata"])?;
    product["updated"] = json!(store.now());
    store.put(product.clone());
    store.emit("product.updated", &product);
    Ok(product)
}

/// `DELETE /v1/products/{id}`.
pub fn delete_product(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    let product = store.find("product", id, "product", "id")?;
    if store.all("price").any(|p| p["product"] == id) {
        return Err(ApiError::invalid_request(
            "This product cannot be deleted because it has one or more user-created prices.",
        ));
    }
    store.emit("product.deleted", &product);
    Ok(store.delete("product", id))
}

/// `GET /v1/products`.
pub fn list_products(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "active",
        "limit",
        "starting_after",
        "ending_before",
        "created",
        "ids",
    ])?;
    let active = params.bool("active")?;
    let items = store
        .all("product")
        .rev()
        .filter(|p| active.is_none_or(|a| p["active"] == a));
    store.page(items, "/v1/products", params)
}

/// `POST /v1/prices`: `product` or `product_data[name]`, `unit_amount`, and for a
/// recurring price `recurring[interval]` (day, week, month, year) and
/// `recurring[interval_count]`.
pub fn create_price(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "currency",
        "unit_amount",
        "product",
        "product_data",
        "recurring",
        "nickname",
        "metadata",
        "lookup_key",
        "active",
        "tax_behavior",
    ])?;
    let currency = params
        .currency("currency")?
        .ok_or_else(|| ApiError::parameter_missing("currency"))?;
    let unit_amount = params
        .int("unit_amount")?
        .ok_or_else(|| ApiError::parameter_missing("unit_amount"))?;
    if !(0..=crate::params::MAX_AMOUNT).contains(&unit_amount) {
        return Err(ApiError::invalid_param(
            "parameter_invalid_integer",
            "unit_amount",
            "Invalid unit_amount: must be between 0 and 99999999.",
        ));
    }
    let recurring = match params.hash(
        "recurring",
        &[
            "interval",
            "interval_count",
            "usage_type",
            "aggregate_usage",
        ],
    )? {
        Some(recurring) => {
            let interval = recurring.required_str("interval")?;
            if Interval::parse(interval).is_none() {
                return Err(ApiError::invalid_value(
                    "recurring[interval]",
                    "Invalid recurring[interval]: must be one of day, week, month, or year.",
                ));
            }
            let count = recurring.int("interval_count")?.unwrap_or(1);
            if !(1..=365).contains(&count) {
                return Err(ApiError::invalid_param(
                    "parameter_invalid_integer",
                    "recurring[interval_count]",
                    "Invalid interval_count.",
                ));
            }
            json!({ "aggregate_usage": null, "interval": interval, "interval_count": count, "usage_type": "licensed" })
        }
        None => Value::Null,
    };
    let product = price_product(store, params)?;
    let mut price = json!({
        "id": new_id("price"),
        "object": "price",
        "active": params.bool("active")?.unwrap_or(true),
        "billing_scheme": "per_unit",
        "created": store.now(),
        "currency": currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": params.nullable_str("lookup_key")?,
        "metadata": {},
        "nickname": params.nullable_str("nickname")?,
        "product": product,
        "recurring": recurring,
        "tax_behavior": params.one_of("tax_behavior", &["exclusive", "inclusive", "unspecified"])?.unwrap_or_else(|| "unspecified".into()),
        "tiers_mode": null,
        "transform_quantity": null,
        "type": if recurring.is_null() { "one_time" } else { "recurring" },
        "unit_amount": unit_amount,
        "unit_amount_decimal": unit_amount.to_string(),
    });
    params.apply_metadata(&mut price["metadata"])?;
    store.put(price.clone());
    store.emit("price.created", &price);
    Ok(price)
}

fn price_product(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    if let Some(product) = params.str("product")?.filter(|p| !p.is_empty()) {
        return Ok(store.find("product", product, "product", "product")?["id"].clone());
    }
    let Some(data) = params.hash(
        "product_data",
        &[
            "name",
            "metadata",
            "active",
            "statement_descriptor",
            "unit_label",
        ],
    )?
    else {
        return Err(ApiError::parameter_missing("product"));
    };
    let product = new_product(store, &data)?;
    store.put(product.clone());
    store.emit("product.created", &product);
    Ok(product["id"].clone())
}

/// `GET /v1/prices/{id}`.
pub fn retrieve_price(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("price", id, "price", "id")
}

/// `POST /v1/prices/{id}`: metadata, nickname, active, lookup_key.
pub fn update_price(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "metadata",
        "nickname",
        "active",
        "lookup_key",
        "tax_behavior",
    ])?;
    let mut price = store.find("price", id, "price", "id")?;
    for field in ["nickname", "lookup_key"] {
        if let Some(value) = params.nullable_str(field)? {
            price[field] = value;
        }
    }
    if let Some(active) = params.bool("active")? {
        price["active"] = json!(active);
    }
    params.apply_metadata(&mut price["metadata"])?;
    store.put(price.clone());
    store.emit("price.updated", &price);
    Ok(price)
}

/// `GET /v1/prices`.
pub fn list_prices(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "active",
        "product",
        "type",
        "currency",
        "lookup_keys",
        "limit",
        "starting_after",
        "ending_before",
        "created",
        "recurring",
    ])?;
    let active = params.bool("active")?;
    let product = params.str("product")?;
    let kind = params.one_of("type", &["one_time", "recurring"])?;
    let items = store
        .all("price")
        .rev()
        .filter(|p| active.is_none_or(|a| p["active"] == a))
        .filter(|p| product.is_none_or(|id| p["product"] == id))
        .filter(|p| kind.as_deref().is_none_or(|k| p["type"] == k));
    store.page(items, "/v1/prices", params)
}
