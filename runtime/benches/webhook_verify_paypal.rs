//! PayPal webhook verification throughput (RSA-2048, SHA256withRSA) next to Stripe's HMAC on
//! the same body.
//!
//! `cargo bench -p payforge --no-default-features --bench webhook_verify_paypal` prints, for
//! the `valid` vector of `shared/vectors/paypal-rsa.json` (its certificate already cached, as
//! after the first delivery of a URL): the bare RSA verify, the full PayPal verification
//! (headers, certificate validity, CRC32, RSA, tolerance, envelope), and Stripe's full
//! verification of the same bytes, in events/s.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use payforge::webhook::paypal::{CertUrlPolicy, PaypalHeaders, TrustAnchors};
use payforge::webhook::{PaypalCertificates, PaypalSignature, StripeSignature, WebhookVerifier};

/// Runs `step` repeatedly for about `budget` and returns operations per second.
fn rate(budget: Duration, mut step: impl FnMut()) -> f64 {
    for _ in 0..10 {
        step();
    }
    let start = Instant::now();
    let mut operations = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            step();
        }
        operations += 16;
    }
    operations as f64 / start.elapsed().as_secs_f64()
}

fn vectors() -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let dir = match std::env::var_os("PAYFORGE_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("PAYFORGE_SPECS_DIR") {
            Some(specs) => PathBuf::from(specs).join("../vectors"),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        },
    };
    Ok(serde_json::from_str(&std::fs::read_to_string(
        dir.join("paypal-rsa.json"),
    )?)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let budget = Duration::from_secs(2);
    let file = vectors()?;
    let pem = file["test_certificate_pem"]
        .as_str()
        .ok_or("no certificate")?;
    let vector = &file["vectors"][0];
    let body = Bytes::from(vector["payload"].as_str().ok_or("no payload")?.to_owned());
    let mut headers = HeaderMap::new();
    for (name, value) in vector["headers"].as_object().ok_or("no headers")? {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value.as_str().ok_or("header")?)?,
        );
    }
    let parsed = PaypalHeaders::parse(&headers)?;
    let now = parsed.timestamp;
    let certificates = PaypalCertificates::new(
        CertUrlPolicy::default(),
        TrustAnchors::from_pem(pem.as_bytes())?,
    );
    let chain = certificates.insert_pem(&parsed.cert_url, pem.as_bytes())?;
    let webhook_id = vector["webhook_id"].as_str().ok_or("no webhook id")?;
    let verifier = WebhookVerifier::new(
        "paypal",
        PaypalSignature::new(webhook_id, Arc::new(certificates)),
    );
    let message = parsed.signed_message(webhook_id, &body);
    let bare = rate(budget, || {
        black_box(chain.verifies(black_box(message.as_bytes()), &parsed.signature));
    });
    let paypal = rate(budget, || {
        let verified = verifier.verify(&headers, body.clone(), now);
        assert!(verified.is_ok());
        black_box(verified.ok());
    });
    let secret = "whsec_benchmark_endpoint_secret";
    let stripe = WebhookVerifier::new("stripe", StripeSignature::new([secret])?);
    let mut stripe_headers = HeaderMap::new();
    stripe_headers.insert(
        "stripe-signature",
        HeaderValue::from_str(&StripeSignature::sign(secret, now, &body))?,
    );
    let hmac = rate(budget, || {
        let verified = stripe.verify(&stripe_headers, body.clone(), now);
        assert!(verified.is_ok());
        black_box(verified.ok());
    });
    let size = body.len();
    println!(
        "{:<44} {size:>5} B  {bare:>10.0} events/s",
        "bare RSA-2048 PKCS#1 v1.5 verify (rsa crate)"
    );
    println!(
        "{:<44} {size:>5} B  {paypal:>10.0} events/s",
        "PayPal verify (cached chain + CRC32 + RSA)"
    );
    println!(
        "{:<44} {size:>5} B  {hmac:>10.0} events/s",
        "Stripe verify (HMAC-SHA256), same body"
    );
    Ok(())
}
