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

/// What each scheme is built from: a secret (a hex key reads as a Standard Webhooks secret
/// too), or for PayPal's certificate scheme a webhook id and a root (the vectors' throwaway
/// test certificate).
fn keys_for(scheme: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    Ok(if scheme.contains("hmac") {
        vec!["00".repeat(32)]
    } else if scheme.starts_with("paypal") {
        vec!["1JE4291016473214C".to_owned(), paypal_test_certificate()?]
    } else {
        vec!["whsec_AAAA/AAAA+AAAA/AAAA+AAAA/AAAA+AA".to_owned()] // audit:allow (a made-up test secret)
    })
}

/// `test_certificate_pem` of the PayPal vectors.
fn paypal_test_certificate() -> Result<String, Box<dyn std::error::Error>> {
    let dir = match std::env::var_os("PAYFORGE_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("PAYFORGE_SPECS_DIR") {
            Some(specs) => PathBuf::from(specs).join("../vectors"),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        },
    };
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("paypal-rsa.json"))?)?;
    Ok(file["test_certificate_pem"]
        .as_str()
        .ok_or("no test_certificate_pem")?
        .to_owned())
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
            let scheme = scheme_by_name(name, &keys_for(name)?)?;
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
        checked >= 4,
        "only {checked} webhook endpoints in the profiles"
    );
    Ok(())
}
