//! `/v1/payment_methods`: cards from raw test numbers, `tok_…` tokens or `pm_card_…` ids.

use serde_json::{Value, json};

use crate::cards::{self, TestCard};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::{CardProfile, Store};

const NOUN: &str = "payment_method";

/// `POST /v1/payment_methods`.
pub fn create(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["type", "card", "billing_details", "metadata", "customer"])?;
    if params.one_of("type", &["card"])?.is_none() {
        return Err(ApiError::parameter_missing("type"));
    }
    let card = params
        .hash("card", &["number", "exp_month", "exp_year", "cvc", "token"])?
        .ok_or_else(|| ApiError::parameter_missing("card"))?;
    let (test_card, exp_month, exp_year, cvc_supplied) = if let Some(token) = card.str("token")? {
        let known = cards::by_token(token)
            .ok_or_else(|| ApiError::resource_missing("token", token, "card[token]"))?;
        (*known, 12, default_exp_year(store), false)
    } else {
        read_raw_card(store, &card)?
    };
    let mut method = build(store, &test_card, exp_month, exp_year, cvc_supplied);
    if let Some(details) = params.hash("billing_details", &["name", "email", "phone", "address"])? {
        for field in ["name", "email", "phone"] {
            if let Some(value) = details.nullable_str(field)? {
                method["billing_details"][field] = value;
            }
        }
    }
    params.apply_metadata(&mut method["metadata"])?;
    store.put(method.clone());
    Ok(method)
}

fn default_exp_year(store: &Store) -> i64 {
    store.now() / (365 * 86_400) + 1970 + 3
}

/// Reads `card[number]`, `card[exp_month]`, `card[exp_year]` and `card[cvc]`, refusing
/// what Stripe refuses: a number failing the Luhn check, a month outside 1–12, a past
/// year, a CVC that is not three or four digits.
fn read_raw_card(store: &Store, card: &Params) -> Result<(TestCard, i64, i64, bool), ApiError> {
    let number = card.required_str("number")?;
    let test_card = cards::by_number(number)?;
    let exp_month = card
        .int("exp_month")?
        .ok_or_else(|| ApiError::parameter_missing("card[exp_month]"))?;
    if !(1..=12).contains(&exp_month) {
        return Err(ApiError::card(
            "invalid_expiry_month",
            None,
            "Your card's expiration month is invalid.",
        )
        .with_param("card[exp_month]"));
    }
    let mut exp_year = card
        .int("exp_year")?
        .ok_or_else(|| ApiError::parameter_missing("card[exp_year]"))?;
    if (0..100).contains(&exp_year) {
        exp_year += 2000;
    }
    let this_year = store.now() / (365 * 86_400) + 1970;
    if exp_year < this_year || exp_year > this_year + 50 {
        return Err(ApiError::card(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is invalid.",
        )
        .with_param("card[exp_year]"));
    }
    let cvc = card.str("cvc")?.filter(|c| !c.is_empty());
    if let Some(cvc) = cvc {
        let valid = (3..=4).contains(&cvc.len()) && cvc.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(ApiError::card(
                "invalid_cvc",
                None,
                "Your card's security code is invalid.",
            )
            .with_param("card[cvc]"));
        }
    }
    Ok((test_card, exp_month, exp_year, cvc.is_some()))
}

fn build(
    store: &mut Store,
    card: &TestCard,
    exp_month: i64,
    exp_year: i64,
    cvc_supplied: bool,
) -> Value {
    let id = new_id("pm");
    let digits = if card.number.is_empty() {
        "0000"
    } else {
        card.number
    };
    let last4 = &digits[digits.len().saturating_sub(4)..];
    store.set_card(
        &id,
        CardProfile {
            behaviour: card.behaviour,
            cvc_supplied,
        },
    );
    json!({
        "id": id,
        "object": "payment_method",
        "billing_details": {
            "address": { "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null },
            "email": null, "name": null, "phone": null,
        },
        "card": {
            "brand": card.brand,
            "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": if cvc_supplied { "pass" } else { "unchecked" } },
            "country": "US",
            "exp_month": exp_month,
            "exp_year": exp_year,
            "fingerprint": format!("fp{}{last4}", card.brand),
            "funding": card.funding,
            "generated_from": null,
            "last4": last4,
            "networks": { "available": [card.brand], "preferred": null },
            "three_d_secure_usage": { "supported": true },
            "wallet": null,
        },
        "created": store.now(),
        "customer": null,
        "livemode": false,
        "metadata": {},
        "type": "card",
    })
}

