//! Each provider profile's `[[webhooks.endpoints]]` (specs/<provider>/provider.toml) names a
//! scheme the runtime implements, and states exactly the envelope convention and the
//! acknowledgement that scheme uses: the profile is the data, and this test keeps the
//! runtime's built-in conventions equal to it.

use std::path::PathBuf;

use payforge::webhook::{Acknowledgement, EnvelopeConvention, SCHEME_NAMES, scheme_by_name};
use serde::Deserialize;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    webhooks: Webhooks,
}

#[derive(Default, Deserialize)]
struct Webhooks {
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

#[derive(Deserialize)]
struct Endpoint {
    scheme: String,
    items: Option<String>,
    item_wrapper: Option<String>,
    id_fields: Vec<String>,
    type_field: String,
    api_version_field: Option<String>,
    #[serde(default)]
    digest_id: bool,
    ack_body: Option<String>,
}

impl Endpoint {
    /// The convention the profile states.
    fn envelope(&self) -> EnvelopeConvention {
        let ids: Vec<&str> = self.id_fields.iter().map(String::as_str).collect();
        let mut envelope = match &self.items {
            Some(items) => EnvelopeConvention::batch(
                items,
                self.item_wrapper.as_deref(),
                &ids,
                &self.type_field,
            ),
            None => EnvelopeConvention::single_event(
                ids.first().copied().unwrap_or_default(),
                &self.type_field,
            ),
        };
        if let Some(field) = &self.api_version_field {
            envelope = envelope.with_api_version_field(field);
        }
        if self.digest_id {
            envelope = envelope.with_digest_id();
        }
        envelope
    }

    fn acknowledgement(&self) -> Acknowledgement {
        match &self.ack_body {
            Some(body) => Acknowledgement::FixedBody(body.clone()),
            None => Acknowledgement::Outcome,
        }
    }
}

/// A secret each scheme accepts: a hex key reads as a Standard Webhooks secret too.
fn secret_for(scheme: &str) -> String {
    if scheme.contains("hmac") {
        "00".repeat(32)
    } else {
        "whsec_AAAA/AAAA+AAAA/AAAA+AAAA/AAAA+AA".to_owned() // audit:allow (a made-up test secret)
    }
}

#[test]
fn every_profile_endpoint_matches_its_scheme_in_the_runtime() -> TestResult {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&specs)? {
        let path = entry?.path().join("provider.toml");
        if !path.is_file() {
            continue;
        }
        let profile: Profile = toml::from_str(&std::fs::read_to_string(&path)?)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        for endpoint in &profile.webhooks.endpoints {
            let name = endpoint.scheme.as_str();
            assert!(
                SCHEME_NAMES.contains(&name),
                "{}: unknown scheme {name}",
                path.display()
            );
            let scheme = scheme_by_name(name, &[secret_for(name)])?;
            assert_eq!(
                scheme.envelope(),
                endpoint.envelope(),
                "{}: {name} envelope",
                path.display()
            );
            assert_eq!(
                scheme.acknowledgement(),
                endpoint.acknowledgement(),
                "{}: {name} acknowledgement",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "only {checked} webhook endpoints in the profiles"
    );
    Ok(())
}
