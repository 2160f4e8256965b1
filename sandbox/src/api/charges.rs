//! Charges (created by confirming payment intents) and `/v1/refunds`.

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

/// How a charge attempt ended.
pub enum ChargeResult<'a> {
    /// Authorised; `captured` when the payment intent captures automatically.
    Succeeded {
        /// Whether the funds were captured at once.
        captured: bool,
    },
    /// Declined with `(code, decline_code, message)`.
    Failed(&'a str, &'a str, &'a str),
}

/// Creates and stores the charge of a payment intent's confirmation attempt.
pub fn create_for_intent(
    store: &mut Store,
    intent: &Value,
    method: &Value,
    result: &ChargeResult<'_>,
) -> Value {
    let id = new_id("ch");
    let amount = intent["amount"].as_i64().unwrap_or(0);
    let (status, captured, failure_code, failure_message, outcome) = match result {
        ChargeResult::Succeeded { captured } => (
            "succeeded",
            *captured,
            Value::Null,
            Value::Null,
            json!({ "network_status": "approved_by_network", "reason": null, "risk_level": "normal", "risk_score": 20, "seller_message": "Payment complete.", "type": "authorized" }),
        ),
        ChargeResult::Failed(code, decline_code, message) => (
            "failed",
            false,
            json!(code),
            json!(message),
            json!({ "network_status": "declined_by_network", "reason": decline_code, "risk_level": "normal", "risk_score": 20, "seller_message": "The bank did not return any further details with this decline.", "type": "issuer_declined" }),
        ),
    };
    let card = &method["card"];
    let charge = json!({
        "id": id,
        "object": "charge",
        "amount": amount,
        "amount_captured": if captured { amount } else { 0 },
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "balance_transaction": null,
        "billing_details": method["billing_details"],
        "calculated_statement_descriptor": "PAYFORGE SANDBOX",
        "captured": captured,
        "created": store.time_for_customer(intent["customer"].as_str()),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": failure_code,
        "failure_message": failure_message,
        "fraud_details": {},
        "invoice": intent["invoice"],
        "livemode": false,
        "metadata": intent["metadata"],
        "on_behalf_of": null,
        "outcome": outcome,
        "paid": status == "succeeded",
        "payment_intent": intent["id"],
        "payment_method": method["id"],
        "payment_method_details": {
            "card": {
                "brand": card["brand"], "checks": card["checks"], "country": card["country"],
                "exp_month": card["exp_month"], "exp_year": card["exp_year"], "fingerprint": card["fingerprint"],
                "funding": card["funding"], "installments": null, "last4": card["last4"], "mandate": null,
                "network": card["brand"], "network_token": { "used": false }, "three_d_secure": null, "wallet": null,
            },
            "type": "card",
        },
        "receipt_email": intent["receipt_email"],
        "receipt_number": null,
        "receipt_url": format!("https://payforge-sandbox.invalid/receipts/{id}"),
        "refunded": false,
        "refunds": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/charges/{id}/refunds") },
        "review": null,
        "shipping": null,
        "source_transfer": null,
        "statement_descriptor": intent["statement_descriptor"],
        "statement_descriptor_suffix": intent["statement_descriptor_suffix"],
        "status": status,
        "transfer_data": null,
        "transfer_group": null,
    });
    store.put(charge.clone());
    charge
}

/// `GET /v1/charges/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("charge", id, "charge", "id")
}

/// `GET /v1/charges`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "payment_intent",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let customer = params.str("customer")?;
    let intent = params.str("payment_intent")?;
    let items = store
        .all("charge")
        .rev()
        .filter(|c| customer.is_none_or(|id| c["customer"] == id))
        .filter(|c| intent.is_none_or(|id| c["payment_intent"] == id));
    store.page(items, "/v1/charges", params)
}

