//! `/v1/payment_intents`: create, confirm with test-card outcomes, capture, cancel.

use serde_json::{Value, json};

use super::charges::{self, ChargeResult};
use super::payment_methods;
use crate::cards::{Behaviour, Decline};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::{CardProfile, Store};

const KIND: &str = "payment_intent";
const CONFIRMABLE: &[&str] = &[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
];
const CANCELABLE: &[&str] = &[
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
];
const CREATE_PARAMS: &[&str] = &[
    "amount",
    "currency",
    "customer",
    "description",
    "metadata",
    "payment_method",
    "payment_method_types",
    "payment_method_options",
    "confirm",
    "capture_method",
    "confirmation_method",
    "off_session",
    "receipt_email",
    "return_url",
    "setup_future_usage",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "automatic_payment_methods",
    "error_on_requires_action",
    "use_stripe_sdk",
];

/// What the card network decides for one confirmation.
enum Decision {
    Approve,
    Decline(Decline),
    NeedsAuthentication,
}

fn decide(profile: CardProfile, off_session: bool, authenticated: bool) -> Decision {
    let challenge = |then: Decision| match (authenticated, off_session) {
        (true, _) => then,
        (false, true) => Decision::Decline(Decline::AuthenticationRequired),
        (false, false) => Decision::NeedsAuthentication,
    };
    match profile.behaviour {
        Behaviour::Succeed => Decision::Approve,
        Behaviour::Decline(reason) => Decision::Decline(reason),
        Behaviour::AlwaysAuthenticate => challenge(Decision::Approve),
        Behaviour::AuthenticateThenDecline => {
            challenge(Decision::Decline(Decline::InsufficientFunds))
        }
        Behaviour::AuthenticateOnSetup if off_session || authenticated => Decision::Approve,
        Behaviour::AuthenticateOnSetup => Decision::NeedsAuthentication,
        Behaviour::CvcCheckFail if profile.cvc_supplied => Decision::Decline(Decline::IncorrectCvc),
        Behaviour::CvcCheckFail => Decision::Approve,
    }
}

/// `POST /v1/payment_intents`.
pub fn create(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(CREATE_PARAMS)?;
    let amount = params
        .amount("amount")?
        .ok_or_else(|| ApiError::parameter_missing("amount"))?;
    let currency = params
        .currency("currency")?
        .ok_or_else(|| ApiError::parameter_missing("currency"))?;
    let capture_method = params.one_of(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )?;
    let customer = match params.str("customer")?.filter(|c| !c.is_empty()) {
        Some(id) => Some(store.find("customer", id, "customer", "customer")?["id"].clone()),
        None => None,
    };
    let method = match params.str("payment_method")?.filter(|m| !m.is_empty()) {
        Some(id) => Some(payment_methods::resolve(store, id, "payment_method")?),
        None => None,
    };
    let id = new_id("pi");
    let mut intent = json!({
        "id": id,
        "object": KIND,
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": 0,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": null,
        "canceled_at": null,
        "cancellation_reason": null,
        "capture_method": capture_method.unwrap_or_else(|| "automatic".into()),
        "client_secret": format!("{id}_secret_{}", &new_id("s")[2..]),
        "confirmation_method": params.one_of("confirmation_method", &["automatic", "manual"])?.unwrap_or_else(|| "automatic".into()),
        "created": store.time_for_customer(customer.as_ref().and_then(Value::as_str)),
        "currency": currency,
        "customer": customer,
        "description": params.nullable_str("description")?,
        "invoice": null,
        "last_payment_error": null,
        "latest_charge": null,
        "livemode": false,
        "metadata": {},
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": method.as_ref().map(|m| m["id"].clone()),
        "payment_method_options": { "card": { "installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic" } },
        "payment_method_types": ["card"],
        "processing": null,
        "receipt_email": params.nullable_str("receipt_email")?,
        "review": null,
        "setup_future_usage": params.one_of("setup_future_usage", &["on_session", "off_session"])?,
        "shipping": null,
        "statement_descriptor": params.nullable_str("statement_descriptor")?,
        "statement_descriptor_suffix": params.nullable_str("statement_descriptor_suffix")?,
        "status": if method.is_some() { "requires_confirmation" } else { "requires_payment_method" },
        "transfer_data": null,
        "transfer_group": null,
    });
    if let Some(automatic) =
        params.hash("automatic_payment_methods", &["enabled", "allow_redirects"])?
    {
        intent["automatic_payment_methods"] = json!({ "allow_redirects": "always", "enabled": automatic.bool("enabled")?.unwrap_or(false) });
    }
    params.apply_metadata(&mut intent["metadata"])?;
    let confirm = params.bool("confirm")?.unwrap_or(false);
    let off_session = params.bool("off_session")?.unwrap_or(false);
    store.put(intent.clone());
    store.emit("payment_intent.created", &intent);
    if confirm {
        confirm_stored(store, &id, off_session, false)
    } else {
        Ok(intent)
    }
}

