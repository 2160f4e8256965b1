//! Invoices and the billing engine: trial ends, renewals, payment retries, and the
//! cancellation of subscriptions whose payments keep failing.
//!
//! The rules (documented in the README): an invoice is finalised as soon as it is created
//! and paid off-session from the subscription's `default_payment_method`, else the
//! customer's `invoice_settings.default_payment_method`. A failed payment makes the
//! subscription `past_due` (or leaves a new one `incomplete`) and is retried every
//! [`RETRY_INTERVAL`] seconds; after [`MAX_ATTEMPTS`] failed attempts the subscription is
//! canceled. An `incomplete` subscription expires after 23 hours.

use serde_json::{Value, json};

use super::payment_intents;
use crate::calendar::{DAY, Interval, add_interval};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::params::Params;
use crate::store::Store;

/// Seconds between payment attempts of an unpaid renewal invoice.
pub const RETRY_INTERVAL: i64 = 2 * DAY;
/// Failed attempts after which a subscription is canceled.
pub const MAX_ATTEMPTS: i64 = 4;
/// How long a new subscription may stay `incomplete`.
const INCOMPLETE_EXPIRY: i64 = 23 * 3600;
/// At most this many billing steps run for one subscription per clock advance.
const MAX_STEPS: usize = 1_000;

/// The interval of a subscription's first item.
pub fn interval_of(subscription: &Value) -> (Interval, i64) {
    let recurring = &subscription["items"]["data"][0]["price"]["recurring"];
    let interval = recurring["interval"]
        .as_str()
        .and_then(Interval::parse)
        .unwrap_or(Interval::Month);
    (interval, recurring["interval_count"].as_i64().unwrap_or(1))
}