/// A payment method by id; a `pm_card_…` test id creates a fresh payment method of that
/// card, as Stripe does in test mode.
pub fn resolve(store: &mut Store, id: &str, param: &str) -> Result<Value, ApiError> {
    if let Some(existing) = store.get(NOUN, id) {
        return Ok(existing.clone());
    }
    let card = cards::by_payment_method(id)
        .ok_or_else(|| ApiError::resource_missing("PaymentMethod", id, param))?;
    let exp_year = default_exp_year(store);
    let method = build(store, card, 12, exp_year, false);
    store.put(method.clone());
    Ok(method)
}

/// Fails with Stripe's 404 unless `id` names a payment method or a `pm_card_…` test id.
pub fn check_exists(store: &Store, id: &str, param: &str) -> Result<(), ApiError> {
    if store.get(NOUN, id).is_some() || cards::by_payment_method(id).is_some() {
        Ok(())
    } else {
        Err(ApiError::resource_missing("PaymentMethod", id, param))
    }
}

/// `GET /v1/payment_methods/{id}`.
pub fn retrieve(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    resolve(store, id, "id")
}

/// `POST /v1/payment_methods/{id}`.
pub fn update(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["metadata", "billing_details"])?;
    let mut method = resolve(store, id, "id")?;
    params.apply_metadata(&mut method["metadata"])?;
    if let Some(details) = params.hash("billing_details", &["name", "email", "phone", "address"])? {
        for field in ["name", "email", "phone"] {
            if let Some(value) = details.nullable_str(field)? {
                method["billing_details"][field] = value;
            }
        }
    }
    store.put(method.clone());
    store.emit("payment_method.updated", &method);
    Ok(method)
}

/// Attaches a payment method to a customer (used by the endpoint and by customer create).
pub fn attach_to(
    store: &mut Store,
    id: &str,
    customer: &str,
    param: &str,
) -> Result<Value, ApiError> {
    store.find("customer", customer, "customer", "customer")?;
    let mut method = resolve(store, id, param)?;
    if method["customer"].is_string() && method["customer"] != customer {
        return Err(ApiError::unexpected_state(
            "payment_method_unexpected_state",
            "This PaymentMethod is already attached to another customer.",
        ));
    }
    method["customer"] = json!(customer);
    store.put(method.clone());
    store.emit("payment_method.attached", &method);
    Ok(method)
}

/// `POST /v1/payment_methods/{id}/attach`.
pub fn attach(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["customer"])?;
    let customer = params.required_str("customer")?.to_owned();
    attach_to(store, id, &customer, "id")
}

/// `POST /v1/payment_methods/{id}/detach`.
pub fn detach(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    let mut method = resolve(store, id, "id")?;
    if method["customer"].is_null() {
        return Err(ApiError::unexpected_state(
            "payment_method_unexpected_state",
            "The payment method you provided is not attached to a customer.",
        ));
    }
    method["customer"] = Value::Null;
    store.put(method.clone());
    store.emit("payment_method.detached", &method);
    Ok(method)
}

/// `GET /v1/payment_methods?customer=…` and `GET /v1/customers/{id}/payment_methods`.
pub fn list(store: &Store, customer: Option<&str>, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "type",
        "limit",
        "starting_after",
        "ending_before",
    ])?;
    let customer = match customer {
        Some(id) => id.to_owned(),
        None => params.required_str("customer")?.to_owned(),
    };
    store.find("customer", &customer, "customer", "customer")?;
    let items = store
        .all(NOUN)
        .rev()
        .filter(|m| m["customer"] == customer.as_str());
    store.page(items, "/v1/payment_methods", params)
}