/// Creates and confirms an off-session payment (invoices use it); returns the intent and
/// whether it succeeded.
pub fn charge_off_session(
    store: &mut Store,
    customer: &str,
    method: &str,
    amount: i64,
    currency: &str,
    invoice: &str,
) -> Result<(Value, bool), ApiError> {
    let mut fields = serde_json::Map::new();
    for (key, value) in [
        ("amount", amount.to_string()),
        ("currency", currency.to_owned()),
        ("customer", customer.to_owned()),
        ("payment_method", method.to_owned()),
    ] {
        fields.insert(key.into(), json!(value));
    }
    let intent = create(store, &Params::new(fields))?;
    let id = intent["id"].as_str().unwrap_or_default().to_owned();
    let mut stored = store.find(KIND, &id, "payment_intent", "id")?;
    stored["invoice"] = json!(invoice);
    stored["description"] = json!("Subscription update");
    store.put(stored);
    let outcome = confirm_stored(store, &id, true, false);
    let intent = store.find(KIND, &id, "payment_intent", "id")?;
    Ok((intent, outcome.is_ok()))
}

/// `POST /v1/payment_intents/{id}/confirm`.
pub fn confirm(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "payment_method",
        "off_session",
        "return_url",
        "receipt_email",
        "capture_method",
        "setup_future_usage",
        "payment_method_options",
        "error_on_requires_action",
        "use_stripe_sdk",
        "mandate_data",
    ])?;
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    require_status(&intent, CONFIRMABLE, "confirm")?;
    if let Some(method_id) = params.str("payment_method")?.filter(|m| !m.is_empty()) {
        intent["payment_method"] =
            payment_methods::resolve(store, method_id, "payment_method")?["id"].clone();
    }
    if let Some(capture_method) = params.one_of(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )? {
        intent["capture_method"] = json!(capture_method);
    }
    if let Some(email) = params.nullable_str("receipt_email")? {
        intent["receipt_email"] = email;
    }
    store.put(intent);
    confirm_stored(
        store,
        id,
        params.bool("off_session")?.unwrap_or(false),
        false,
    )
}

fn require_status(intent: &Value, allowed: &[&str], action: &str) -> Result<(), ApiError> {
    let status = intent["status"].as_str().unwrap_or_default();
    if allowed.contains(&status) {
        return Ok(());
    }
    Err(ApiError::unexpected_state(
        "payment_intent_unexpected_state",
        format!(
            "You cannot {action} this PaymentIntent because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be {action}ed: {}.",
            allowed.join(", ")
        ),
    )
    .with_field("payment_intent", intent.clone()))
}

