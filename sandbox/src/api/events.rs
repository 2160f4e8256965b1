//! `/v1/events` and `/v1/webhook_endpoints`.

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

/// `GET /v1/events/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store
        .events()
        .find(|e| e.id == id)
        .and_then(|e| e.parse())
        .ok_or_else(|| ApiError::resource_missing("event", id, "id"))
}

/// `GET /v1/events`, newest first, filtered by `type` (a trailing `*` matches a prefix)
/// or `types[]`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "type",
        "types",
        "limit",
        "starting_after",
        "ending_before",
        "created",
        "delivery_success",
    ])?;
    let kind = params.str("type")?;
    let kinds = params.string_list("types")?;
    let matches = |name: &str| {
        let by_type = kind.is_none_or(|k| match k.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == k,
        });
        by_type && (kinds.is_empty() || kinds.iter().any(|k| k == name))
    };
    let items = store
        .events()
        .filter(|e| matches(&e.kind))
        .filter_map(|e| e.parse());
    store.page(items, "/v1/events", params)
}

fn enabled_events(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    if !params.has("enabled_events") {
        return Ok(None);
    }
    let events = params.string_list("enabled_events")?;
    if events.is_empty() {
        return Err(ApiError::parameter_missing("enabled_events"));
    }
    Ok(Some(events))
}

fn valid_url(params: &Params) -> Result<Option<String>, ApiError> {
    let Some(url) = params.str("url")? else {
        return Ok(None);
    };
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(Some(url.to_owned()))
    } else {
        Err(ApiError::invalid_param(
            "url_invalid",
            "url",
            format!("Invalid URL: {url}"),
        ))
    }
}

/// `POST /v1/webhook_endpoints`: the response alone carries the `whsec_…` secret.
pub fn create_endpoint(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "url",
        "enabled_events",
        "description",
        "metadata",
        "api_version",
        "connect",
    ])?;
    let url = valid_url(params)?.ok_or_else(|| ApiError::parameter_missing("url"))?;
    let events =
        enabled_events(params)?.ok_or_else(|| ApiError::parameter_missing("enabled_events"))?;
    let id = new_id("we");
    let mut endpoint = json!({
        "id": id,
        "object": "webhook_endpoint",
        "api_version": params.nullable_str("api_version")?,
        "application": null,
        "created": store.now(),
        "description": params.nullable_str("description")?,
        "enabled_events": events,
        "livemode": false,
        "metadata": {},
        "status": "enabled",
        "url": url,
    });
    params.apply_metadata(&mut endpoint["metadata"])?;
    let secret: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    let secret = format!("whsec_{secret}");
    store.set_endpoint_secret(&id, secret.clone());
    store.put(endpoint.clone());
    endpoint["secret"] = json!(secret);
    Ok(endpoint)
}

/// `GET /v1/webhook_endpoints/{id}`.
pub fn retrieve_endpoint(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("webhook_endpoint", id, "webhook endpoint", "id")
}

/// `POST /v1/webhook_endpoints/{id}`.
pub fn update_endpoint(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "url",
        "enabled_events",
        "description",
        "metadata",
        "disabled",
    ])?;
    let mut endpoint = store.find("webhook_endpoint", id, "webhook endpoint", "id")?;
    if let Some(url) = valid_url(params)? {
        endpoint["url"] = json!(url);
    }
    if let Some(events) = enabled_events(params)? {
        endpoint["enabled_events"] = json!(events);
    }
    if let Some(description) = params.nullable_str("description")? {
        endpoint["description"] = description;
    }
    if let Some(disabled) = params.bool("disabled")? {
        endpoint["status"] = json!(if disabled { "disabled" } else { "enabled" });
    }
    params.apply_metadata(&mut endpoint["metadata"])?;
    store.put(endpoint.clone());
    Ok(endpoint)
}

/// `DELETE /v1/webhook_endpoints/{id}`.
pub fn delete_endpoint(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("webhook_endpoint", id, "webhook endpoint", "id")?;
    Ok(store.delete("webhook_endpoint", id))
}

/// `GET /v1/webhook_endpoints`.
pub fn list_endpoints(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["limit", "starting_after", "ending_before"])?;
    let items = store.all("webhook_endpoint").rev();
    store.page(items, "/v1/webhook_endpoints", params)
}
