//! The ledger: what money actually moved, per charge, per payment intent, and in total.
//!
//! Tests assert against it to prove that a retried or faulted payment produced exactly
//! one charge of the right amount. `refunded` counts refunds only; an uncaptured
//! remainder released by a partial capture or a cancel is not money that moved.

use indexmap::IndexMap;
use serde::Serialize;

use crate::store::Store;

/// One charge as the ledger sees it.
#[derive(Debug, Serialize)]
pub struct ChargeEntry {
    /// The charge id.
    pub id: String,
    /// Its payment intent.
    pub payment_intent: Option<String>,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The authorised amount.
    pub amount: i64,
    /// The captured amount.
    pub captured: i64,
    /// The sum of its refunds.
    pub refunded: i64,
    /// Its currency.
    pub currency: String,
}

/// One payment intent's totals.
#[derive(Debug, Default, Serialize)]
pub struct IntentEntry {
    /// Charges attempted.
    pub charges: u64,
    /// Charges that succeeded.
    pub succeeded_charges: u64,
    /// Captured in total.
    pub captured: i64,
    /// Refunded in total.
    pub refunded: i64,
    /// Captured minus refunded.
    pub net: i64,
}

/// Totals over every charge.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Charges attempted.
    pub charges: u64,
    /// Charges that succeeded.
    pub succeeded_charges: u64,
    /// Charges that failed.
    pub failed_charges: u64,
    /// Authorised but not (yet) captured.
    pub authorized_uncaptured: i64,
    /// Captured in total.
    pub captured: i64,
    /// Refunded in total.
    pub refunded: i64,
    /// Captured minus refunded.
    pub net: i64,
}

/// The whole ledger.
#[derive(Debug, Serialize)]
pub struct Ledger {
    /// Every charge, oldest first.
    pub charges: Vec<ChargeEntry>,
    /// Per payment intent id.
    pub payment_intents: IndexMap<String, IntentEntry>,
    /// Over everything.
    pub totals: Totals,
}

/// Reads the ledger from the store.
pub fn read(store: &Store) -> Ledger {
    let mut refunds: IndexMap<String, i64> = IndexMap::new();
    for refund in store.all("refund").filter(|r| r["status"] == "succeeded") {
        let charge = refund["charge"].as_str().unwrap_or_default().to_owned();
        *refunds.entry(charge).or_default() += refund["amount"].as_i64().unwrap_or(0);
    }
    let mut ledger = Ledger {
        charges: Vec::new(),
        payment_intents: IndexMap::new(),
        totals: Totals::default(),
    };
    for charge in store.all("charge") {
        let id = charge["id"].as_str().unwrap_or_default().to_owned();
        let succeeded = charge["status"] == "succeeded";
        let entry = ChargeEntry {
            payment_intent: charge["payment_intent"].as_str().map(str::to_owned),
            status: charge["status"].as_str().unwrap_or_default().to_owned(),
            amount: charge["amount"].as_i64().unwrap_or(0),
            captured: charge["amount_captured"].as_i64().unwrap_or(0),
            refunded: refunds.get(&id).copied().unwrap_or(0),
            currency: charge["currency"].as_str().unwrap_or_default().to_owned(),
            id,
        };
        let totals = &mut ledger.totals;
        totals.charges += 1;
        if succeeded {
            totals.succeeded_charges += 1;
            if charge["captured"] != true && charge["refunded"] != true {
                totals.authorized_uncaptured += entry.amount;
            }
        } else {
            totals.failed_charges += 1;
        }
        totals.captured += entry.captured;
        totals.refunded += entry.refunded;
        totals.net = totals.captured - totals.refunded;
        if let Some(intent) = &entry.payment_intent {
            let per_intent = ledger.payment_intents.entry(intent.clone()).or_default();
            per_intent.charges += 1;
            per_intent.succeeded_charges += u64::from(succeeded);
            per_intent.captured += entry.captured;
            per_intent.refunded += entry.refunded;
            per_intent.net = per_intent.captured - per_intent.refunded;
        }
        ledger.charges.push(entry);
    }
    ledger
}