/// Runs the card decision for a stored intent and records the charge, events and status.
pub fn confirm_stored(
    store: &mut Store,
    id: &str,
    off_session: bool,
    authenticated: bool,
) -> Result<Value, ApiError> {
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    let Some(method_id) = intent["payment_method"].as_str().map(str::to_owned) else {
        return Err(ApiError::unexpected_state(
            "payment_intent_unexpected_state",
            "You cannot confirm this PaymentIntent because it's missing a payment method. Update it with a payment_method and confirm again.",
        ));
    };
    let method = payment_methods::resolve(store, &method_id, "payment_method")?;
    let profile = store.card(&method_id).unwrap_or(CardProfile {
        behaviour: Behaviour::Succeed,
        cvc_supplied: false,
    });
    intent["next_action"] = Value::Null;
    intent["last_payment_error"] = Value::Null;
    match decide(profile, off_session, authenticated) {
        Decision::NeedsAuthentication => {
            intent["status"] = json!("requires_action");
            intent["next_action"] = json!({
                "type": "use_stripe_sdk",
                "use_stripe_sdk": { "type": "three_d_secure_redirect", "stripe_js": format!("https://payforge-sandbox.invalid/3ds/{id}"), "source": new_id("src") },
            });
            store.put(intent.clone());
            store.emit("payment_intent.requires_action", &intent);
            Ok(intent)
        }
        Decision::Approve => {
            let manual = intent["capture_method"] == "manual";
            let charge = charges::create_for_intent(
                store,
                &intent,
                &method,
                &ChargeResult::Succeeded { captured: !manual },
            );
            let amount = intent["amount"].clone();
            intent["latest_charge"] = charge["id"].clone();
            if manual {
                intent["status"] = json!("requires_capture");
                intent["amount_capturable"] = amount;
            } else {
                intent["status"] = json!("succeeded");
                intent["amount_received"] = amount;
            }
            store.put(intent.clone());
            store.emit("charge.succeeded", &charge);
            let kind = if manual {
                "payment_intent.amount_capturable_updated"
            } else {
                "payment_intent.succeeded"
            };
            store.emit(kind, &intent);
            Ok(intent)
        }
        Decision::Decline(reason) => Err(record_decline(store, intent, &method, reason)),
    }
}

fn record_decline(
    store: &mut Store,
    mut intent: Value,
    method: &Value,
    reason: Decline,
) -> ApiError {
    let (code, decline_code, message) = reason.describe();
    let charge = charges::create_for_intent(
        store,
        &intent,
        method,
        &ChargeResult::Failed(code, decline_code, message),
    );
    let error = ApiError::card(code, Some(decline_code), message);
    let mut last_error = error.to_body()["error"].clone();
    last_error["charge"] = charge["id"].clone();
    last_error["payment_method"] = method.clone();
    intent["status"] = json!("requires_payment_method");
    intent["payment_method"] = Value::Null;
    intent["latest_charge"] = charge["id"].clone();
    intent["last_payment_error"] = last_error;
    store.put(intent.clone());
    store.emit("charge.failed", &charge);
    store.emit("payment_intent.payment_failed", &intent);
    error
        .with_field("charge", charge["id"].clone())
        .with_field("payment_intent", intent)
        .with_field("payment_method", method.clone())
}

/// `POST /v1/payment_intents/{id}/capture`, in full or of `amount_to_capture`.
pub fn capture(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "amount_to_capture",
        "metadata",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "final_capture",
    ])?;
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    require_status(&intent, &["requires_capture"], "capture")?;
    let capturable = intent["amount_capturable"].as_i64().unwrap_or(0);
    let amount = params.amount("amount_to_capture")?.unwrap_or(capturable);
    if amount > capturable {
        return Err(ApiError::invalid_param(
            "amount_too_large",
            "amount_to_capture",
            format!(
                "The amount to capture ({amount}) is greater than the amount capturable ({capturable})."
            ),
        ));
    }
    params.apply_metadata(&mut intent["metadata"])?;
    let charge_id = intent["latest_charge"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut charge = store.find("charge", &charge_id, "charge", "charge")?;
    let charged = charge["amount"].as_i64().unwrap_or(0);
    // Stripe releases the uncaptured remainder and reports it as refunded on the charge.
    charge["captured"] = json!(true);
    charge["amount_captured"] = json!(amount);
    charge["amount_refunded"] = json!(charged - amount);
    intent["status"] = json!("succeeded");
    intent["amount_received"] = json!(amount);
    intent["amount_capturable"] = json!(0);
    store.put(charge.clone());
    store.put(intent.clone());
    store.emit("charge.captured", &charge);
    store.emit("payment_intent.succeeded", &intent);
    Ok(intent)
}