/// Creates the subscription's invoice for `[start, end)` and tries to pay it.
pub fn bill(
    store: &mut Store,
    subscription_id: &str,
    reason: &str,
    start: i64,
    end: i64,
    trial: bool,
) -> Result<Value, ApiError> {
    let mut subscription = store.find(
        "subscription",
        subscription_id,
        "subscription",
        "subscription",
    )?;
    let customer_id = subscription["customer"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut customer = store.find("customer", &customer_id, "customer", "customer")?;
    let sequence = customer["next_invoice_sequence"].as_i64().unwrap_or(1);
    customer["next_invoice_sequence"] = json!(sequence + 1);
    let number = format!(
        "{}-{sequence:04}",
        customer["invoice_prefix"].as_str().unwrap_or("SANDBOX")
    );
    store.put(customer.clone());
    let invoice_id = new_id("in");
    let mut lines = Vec::new();
    let mut total = 0;
    for item in subscription["items"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let quantity = item["quantity"].as_i64().unwrap_or(1);
        let unit = if trial {
            0
        } else {
            item["price"]["unit_amount"].as_i64().unwrap_or(0)
        };
        total += unit * quantity;
        lines.push(json!({
            "id": new_id("il"), "object": "line_item", "amount": unit * quantity, "amount_excluding_tax": unit * quantity,
            "currency": subscription["currency"], "description": format!("{quantity} × subscription item{}", if trial { " (trial)" } else { "" }),
            "discount_amounts": [], "discountable": true, "discounts": [], "livemode": false,
            "metadata": {}, "period": { "start": start, "end": end }, "price": item["price"], "proration": false,
            "proration_details": { "credited_items": null }, "quantity": quantity, "subscription": subscription_id,
            "subscription_item": item["id"], "tax_amounts": [], "tax_rates": [], "type": "subscription",
            "unit_amount_excluding_tax": unit.to_string(),
        }));
    }
    let now = store.time_for_customer(Some(&customer_id));
    let invoice = new_invoice(
        &invoice_id,
        &number,
        &subscription,
        &customer,
        reason,
        (start, end, now),
        total,
        lines,
    );
    store.put(invoice.clone());
    store.emit("invoice.created", &invoice);
    store.emit("invoice.finalized", &invoice);
    subscription["latest_invoice"] = json!(invoice_id);
    store.put(subscription);
    pay(store, &invoice_id, None)?;
    store.find("invoice", &invoice_id, "invoice", "invoice")
}

#[allow(clippy::too_many_arguments)] // Reason: one constructor of a wide wire object.
fn new_invoice(
    id: &str,
    number: &str,
    subscription: &Value,
    customer: &Value,
    reason: &str,
    (start, end, now): (i64, i64, i64),
    total: i64,
    lines: Vec<Value>,
) -> Value {
    json!({
        "id": id, "object": "invoice", "account_country": "US", "account_name": "payforge sandbox", "account_tax_ids": null,
        "amount_due": total, "amount_paid": 0, "amount_remaining": total, "amount_shipping": 0, "application": null,
        "application_fee_amount": null, "attempt_count": 0, "attempted": false, "auto_advance": true,
        "automatic_tax": { "enabled": false, "status": null }, "billing_reason": reason, "charge": null,
        "collection_method": "charge_automatically", "created": now, "currency": subscription["currency"],
        "custom_fields": null, "customer": customer["id"], "customer_address": null, "customer_email": customer["email"],
        "customer_name": customer["name"], "customer_phone": customer["phone"], "customer_shipping": null,
        "customer_tax_exempt": "none", "customer_tax_ids": [], "default_payment_method": null, "default_source": null,
        "default_tax_rates": [], "description": null, "discount": null, "discounts": [], "due_date": null,
        "effective_at": now, "ending_balance": 0, "footer": null, "from_invoice": null,
        "hosted_invoice_url": format!("https://payforge-sandbox.invalid/invoices/{id}"), "invoice_pdf": null,
        "last_finalization_error": null, "latest_revision": null,
        "lines": { "object": "list", "data": lines, "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
        "livemode": false, "metadata": {}, "next_payment_attempt": null, "number": number, "on_behalf_of": null,
        "paid": false, "paid_out_of_band": false, "payment_intent": null,
        "payment_settings": { "default_mandate": null, "payment_method_options": null, "payment_method_types": null },
        "period_end": end, "period_start": start, "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0, "quote": null, "receipt_number": null, "rendering_options": null,
        "shipping_cost": null, "shipping_details": null, "starting_balance": 0, "statement_descriptor": null,
        "status": "open", "status_transitions": { "finalized_at": now, "marked_uncollectible_at": null, "paid_at": null, "voided_at": null },
        "subscription": subscription["id"], "subscription_details": { "metadata": subscription["metadata"] },
        "subtotal": total, "subtotal_excluding_tax": total, "tax": null, "test_clock": customer["test_clock"],
        "total": total, "total_discount_amounts": [], "total_excluding_tax": total, "total_tax_amounts": [],
        "transfer_data": null, "webhooks_delivered_at": now,
    })
}

/// Tries to pay an open invoice off-session; updates the invoice and its subscription.
pub fn pay(
    store: &mut Store,
    invoice_id: &str,
    method_override: Option<String>,
) -> Result<bool, ApiError> {
    let mut invoice = store.find("invoice", invoice_id, "invoice", "invoice")?;
    let subscription_id = invoice["subscription"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let subscription = store.find(
        "subscription",
        &subscription_id,
        "subscription",
        "subscription",
    )?;
    let customer_id = invoice["customer"].as_str().unwrap_or_default().to_owned();
    let customer = store.find("customer", &customer_id, "customer", "customer")?;
    let now = store.time_for_customer(Some(&customer_id));
    let amount = invoice["amount_due"].as_i64().unwrap_or(0);
    let method = method_override
        .or_else(|| {
            subscription["default_payment_method"]
                .as_str()
                .map(str::to_owned)
        })
        .or_else(|| {
            customer["invoice_settings"]["default_payment_method"]
                .as_str()
                .map(str::to_owned)
        });
    let paid = match (amount, method) {
        (0, _) => true,
        (_, None) => false,
        (_, Some(method)) => {
            let currency = invoice["currency"].as_str().unwrap_or("usd").to_owned();
            let (intent, succeeded) = payment_intents::charge_off_session(
                store,
                &customer_id,
                &method,
                amount,
                &currency,
                invoice_id,
            )?;
            invoice["payment_intent"] = intent["id"].clone();
            invoice["charge"] = intent["latest_charge"].clone();
            succeeded
        }
    };
    invoice["attempted"] = json!(true);
    if amount > 0 {
        invoice["attempt_count"] = json!(invoice["attempt_count"].as_i64().unwrap_or(0) + 1);
    }
    if paid {
        record_paid(store, invoice, &subscription, now)?;
    } else {
        record_failed(store, invoice, &subscription_id, now)?;
    }
    Ok(paid)
}

/// Marks an invoice paid and reactivates a `past_due` or `incomplete` subscription.
fn record_paid(
    store: &mut Store,
    mut invoice: Value,
    subscription: &Value,
    now: i64,
) -> Result<(), ApiError> {
    invoice["status"] = json!("paid");
    invoice["paid"] = json!(true);
    invoice["amount_paid"] = invoice["amount_due"].clone();
    invoice["amount_remaining"] = json!(0);
    invoice["next_payment_attempt"] = Value::Null;
    invoice["status_transitions"]["paid_at"] = json!(now);
    store.put(invoice.clone());
    store.emit("invoice.paid", &invoice);
    store.emit("invoice.payment_succeeded", &invoice);
    let subscription_id = subscription["id"].as_str().unwrap_or_default();
    match subscription["status"].as_str() {
        Some("past_due" | "incomplete") => set_status(store, subscription_id, "active"),
        _ => Ok(()),
    }
}

/// Records a failed attempt: schedules the retry, or leaves a new subscription
/// `incomplete`, makes a renewing one `past_due`, and cancels it after [`MAX_ATTEMPTS`].
fn record_failed(
    store: &mut Store,
    mut invoice: Value,
    subscription_id: &str,
    now: i64,
) -> Result<(), ApiError> {
    let attempts = invoice["attempt_count"].as_i64().unwrap_or(1);
    let first_invoice = invoice["billing_reason"] == "subscription_create";
    let retry = !first_invoice && attempts < MAX_ATTEMPTS;
    invoice["next_payment_attempt"] = if retry {
        json!(now + RETRY_INTERVAL)
    } else {
        Value::Null
    };
    store.put(invoice.clone());
    store.emit("invoice.payment_failed", &invoice);
    if first_invoice {
        set_status(store, subscription_id, "incomplete")
    } else if attempts >= MAX_ATTEMPTS {
        super::subscriptions::cancel_with_reason(store, subscription_id, "payment_failed")
    } else {
        set_status(store, subscription_id, "past_due")
    }
}

/// Moves a subscription to `status`, emitting `customer.subscription.updated` on change.
pub fn set_status(store: &mut Store, subscription_id: &str, status: &str) -> Result<(), ApiError> {
    let mut subscription = store.find(
        "subscription",
        subscription_id,
        "subscription",
        "subscription",
    )?;
    if subscription["status"] == status || subscription["status"] == "canceled" {
        return Ok(());
    }
    let previous = json!({ "status": subscription["status"] });
    subscription["status"] = json!(status);
    store.put(subscription.clone());
    store.emit_with_previous(
        "customer.subscription.updated",
        &subscription,
        Some(previous),
    );
    Ok(())
}

/// The next billing step of a subscription due at or before `target`.
fn next_step(store: &Store, subscription: &Value, target: i64) -> Option<(i64, &'static str)> {
    let id = subscription["id"].as_str().unwrap_or_default();
    let mut candidates: Vec<(i64, &'static str)> = Vec::new();
    match subscription["status"].as_str().unwrap_or_default() {
        "incomplete" => candidates.extend(
            subscription["created"]
                .as_i64()
                .map(|c| (c + INCOMPLETE_EXPIRY, "expire")),
        ),
        "trialing" => {
            if let Some(end) = subscription["trial_end"].as_i64() {
                if !store_marked(store, id, end)
                    && end - 3 * DAY > subscription["trial_start"].as_i64().unwrap_or(end)
                {
                    candidates.push((end - 3 * DAY, "trial_will_end"));
                }
                candidates.push((end, "end_trial"));
            }
        }
        "active" | "past_due" => {
            let end = subscription["current_period_end"]
                .as_i64()
                .unwrap_or(i64::MAX);
            candidates.push((
                end,
                if subscription["cancel_at_period_end"] == true {
                    "cancel"
                } else {
                    "renew"
                },
            ));
        }
        _ => return None,
    }
    let retry = subscription["latest_invoice"]
        .as_str()
        .and_then(|invoice| store.get("invoice", invoice))
        .filter(|invoice| invoice["status"] == "open")
        .and_then(|invoice| invoice["next_payment_attempt"].as_i64());
    candidates.extend(retry.map(|at| (at, "retry")));
    candidates
        .into_iter()
        .filter(|(at, _)| *at <= target)
        .min_by_key(|(at, _)| *at)
}

fn store_marked(store: &Store, subscription: &str, trial_end: i64) -> bool {
    store.is_marked(&format!("trial_will_end:{subscription}:{trial_end}"))
}

/// Runs every billing step of one subscription due up to `target`, stamping each step's
/// events with the step's own time.
pub fn run_until(store: &mut Store, subscription_id: &str, target: i64) -> Result<(), ApiError> {
    for _ in 0..MAX_STEPS {
        let subscription = store.find(
            "subscription",
            subscription_id,
            "subscription",
            "subscription",
        )?;
        let Some((at, step)) = next_step(store, &subscription, target) else {
            break;
        };
        store.set_event_time(Some(at));
        let outcome = run_step(store, &subscription, at, step);
        store.set_event_time(None);
        outcome?;
    }
    Ok(())
}

fn run_step(store: &mut Store, subscription: &Value, at: i64, step: &str) -> Result<(), ApiError> {
    let id = subscription["id"].as_str().unwrap_or_default().to_owned();
    match step {
        "expire" => set_status(store, &id, "incomplete_expired"),
        "trial_will_end" => {
            let trial_end = subscription["trial_end"].as_i64().unwrap_or(at);
            store.mark(format!("trial_will_end:{id}:{trial_end}"));
            store.emit("customer.subscription.trial_will_end", subscription);
            Ok(())
        }
        "cancel" => super::subscriptions::cancel_with_reason(store, &id, "cancellation_requested"),
        "retry" => {
            let invoice = subscription["latest_invoice"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            pay(store, &invoice, None).map(|_| ())
        }
        _ => {
            // "end_trial" and "renew" both open a new period that starts now.
            let (interval, count) = interval_of(subscription);
            let end = add_interval(at, interval, count);
            let mut renewed = subscription.clone();
            let previous = json!({ "current_period_start": subscription["current_period_start"], "current_period_end": subscription["current_period_end"], "status": subscription["status"] });
            renewed["current_period_start"] = json!(at);
            renewed["current_period_end"] = json!(end);
            if step == "end_trial" {
                renewed["status"] = json!("active");
            }
            store.put(renewed.clone());
            store.emit_with_previous("customer.subscription.updated", &renewed, Some(previous));
            bill(store, &id, "subscription_cycle", at, end, false).map(|_| ())
        }
    }
}

/// `GET /v1/invoices/{id}`.
pub fn retrieve(store: &Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[])?;
    store.find("invoice", id, "invoice", "id")
}

/// `GET /v1/invoices`.
pub fn list(store: &Store, params: &Params) -> Result<Value, ApiError> {
    params.allow(&[
        "customer",
        "subscription",
        "status",
        "limit",
        "starting_after",
        "ending_before",
        "created",
    ])?;
    let customer = params.str("customer")?;
    let subscription = params.str("subscription")?;
    let status = params.str("status")?;
    let items = store
        .all("invoice")
        .rev()
        .filter(|i| customer.is_none_or(|c| i["customer"] == c))
        .filter(|i| subscription.is_none_or(|s| i["subscription"] == s))
        .filter(|i| status.is_none_or(|s| i["status"] == s));
    store.page(items, "/v1/invoices", params)
}

/// `POST /v1/invoices/{id}/pay`: an immediate payment attempt of an open invoice.
pub fn pay_now(store: &mut Store, id: &str, params: &Params) -> Result<Value, ApiError> {
    params.allow(&["payment_method", "off_session"])?;
    let invoice = store.find("invoice", id, "invoice", "id")?;
    if invoice["status"] != "open" {
        return Err(ApiError::invalid_request(format!(
            "Invoice {id} is {} and cannot be paid.",
            invoice["status"].as_str().unwrap_or_default()
        )));
    }
    let method = match params.str("payment_method")?.filter(|m| !m.is_empty()) {
        Some(method) => Some(
            super::payment_methods::resolve(store, method, "payment_method")?["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ),
        None => None,
    };
    let paid = pay(store, id, method)?;
    let invoice = store.find("invoice", id, "invoice", "id")?;
    if paid {
        return Ok(invoice);
    }
    let intent = invoice["payment_intent"]
        .as_str()
        .and_then(|pi| store.get("payment_intent", pi));
    let error = intent
        .as_ref()
        .map(|i| i["last_payment_error"].clone())
        .unwrap_or(Value::Null);
    let code = error["code"].as_str().unwrap_or("card_declined");
    Err(ApiError::card(
        code,
        error["decline_code"].as_str(),
        error["message"]
            .as_str()
            .unwrap_or("Your card was declined."),
    ))
}
