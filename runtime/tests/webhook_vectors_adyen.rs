//! Every vector in `adyen-hmac.json` of the kinds payforge verifies (`notification_item`,
//! `raw_body`) gives the verdict and the error kind the file expects, through the real
//! verifier; the signing helpers reproduce each vector's expected signature.
//!
//! The vectors live outside the repository, in `shared/vectors/` beside the workspace: the
//! directory is `$PAYFORGE_VECTORS_DIR` when set, else `$PAYFORGE_SPECS_DIR/../vectors`, else
//! `<workspace>/../shared/vectors`. A missing file fails the test.

use std::path::PathBuf;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use payforge::webhook::{
    AdyenHmac, HMAC_SIGNATURE_HEADER, NotificationItem, VerificationError, WebhookVerifier,
};
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
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    kind: String,
    #[serde(default)]
    hmac_key_hex: Option<String>,
    #[serde(default)]
    notification_request_item: Option<serde_json::Value>,
    #[serde(default)]
    signing_string: Option<String>,
    #[serde(default)]
    headers: Option<VectorHeaders>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    expected_signature: Option<String>,
    expected: Expected,
}

#[derive(Deserialize)]
struct VectorHeaders {
    #[serde(rename = "HmacSignature")]
    hmac_signature: Option<String>,
}

#[derive(Deserialize)]
struct Expected {
    verdict: String,
    error: Option<String>,
}

fn read_vectors() -> Result<Vec<Vector>, Box<dyn std::error::Error>> {
    let path = vectors_dir().join("adyen-hmac.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read the vector file {}: {error}", path.display()))?;
    let file: VectorFile = serde_json::from_str(&text)?;
    if file.vectors.is_empty() {
        return Err(format!("{} holds no vectors", path.display()).into());
    }
    Ok(file.vectors)
}

/// `("valid", None)` or `("invalid", Some(kind))` in the file's vocabulary. A batch error
/// reports its item's kind (`VerificationError::kind`).
fn verdict_of<T>(result: &Result<T, VerificationError>) -> (String, Option<String>) {
    match result {
        Ok(_) => ("valid".to_owned(), None),
        Err(error) => ("invalid".to_owned(), Some(error.kind().to_owned())),
    }
}

fn required<'v, T>(value: &'v Option<T>, field: &str, id: &str) -> Result<&'v T, String> {
    value
        .as_ref()
        .ok_or_else(|| format!("vector {id} has no `{field}`"))
}

/// One `notification_item` vector, sent as a batch of one.
fn check_notification_item(vector: &Vector) -> TestResult {
    let id = &vector.id;
    let key = required(&vector.hmac_key_hex, "hmac_key_hex", id)?;
    let item_json = required(
        &vector.notification_request_item,
        "notification_request_item",
        id,
    )?;
    let item: NotificationItem = serde_json::from_value(item_json.clone())?;
    assert_eq!(
        Some(&item.signing_string()),
        vector.signing_string.as_ref(),
        "{id}: signing string"
    );
    assert_eq!(
        Some(&AdyenHmac::sign_item(key, &item)?),
        vector.expected_signature.as_ref(),
        "{id}: signature of the signing string"
    );
    let body = serde_json::json!({
        "live": "false",
        "notificationItems": [{ "NotificationRequestItem": item_json }],
    })
    .to_string();
    let verifier = WebhookVerifier::new("adyen", AdyenHmac::notification_items([key.as_str()])?);
    let result = verifier.verify_batch(&HeaderMap::new(), Bytes::from(body), 0);
    if let Err(error) = &result {
        assert!(
            matches!(error, VerificationError::BatchItem { index: 0, .. }),
            "{id}: the error names the item: {error}"
        );
    }
    assert_eq!(
        verdict_of(&result),
        (
            vector.expected.verdict.clone(),
            vector.expected.error.clone()
        ),
        "{id}"
    );
    Ok(())
}

/// One `raw_body` vector: the payload's exact bytes and its `HmacSignature` header.
fn check_raw_body(vector: &Vector) -> TestResult {
    let id = &vector.id;
    let key = required(&vector.hmac_key_hex, "hmac_key_hex", id)?;
    let payload = required(&vector.payload, "payload", id)?;
    assert_eq!(
        Some(&AdyenHmac::sign_body(key, payload.as_bytes())?),
        vector.expected_signature.as_ref(),
        "{id}: signature of the body"
    );
    let mut headers = HeaderMap::new();
    if let Some(signature) = vector
        .headers
        .as_ref()
        .and_then(|h| h.hmac_signature.as_ref())
    {
        headers.insert(HMAC_SIGNATURE_HEADER, HeaderValue::from_str(signature)?);
    }
    let verifier = WebhookVerifier::new("adyen", AdyenHmac::body_header([key.as_str()])?);
    let result = verifier.verify_batch(&headers, Bytes::from(payload.clone()), 0);
    assert_eq!(
        verdict_of(&result),
        (
            vector.expected.verdict.clone(),
            vector.expected.error.clone()
        ),
        "{id}"
    );
    Ok(())
}

#[test]
fn every_notification_item_and_raw_body_vector_gives_the_expected_verdict() -> TestResult {
    let vectors = read_vectors()?;
    let mut checked = 0;
    for vector in &vectors {
        match vector.kind.as_str() {
            "notification_item" => check_notification_item(vector)?,
            "raw_body" => check_raw_body(vector)?,
            _ => continue,
        }
        checked += 1;
    }
    assert!(checked >= 19, "only {checked} vectors checked");
    Ok(())
}

/// The `hpp_key_value` vectors are deliberately not checked, and this test says so rather
/// than skipping them silently: they show the key-value signing of Adyen's legacy Hosted
/// Payment Pages (sorted keys, `\` and `:` escaped), which signs *requests to* Adyen's HPP,
/// not webhooks. payforge verifies webhooks, and no webhook uses that rule (the file says the
/// escaping "applies ONLY to key/value signing, not to notifications"). This test fails when
/// the file gains a kind that is neither verified above nor listed here, so no vector is
/// ever dropped unnoticed.
#[test]
fn hpp_key_value_vectors_are_out_of_scope_and_no_other_kind_is_skipped() -> TestResult {
    let vectors = read_vectors()?;
    let skipped: Vec<&str> = vectors
        .iter()
        .filter(|vector| !matches!(vector.kind.as_str(), "notification_item" | "raw_body"))
        .map(|vector| {
            assert_eq!(
                vector.kind, "hpp_key_value",
                "{}: unhandled kind",
                vector.id
            );
            vector.id.as_str()
        })
        .collect();
    eprintln!(
        "not checked (hpp_key_value: Hosted Payment Pages request signing, not a webhook): {}",
        skipped.join(", ")
    );
    assert!(
        skipped.len() <= 3,
        "more skipped vectors than expected: {skipped:?}"
    );
    Ok(())
}