/// `POST /v1/payment_intents/{id}/cancel`; an uncaptured authorisation is released.
pub fn cancel(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["cancellation_reason"])?;
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    require_status(&intent, CANCELABLE, "cancel")?;
    let reason = params.one_of(
        "cancellation_reason",
        &[
            "duplicate",
            "fraudulent",
            "requested_by_customer",
            "abandoned",
        ],
    )?;
    let uncaptured_charge = intent["latest_charge"]
        .as_str()
        .filter(|_| intent["status"] == "requires_capture");
    if let Some(charge_id) = uncaptured_charge {
        // Releasing an authorisation shows on the charge as a full refund, as on Stripe.
        let mut charge = store.find("charge", charge_id, "charge", "charge")?;
        charge["amount_refunded"] = charge["amount"].clone();
        charge["refunded"] = json!(true);
        store.put(charge);
    }
    intent["status"] = json!("canceled");
    intent["canceled_at"] = json!(store.time_for_customer(intent["customer"].as_str()));
    intent["cancellation_reason"] = json!(reason);
    intent["amount_capturable"] = json!(0);
    intent["next_action"] = Value::Null;
    store.put(intent.clone());
    store.emit("payment_intent.canceled", &intent);
    Ok(intent)
}

/// `POST /v1/payment_intents/{id}`.
pub fn update(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "amount",
        "currency",
        "customer",
        "description",
        "metadata",
        "payment_method",
        "receipt_email",
        "capture_method",
        "setup_future_usage",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "payment_method_types",
    ])?;
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    let only_metadata = params
        .fields()
        .keys()
        .all(|k| k == "metadata" || k == "expand");
    if !only_metadata {
        require_status(&intent, CONFIRMABLE, "update")?;
    }
    if let Some(amount) = params.amount("amount")? {
        intent["amount"] = json!(amount);
    }
    if let Some(currency) = params.currency("currency")? {
        intent["currency"] = json!(currency);
    }
    if let Some(customer) = params.str("customer")?.filter(|c| !c.is_empty()) {
        intent["customer"] =
            store.find("customer", customer, "customer", "customer")?["id"].clone();
    }
    for field in [
        "description",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
    ] {
        if let Some(value) = params.nullable_str(field)? {
            intent[field] = value;
        }
    }
    if let Some(capture_method) = params.one_of(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )? {
        intent["capture_method"] = json!(capture_method);
    }
    if let Some(method) = params.str("payment_method")?.filter(|m| !m.is_empty()) {
        intent["payment_method"] =
            payment_methods::resolve(store, method, "payment_method")?["id"].clone();
        intent["status"] = json!("requires_confirmation");
    }
    params.apply_metadata(&mut intent["metadata"])?;
    store.put(intent.clone());
    Ok(intent)
}

/// `GET /v1/payment_intents/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["client_secret"])?;
    store.find(KIND, id, "payment_intent", "intent")
}

/// `GET /v1/payment_intents`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let customer = params.str("customer")?;
    let items = store
        .all(KIND)
        .rev()
        .filter(|i| customer.is_none_or(|c| i["customer"] == c));
    store.page(items, "/v1/payment_intents", params)
}

/// Completes (or fails) the 3-D Secure challenge of an intent in `requires_action`
/// (`POST /_sandbox/payment_intents/{id}/authenticate`).
pub fn authenticate(store: &mut Store, id: &str, succeed: bool) -> Result<Value, ApiError> {
    let mut intent = store.find(KIND, id, "payment_intent", "intent")?;
    require_status(&intent, &["requires_action"], "authenticate")?;
    if succeed {
        return confirm_stored(store, id, false, true);
    }
    let method = intent["payment_method"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    let method = payment_methods::resolve(store, &method, "payment_method")?;
    let error = ApiError::card(
        "payment_intent_authentication_failure",
        None,
        "The provided PaymentMethod has failed authentication.",
    );
    let mut last_error = error.to_body()["error"].clone();
    last_error["payment_method"] = method;
    intent["status"] = json!("requires_payment_method");
    intent["payment_method"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["last_payment_error"] = last_error;
    store.put(intent.clone());
    store.emit("payment_intent.payment_failed", &intent);
    Ok(intent)
}
