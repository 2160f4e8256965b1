//! Every vector in `stripe-signature.json` and `standard-webhooks.json` gives the verdict and
//! the error kind the file expects.
//!
//! The vectors live outside the repository, in `shared/vectors/` beside the workspace. The
//! directory is `$PAYFORGE_VECTORS_DIR` when set, else `<workspace>/../shared/vectors`. A
//! missing file fails the test: a vector suite that silently skips proves nothing.

use std::path::PathBuf;

use http::{HeaderMap, HeaderName, HeaderValue};
use payforge::webhook::{
    SignatureScheme, StandardWebhooks, StripeSignature, Tolerance, VerificationError,
};
use serde::Deserialize;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn vectors_dir() -> PathBuf {
    std::env::var_os("PAYFORGE_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        PathBuf::from,
    )
}

fn read_vectors<V: for<'de> Deserialize<'de>>(
    file: &str,
) -> Result<Vec<V>, Box<dyn std::error::Error>> {
    #[derive(Deserialize)]
    struct VectorFile<V> {
        vectors: Vec<V>,
    }
    let path = vectors_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read the vector file {}: {error}", path.display()))?;
    let parsed: VectorFile<V> = serde_json::from_str(&text)?;
    if parsed.vectors.is_empty() {
        return Err(format!("{} holds no vectors", path.display()).into());
    }
    Ok(parsed.vectors)
}

#[derive(Deserialize)]
struct Expected {
    verdict: String,
    error: Option<String>,
}

/// The vector files' error kinds for our typed errors.
fn file_kind(error: &VerificationError) -> &'static str {
    match error {
        VerificationError::MissingHeader { .. } => "missing_header",
        VerificationError::MalformedHeader { .. } => "malformed_header",
        VerificationError::InvalidTimestamp { .. } => "invalid_timestamp",
        VerificationError::NoSignatureWithExpectedScheme { .. } => {
            "no_signatures_with_expected_scheme"
        }
        VerificationError::NoMatchingSignature => "no_matching_signature",
        // Stripe's file has one kind for both directions; Standard Webhooks' has two.
        VerificationError::TimestampTooOld { .. } => "timestamp_too_old",
        VerificationError::TimestampTooNew { .. } => "timestamp_too_new",
        other => other.kind(),
    }
}

fn verdict_of(result: &Result<(), VerificationError>, stripe: bool) -> (String, Option<String>) {
    match result {
        Ok(()) => ("valid".to_owned(), None),
        Err(error) => {
            let kind = match (stripe, file_kind(error)) {
                (true, "timestamp_too_old" | "timestamp_too_new") => "timestamp_outside_tolerance",
                (_, kind) => kind,
            };
            ("invalid".to_owned(), Some(kind.to_owned()))
        }
    }
}

#[derive(Deserialize)]
struct StripeVector {
    id: String,
    secret: String,
    header: Option<String>,
    payload: String,
    now: i64,
    tolerance_seconds: Option<u64>,
    expected: Expected,
}

