//! Every vector of `paypal-rsa.json` gives the verdict and error kind the file expects,
//! through the real verifier with the file's self-signed test certificate as the only trust
//! anchor; each vector's CRC32 and signed message are reproduced exactly.
//!
//! The vectors live outside the repository, in `shared/vectors/` beside the workspace: the
//! directory is `$PAYFORGE_VECTORS_DIR` when set, else `$PAYFORGE_SPECS_DIR/../vectors`, else
//! `<workspace>/../shared/vectors`. A missing file fails the test. All seven vectors are in
//! scope; none is skipped.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use payforge::webhook::paypal::{CertUrlPolicy, PaypalHeaders, TrustAnchors, body_crc32};
use payforge::webhook::{PaypalCertificates, PaypalSignature, Tolerance, WebhookVerifier};
use serde::Deserialize;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn vectors_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAYFORGE_VECTORS_DIR") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("PAYFORGE_SPECS_DIR") {
        Some(specs) => PathBuf::from(specs).join("../vectors"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

#[derive(Deserialize)]
struct VectorFile {
    test_certificate_pem: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    webhook_id: String,
    headers: BTreeMap<String, String>,
    payload: String,
    crc32_decimal: String,
    expected_message: String,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    verdict: String,
    error: Option<String>,
}

fn load() -> Result<VectorFile, Box<dyn std::error::Error>> {
    let path = vectors_dir().join("paypal-rsa.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read the vector file {}: {error}", path.display()))?;
    let file: VectorFile = serde_json::from_str(&text)?;
    if file.vectors.len() != 7 {
        return Err(format!("expected 7 vectors, found {}", file.vectors.len()).into());
    }
    Ok(file)
}

fn header_map(headers: &BTreeMap<String, String>) -> Result<HeaderMap, Box<dyn std::error::Error>> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value)?,
        );
    }
    Ok(map)
}

#[tokio::test]
async fn every_vector_gives_the_expected_verdict() -> TestResult {
    let file = load()?;
    let pem = file.test_certificate_pem.as_bytes();
    for vector in &file.vectors {
        let headers = header_map(&vector.headers)?;
        let parsed = PaypalHeaders::parse(&headers)?;
        let body = vector.payload.as_bytes();
        assert_eq!(
            body_crc32(body).to_string(),
            vector.crc32_decimal,
            "{}",
            vector.id
        );
        assert_eq!(
            parsed.signed_message(&vector.webhook_id, body),
            vector.expected_message,
            "{}",
            vector.id
        );
        // The certificate URL of the vectors is PayPal's sandbox host: the default policy
        // accepts it, and the fetcher-less store serves the file's certificate for it.
        let certificates =
            PaypalCertificates::new(CertUrlPolicy::default(), TrustAnchors::from_pem(pem)?);
        let scheme = PaypalSignature::new(vector.webhook_id.clone(), Arc::new(certificates))
            .with_tolerance(Tolerance::symmetric(300));
        scheme.certificates().insert_pem(&parsed.cert_url, pem)?;
        let verifier = WebhookVerifier::new("paypal", scheme);
        verifier
            .prepare(&headers, vector.payload.as_bytes())
            .await?;
        let result = verifier.verify(
            &headers,
            Bytes::from(vector.payload.clone()),
            parsed.timestamp,
        );
        match (vector.expected.verdict.as_str(), &result) {
            ("valid", Ok(event)) => {
                let envelope: serde_json::Value = serde_json::from_slice(body)?;
                assert_eq!(
                    Some(event.event_id()),
                    envelope["id"].as_str(),
                    "{}",
                    vector.id
                );
                assert_eq!(
                    event.event_type(),
                    envelope["event_type"].as_str(),
                    "{}",
                    vector.id
                );
                assert_eq!(event.signed_at(), Some(parsed.timestamp), "{}", vector.id);
            }
            ("invalid", Err(error)) => {
                assert_eq!(
                    Some(error.kind()),
                    vector.expected.error.as_deref(),
                    "{}",
                    vector.id
                );
            }
            (verdict, result) => {
                return Err(format!("{}: expected {verdict}, got {result:?}", vector.id).into());
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_vectors_certificate_is_untrusted_without_its_anchor() -> TestResult {
    let file = load()?;
    let vector = file.vectors.first().ok_or("no vector")?;
    let certificates = PaypalCertificates::new(CertUrlPolicy::default(), TrustAnchors::default());
    let error = certificates
        .insert_pem(
            &vector.headers["paypal-cert-url"],
            file.test_certificate_pem.as_bytes(),
        )
        .err()
        .ok_or("an anchorless store trusted a certificate")?;
    assert!(
        error
            .to_string()
            .contains("does not chain to a configured root"),
        "{error}"
    );
    Ok(())
}
