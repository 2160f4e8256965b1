//! The profile's `[webhooks]` section: how the provider signs, packs and expects to be
//! answered for its webhook deliveries, one `[[webhooks.endpoints]]` entry per kind of
//! endpoint (docs/generated-code.md, "Webhooks"; docs/webhooks.md).
//!
//! The generator does not emit code from it (typed events come from `[events]` and the
//! spec's `webhooks:` map); it is the data the runtime's conventions are checked against:
//! `scheme` names a `payforge::webhook` signature scheme, and the envelope keys state the
//! `payforge::webhook::EnvelopeConvention` that scheme reads with.

use serde::Deserialize;

/// The `[webhooks]` section; absent means the provider sends no webhooks payforge verifies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRules {
    /// One entry per kind of webhook endpoint the provider delivers to.
    #[serde(default)]
    pub endpoints: Vec<WebhookEndpoint>,
}

/// One kind of webhook endpoint: its signature scheme, event envelope and acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    /// The runtime's scheme name (`stripe-v1`, `adyen-hmac-v1`).
    pub scheme: String,
    /// The top-level field holding a batch's array of events; absent when the body is one
    /// event.
    #[serde(default)]
    pub items: Option<String>,
    /// The key wrapping each element of the batch (`{"<key>": event}`), if any.
    #[serde(default)]
    pub item_wrapper: Option<String>,
    /// The fields joined with `:` into the event id the inbox deduplicates on.
    pub id_fields: Vec<String>,
    /// The field naming the event type.
    pub type_field: String,
    /// The field naming the API version the event was rendered with, if any.
    #[serde(default)]
    pub api_version_field: Option<String>,
    /// Whether an event with none of its id fields is identified by its bytes' SHA-256.
    #[serde(default)]
    pub digest_id: bool,
    /// The exact body that acknowledges a delivery (with 200); absent: the outcome word.
    #[serde(default)]
    pub ack_body: Option<String>,
}

impl WebhookRules {
    /// Checks what serde cannot: every endpoint names a scheme and an id, and a wrapper only
    /// comes with a batch. Returns the first problem, naming the endpoint.
    pub fn check(&self) -> Result<(), String> {
        for (index, endpoint) in self.endpoints.iter().enumerate() {
            let problem = if endpoint.scheme.trim().is_empty() {
                Some("`scheme` is empty")
            } else if endpoint.id_fields.is_empty() {
                Some("`id_fields` is empty")
            } else if endpoint.type_field.trim().is_empty() {
                Some("`type_field` is empty")
            } else if endpoint.item_wrapper.is_some() && endpoint.items.is_none() {
                Some("`item_wrapper` needs `items`")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(format!("[[webhooks.endpoints]] #{index}: {problem}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Only the `[webhooks]` section of a profile, so this test does not depend on the other
    /// sections being complete.
    #[derive(Deserialize)]
    struct WebhooksOnly {
        #[serde(default)]
        webhooks: WebhookRules,
    }

    fn section(path: &PathBuf) -> Result<WebhookRules, Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(path)?;
        let parsed: WebhooksOnly =
            toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        Ok(parsed.webhooks)
    }

    #[test]
    fn every_profile_states_valid_webhook_endpoints() -> Result<(), Box<dyn std::error::Error>> {
        let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let mut with_endpoints = 0;
        for entry in std::fs::read_dir(&specs)? {
            let path = entry?.path().join("provider.toml");
            if !path.is_file() {
                continue;
            }
            let rules = section(&path)?;
            rules
                .check()
                .map_err(|problem| format!("{}: {problem}", path.display()))?;
            with_endpoints += usize::from(!rules.endpoints.is_empty());
        }
        assert!(
            with_endpoints >= 2,
            "only {with_endpoints} profiles state webhook endpoints"
        );
        Ok(())
    }

    #[test]
    fn inconsistent_endpoints_are_refused() {
        let endpoint = |wrapper: Option<&str>, ids: &[&str]| WebhookEndpoint {
            scheme: "s".into(),
            items: None,
            item_wrapper: wrapper.map(Into::into),
            id_fields: ids.iter().map(|id| (*id).to_owned()).collect(),
            type_field: "type".into(),
            api_version_field: None,
            digest_id: false,
            ack_body: None,
        };
        let cases = [
            (endpoint(None, &["id"]), Ok(())),
            (
                endpoint(Some("W"), &["id"]),
                Err("[[webhooks.endpoints]] #0: `item_wrapper` needs `items`".to_owned()),
            ),
            (
                endpoint(None, &[]),
                Err("[[webhooks.endpoints]] #0: `id_fields` is empty".to_owned()),
            ),
        ];
        for (endpoint, expected) in cases {
            let rules = WebhookRules {
                endpoints: vec![endpoint],
            };
            assert_eq!(rules.check(), expected);
        }
    }
}