#[test]
fn every_stripe_signature_vector_gives_the_expected_verdict() -> TestResult {
    let vectors: Vec<StripeVector> = read_vectors("stripe-signature.json")?;
    let mut failures = Vec::new();
    for vector in &vectors {
        let tolerance = match vector.tolerance_seconds {
            Some(0) | None => Tolerance::DISABLED,
            Some(seconds) => Tolerance::past_only(seconds),
        };
        let scheme = StripeSignature::new([vector.secret.clone()])?.with_tolerance(tolerance);
        let mut headers = HeaderMap::new();
        if let Some(header) = &vector.header {
            headers.insert("stripe-signature", HeaderValue::from_str(header)?);
        }
        let result = scheme
            .verify(&headers, vector.payload.as_bytes(), vector.now)
            .map(drop);
        let actual = verdict_of(&result, true);
        let expected = (
            vector.expected.verdict.clone(),
            vector.expected.error.clone(),
        );
        if actual != expected {
            failures.push(format!(
                "{}: expected {expected:?}, got {actual:?}",
                vector.id
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    assert_eq!(
        vectors.len(),
        30,
        "the file's vector count changed; review the new cases"
    );
    Ok(())
}

#[derive(Deserialize)]
struct StandardVector {
    id: String,
    secret: Option<String>,
    public_key: Option<String>,
    headers: std::collections::BTreeMap<String, String>,
    payload: String,
    now: i64,
    tolerance_seconds: u64,
    expected: Expected,
}

#[test]
fn every_standard_webhooks_vector_gives_the_expected_verdict() -> TestResult {
    let vectors: Vec<StandardVector> = read_vectors("standard-webhooks.json")?;
    let mut failures = Vec::new();
    for vector in &vectors {
        let key = vector
            .secret
            .clone()
            .or_else(|| vector.public_key.clone())
            .ok_or_else(|| format!("{}: neither a secret nor a public key", vector.id))?;
        let scheme = StandardWebhooks::new([key])?
            .with_tolerance(Tolerance::symmetric(vector.tolerance_seconds));
        let mut headers = HeaderMap::new();
        for (name, value) in &vector.headers {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes())?,
                HeaderValue::from_str(value)?,
            );
        }
        let result = scheme
            .verify(&headers, vector.payload.as_bytes(), vector.now)
            .map(drop);
        let actual = verdict_of(&result, false);
        let expected = (
            vector.expected.verdict.clone(),
            vector.expected.error.clone(),
        );
        if actual != expected {
            failures.push(format!(
                "{}: expected {expected:?}, got {actual:?}",
                vector.id
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    assert_eq!(
        vectors.len(),
        24,
        "the file's vector count changed; review the new cases"
    );
    Ok(())
}

#[derive(Deserialize)]
struct SigningVector {
    id: String,
    secret: Option<String>,
    secret_key: Option<String>,
    headers: std::collections::BTreeMap<String, String>,
    payload: String,
    expected_signature: Option<String>,
    signed_content: Option<String>,
}

/// The public signing helper reproduces every signature the file gives explicitly.
#[test]
fn the_signing_helpers_reproduce_the_vectors_signatures() -> TestResult {
    let mut checked = 0;
    for vector in read_vectors::<SigningVector>("standard-webhooks.json")? {
        let (Some(id), Some(timestamp)) = (
            vector.headers.get("webhook-id"),
            vector.headers.get("webhook-timestamp"),
        ) else {
            continue;
        };
        let Ok(timestamp) = timestamp.parse::<i64>() else {
            continue;
        };
        if let (Some(secret), Some(expected)) = (&vector.secret, &vector.expected_signature) {
            let signature =
                StandardWebhooks::sign(secret, id, timestamp, vector.payload.as_bytes())?;
            assert_eq!(&signature, expected, "{}", vector.id);
            checked += 1;
        }
        if let (Some(secret_key), Some(_)) = (&vector.secret_key, &vector.signed_content)
            && vector.id == "v1a_valid"
        {
            let signature =
                StandardWebhooks::sign(secret_key, id, timestamp, vector.payload.as_bytes())?;
            assert_eq!(
                Some(&signature),
                vector.headers.get("webhook-signature"),
                "{}",
                vector.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} signatures were compared");

    #[derive(Deserialize)]
    struct StripeSigning {
        secret: String,
        header: Option<String>,
        payload: String,
        expected_v1: Option<String>,
    }
    let mut stripe_checked = 0;
    for vector in read_vectors::<StripeSigning>("stripe-signature.json")? {
        let (Some(header), Some(expected_v1)) = (vector.header, vector.expected_v1) else {
            continue;
        };
        let Some(timestamp) = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split(',').next())
            .and_then(|t| t.parse::<i64>().ok())
        else {
            continue;
        };
        let signed = StripeSignature::sign(&vector.secret, timestamp, vector.payload.as_bytes());
        assert_eq!(signed, format!("t={timestamp},v1={expected_v1}"));
        stripe_checked += 1;
    }
    assert!(
        stripe_checked >= 3,
        "only {stripe_checked} Stripe signatures were compared"
    );
    Ok(())
}
