//! Injected faults on `/v1` requests: latency, a 500, a 429, or the connection dropped
//! before or after the request is processed.
//!
//! A rule matches a method (or any) and a path pattern in which `*` stands for any run of
//! characters, and fires either for the next `count` matching requests or with a
//! `probability` drawn from its own seeded generator, so a chaos run is reproducible.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What a fault does to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits `latency_ms`, then processes the request normally.
    Latency,
    /// Answers 500 `api_error` without processing.
    Error,
    /// Answers 429 with `Retry-After: retry_after` seconds, without processing.
    RateLimit,
    /// Closes the connection without processing and without a response.
    DropBefore,
    /// Processes and commits the request, then closes the connection without a response.
    DropAfter,
}

/// A rule as the admin API receives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultSpec {
    /// `GET`, `POST`, `DELETE`, or absent for any method.
    #[serde(default)]
    pub method: Option<String>,
    /// The path pattern, such as `/v1/payment_intents/*/confirm`.
    pub path: String,
    /// What happens.
    pub kind: FaultKind,
    /// For `latency`: the added delay.
    #[serde(default)]
    pub latency_ms: u64,
    /// For `rate_limit`: the `Retry-After` seconds.
    #[serde(default)]
    pub retry_after: u64,
    /// Fire for the next `count` matching requests.
    #[serde(default)]
    pub count: Option<u32>,
    /// Or fire with this probability on each matching request.
    #[serde(default)]
    pub probability: Option<f64>,
    /// The seed of the probability draws.
    #[serde(default)]
    pub seed: u64,
}

/// An installed rule.
#[derive(Debug, Serialize)]
pub struct FaultRule {
    /// The rule's id, for removing it.
    pub id: u64,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How many requests it has fired on.
    pub fired: u64,
    #[serde(skip)]
    rng: StdRng,
}

/// The faults a request runs into, in the order they apply.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Triggered {
    /// Total added latency.
    pub latency_ms: u64,
    /// The first non-latency fault, if any.
    pub action: Option<(FaultKind, u64)>,
}

/// All installed rules.
#[derive(Debug, Default)]
pub struct FaultTable {
    rules: Vec<FaultRule>,
    next_id: u64,
}

impl FaultTable {
    /// Installs a rule; a `count` of 0 or a probability outside 0..=1 is refused.
    pub fn add(&mut self, spec: FaultSpec) -> Result<&FaultRule, String> {
        if spec.count.is_none() == spec.probability.is_none() {
            return Err("give exactly one of `count` or `probability`".into());
        }
        if spec.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err("`probability` must lie between 0 and 1".into());
        }
        self.next_id += 1;
        let rng = StdRng::seed_from_u64(spec.seed);
        self.rules.push(FaultRule {
            id: self.next_id,
            spec,
            fired: 0,
            rng,
        });
        self.rules.last().ok_or_else(|| "rule lost".to_owned())
    }

    /// Removes one rule; `false` if there was none with that id.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|rule| rule.id != id);
        self.rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The installed rules.
    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Draws the faults that fire for one request, consuming counts.
    pub fn trigger(&mut self, method: &str, path: &str) -> Triggered {
        let mut triggered = Triggered::default();
        for rule in &mut self.rules {
            let method_matches = rule
                .spec
                .method
                .as_deref()
                .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method));
            if !method_matches || !glob_matches(&rule.spec.path, path) {
                continue;
            }
            let fires = match (rule.spec.count.as_mut(), rule.spec.probability) {
                (Some(remaining), _) if *remaining > 0 => {
                    *remaining -= 1;
                    true
                }
                (None, Some(probability)) => rule.rng.gen_bool(probability),
                _ => false,
            };
            if !fires {
                continue;
            }
            if rule.spec.kind == FaultKind::Latency {
                triggered.latency_ms = triggered.latency_ms.saturating_add(rule.spec.latency_ms);
                rule.fired += 1;
            } else if triggered.action.is_none() {
                triggered.action = Some((rule.spec.kind, rule.spec.retry_after));
                rule.fired += 1;
            }
        }
        triggered
    }
}

/// Whether `path` matches `pattern`, where `*` matches any run of characters.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_patterns_match_as_documented() {
        let cases = [
            ("/v1/payment_intents", "/v1/payment_intents", true),
            ("/v1/payment_intents", "/v1/payment_intents/pi_1", false),
            (
                "/v1/payment_intents*",
                "/v1/payment_intents/pi_1/confirm",
                true,
            ),
            (
                "/v1/payment_intents/*/confirm",
                "/v1/payment_intents/pi_1/confirm",
                true,
            ),
            (
                "/v1/payment_intents/*/confirm",
                "/v1/payment_intents/pi_1/capture",
                false,
            ),
            ("*", "/v1/anything", true),
            ("/v1/*/x*y", "/v1/a/xzzy", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(glob_matches(pattern, path), expected, "{pattern} ~ {path}");
        }
    }

    #[test]
    fn counted_rules_fire_exactly_count_times() -> Result<(), String> {
        let mut table = FaultTable::default();
        let spec = FaultSpec {
            method: Some("POST".into()),
            path: "/v1/*".into(),
            kind: FaultKind::Error,
            latency_ms: 0,
            retry_after: 0,
            count: Some(2),
            probability: None,
            seed: 0,
        };
        table.add(spec)?;
        let fired: Vec<bool> = (0..4)
            .map(|_| table.trigger("POST", "/v1/customers").action.is_some())
            .collect();
        assert_eq!(fired, [true, true, false, false]);
        assert_eq!(table.trigger("GET", "/v1/customers"), Triggered::default());
        Ok(())
    }
}