/// The charge a refund request targets: `charge`, or the latest charge of `payment_intent`.
fn refund_target(store: &Store, params: &Params) -> Result<Value, ApiError> {
    match (
        params.str("charge")?.filter(|s| !s.is_empty()),
        params.str("payment_intent")?.filter(|s| !s.is_empty()),
    ) {
        (Some(charge), _) => store.find("charge", charge, "charge", "charge"),
        (None, Some(intent)) => {
            let intent_object =
                store.find("payment_intent", intent, "payment_intent", "payment_intent")?;
            let charge = intent_object["latest_charge"]
                .as_str()
                .and_then(|id| store.get("charge", id));
            match charge {
                Some(charge) if charge["status"] == "succeeded" => Ok(charge.clone()),
                _ => Err(ApiError::invalid_param(
                    "charge_not_refundable",
                    "payment_intent",
                    format!(
                        "This PaymentIntent ({intent}) does not have a successful charge to refund."
                    ),
                )),
            }
        }
        (None, None) => Err(ApiError::parameter_missing("charge")),
    }
}

/// `POST /v1/refunds`: refunds all or part of what remains captured and unrefunded.
pub fn create_refund(store: &mut Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "charge",
        "payment_intent",
        "amount",
        "reason",
        "metadata",
        "instructions_email",
    ])?;
    let mut charge = refund_target(store, params)?;
    let charge_id = charge["id"].as_str().unwrap_or_default().to_owned();
    if charge["status"] != "succeeded" {
        return Err(ApiError::invalid_param(
            "charge_not_refundable",
            "charge",
            format!("Charge {charge_id} did not succeed and cannot be refunded."),
        ));
    }
    if charge["captured"] != true {
        return Err(ApiError::invalid_param(
            "charge_not_refundable",
            "charge",
            format!(
                "Charge {charge_id} has not been captured; cancel its PaymentIntent to release the authorization."
            ),
        ));
    }
    let amount = charge["amount"].as_i64().unwrap_or(0);
    let refundable = amount - charge["amount_refunded"].as_i64().unwrap_or(0);
    if refundable <= 0 {
        return Err(ApiError::invalid_param(
            "charge_already_refunded",
            "charge",
            format!("Charge {charge_id} has already been refunded."),
        ));
    }
    let requested = params.amount("amount")?.unwrap_or(refundable);
    if requested > refundable {
        return Err(ApiError::invalid_param(
            "amount_too_large",
            "amount",
            format!(
                "Refund amount ({requested}) is greater than unrefunded amount on charge ({refundable})."
            ),
        ));
    }
    let reason = params.one_of(
        "reason",
        &["duplicate", "fraudulent", "requested_by_customer"],
    )?;
    let mut refund = json!({
        "id": new_id("re"),
        "object": "refund",
        "amount": requested,
        "balance_transaction": null,
        "charge": charge_id,
        "created": store.time_for_customer(charge["customer"].as_str()),
        "currency": charge["currency"],
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": null,
    });
    params.apply_metadata(&mut refund["metadata"])?;
    let refunded_total = amount - refundable + requested;
    charge["amount_refunded"] = json!(refunded_total);
    charge["refunded"] = json!(refunded_total == amount);
    if let Some(data) = charge["refunds"]["data"].as_array_mut() {
        data.insert(0, refund.clone());
    }
    store.put(refund.clone());
    store.put(charge.clone());
    store.emit("refund.created", &refund);
    store.emit("charge.refunded", &charge);
    Ok(refund)
}

/// `GET /v1/refunds/{id}`.
pub fn retrieve_refund(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("refund", id, "refund", "id")
}

/// `POST /v1/refunds/{id}`: only metadata can change.
pub fn update_refund(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["metadata"])?;
    let mut refund = store.find("refund", id, "refund", "id")?;
    params.apply_metadata(&mut refund["metadata"])?;
    store.put(refund.clone());
    store.emit("refund.updated", &refund);
    Ok(refund)
}

/// `GET /v1/refunds`.
pub fn list_refunds(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "charge",
        "payment_intent",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let charge = params.str("charge")?;
    let intent = params.str("payment_intent")?;
    let items = store
        .all("refund")
        .rev()
        .filter(|r| charge.is_none_or(|id| r["charge"] == id))
        .filter(|r| intent.is_none_or(|id| r["payment_intent"] == id));
    store.page(items, "/v1/refunds", params)
}
