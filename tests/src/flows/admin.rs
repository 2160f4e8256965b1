//! The sandbox's admin surface (`/_sandbox/`): faults, webhook delivery control, the ledger,
//! 3-D Secure completion. See `sandbox/README.md` for the wire format.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::TestResult;

/// A client of one sandbox's admin API.
#[derive(Clone, Debug)]
pub struct SandboxAdmin {
    base: String,
    http: reqwest::Client,
}

/// What money moved, as the sandbox's ledger reports it.
#[derive(Clone, Debug, Deserialize)]
pub struct Ledger {
    /// Every charge, oldest first.
    pub charges: Vec<LedgerCharge>,
    /// Totals per payment intent id.
    pub payment_intents: BTreeMap<String, LedgerIntent>,
}

/// One charge in the ledger.
#[derive(Clone, Debug, Deserialize)]
pub struct LedgerCharge {
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

/// One payment intent's totals in the ledger.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct LedgerIntent {
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

impl Ledger {
    /// The charges of one payment intent.
    pub fn charges_of(&self, payment_intent: &str) -> Vec<&LedgerCharge> {
        self.charges
            .iter()
            .filter(|c| c.payment_intent.as_deref() == Some(payment_intent))
            .collect()
    }

    /// The succeeded charges.
    pub fn succeeded(&self) -> impl Iterator<Item = &LedgerCharge> {
        self.charges.iter().filter(|c| c.status == "succeeded")
    }
}

impl SandboxAdmin {
    /// The admin API of the sandbox at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> TestResult<Value> {
        let url = format!("{}/_sandbox{path}", self.base);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            return Err(format!("{url} answered {status}: {text}").into());
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// Adds a fault rule (`{"method", "path", "kind", "latency_ms", "count", "probability",
    /// "seed", "retry_after"}`) and returns its id.
    pub async fn add_fault(&self, rule: Value) -> TestResult<u64> {
        let added = self
            .call(reqwest::Method::POST, "/faults", Some(rule))
            .await?;
        added["id"]
            .as_u64()
            .ok_or_else(|| format!("no rule id in {added}").into())
    }

    /// The fault rules with how often each fired.
    pub async fn faults(&self) -> TestResult<Vec<Value>> {
        let listed = self.call(reqwest::Method::GET, "/faults", None).await?;
        Ok(listed["faults"].as_array().cloned().unwrap_or_default())
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) -> TestResult {
        self.call(reqwest::Method::DELETE, "/faults", None).await?;
        Ok(())
    }

    /// Sets webhook delivery faults for the next deliveries (`{"duplicate": n}`, …).
    pub async fn webhook_faults(&self, faults: Value) -> TestResult {
        self.call(reqwest::Method::POST, "/webhooks/faults", Some(faults))
            .await?;
        Ok(())
    }

    /// Every webhook delivery with its attempts and status.
    pub async fn deliveries(&self) -> TestResult<Vec<Value>> {
        let listed = self.call(reqwest::Method::GET, "/deliveries", None).await?;
        Ok(match listed {
            Value::Array(items) => items,
            other => other["deliveries"].as_array().cloned().unwrap_or_default(),
        })
    }

    /// The ledger.
    pub async fn ledger(&self) -> TestResult<Ledger> {
        let ledger = self.call(reqwest::Method::GET, "/ledger", None).await?;
        Ok(serde_json::from_value(ledger)?)
    }

    /// Completes (`succeed`) or fails (`fail`) the 3-D Secure challenge of an intent.
    pub async fn authenticate(&self, payment_intent: &str, outcome: &str) -> TestResult {
        let path = format!("/payment_intents/{payment_intent}/authenticate");
        self.call(
            reqwest::Method::POST,
            &path,
            Some(json!({ "outcome": outcome })),
        )
        .await?;
        Ok(())
    }

    /// Forgets every object, event, key and fault.
    pub async fn reset(&self) -> TestResult {
        self.call(reqwest::Method::POST, "/reset", None).await?;
        Ok(())
    }
}
