//! PayPal's certificate-signed webhooks against a test PKI made with `rcgen` (a root, an
//! intermediate and leaves with the vectors' throwaway key): certificates fetched with the
//! default `reqwest` fetcher from a local server that counts fetches (cached by URL), a URL
//! off the allowlist never fetched, an expired certificate, a tampered body of the same
//! length, a stale transmission time, redeliveries stored once in a SQLite inbox, and a
//! stored event handed to a worker with its resource typed by `resource_type`.

mod webhook_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use payforge::webhook::paypal::{
    CertUrlPolicy, PaypalHeaders, ReqwestFetcher, TrustAnchors, body_crc32,
};
use payforge::webhook::{
    PaypalCertificates, PaypalSignature, VerificationError, WebhookInbox, WebhookReceiver,
    WebhookVerifier,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, date_time_ymd};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use webhook_support::{BoxError, TestResult};

const WEBHOOK_ID: &str = "1JE4291016473214C";
/// 2024-01-15T10:00:01Z, when the test deliveries are signed.
const SIGNED_AT: i64 = 1_705_312_801;

/// The vectors' throwaway private key (`test_private_key_pem` of `paypal-rsa.json`).
fn private_key_pem() -> Result<String, BoxError> {
    let dir = match std::env::var_os("PAYFORGE_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("PAYFORGE_SPECS_DIR") {
            Some(specs) => PathBuf::from(specs).join("../vectors"),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        },
    };
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("paypal-rsa.json"))?)?;
    Ok(file["test_private_key_pem"]
        .as_str()
        .ok_or("no test_private_key_pem")?
        .to_owned())
}

/// A test PKI: the root's PEM, and the served chain (leaf, intermediate) whose leaf is valid
/// from 2024 until `leaf_until` (a year).
struct Pki {
    root: String,
    chain: String,
    key_pem: String,
}

fn pki(leaf_until: i32) -> Result<Pki, BoxError> {
    let key_pem = private_key_pem()?;
    let key = KeyPair::from_pem(&key_pem)?;
    let ca = |name: &str| -> Result<CertificateParams, BoxError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.not_before = date_time_ymd(2019, 1, 1);
        params.not_after = date_time_ymd(2040, 1, 1);
        Ok(params)
    };
    let root = ca("payforge test root")?.self_signed(&key)?;
    let intermediate = ca("payforge test intermediate")?.signed_by(&key, &root, &key)?;
    let mut leaf = CertificateParams::new(vec!["messageverificationcerts.test".to_owned()])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "messageverificationcerts.test");
    leaf.not_before = date_time_ymd(2020, 1, 1);
    leaf.not_after = date_time_ymd(leaf_until, 1, 1);
    let leaf = leaf.signed_by(&key, &intermediate, &key)?;
    Ok(Pki {
        root: root.pem(),
        chain: format!("{}{}", leaf.pem(), intermediate.pem()),
        key_pem,
    })
}

/// The headers PayPal would send for `body` at `timestamp`, naming `cert_url`.
fn signed_headers(
    key_pem: &str,
    cert_url: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<HeaderMap, BoxError> {
    let time = OffsetDateTime::from_unix_timestamp(timestamp)?.format(&Rfc3339)?;
    let transmission_id = format!("tx-{timestamp}");
    let message = format!("{transmission_id}|{time}|{WEBHOOK_ID}|{}", body_crc32(body));
    let key = SigningKey::<Sha256>::new(rsa::RsaPrivateKey::from_pkcs8_pem(key_pem)?);
    let signature = base64_encode(&key.sign(message.as_bytes()).to_vec());
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("paypal-transmission-id", transmission_id.as_str()),
        ("paypal-transmission-time", time.as_str()),
        ("paypal-transmission-sig", signature.as_str()),
        ("paypal-cert-url", cert_url),
        ("paypal-auth-algo", "SHA256withRSA"),
    ] {
        headers.insert(name, HeaderValue::from_str(value)?);
    }
    Ok(headers)
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn event(id: &str, value: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"id":"{id}","event_version":"1.0","resource_type":"capture","event_type":"PAYMENT.CAPTURE.COMPLETED","resource_version":"2.0","resource":{{"id":"42311647XV020574X","amount":{{"currency_code":"USD","value":"{value}"}}}}}}"#
    ))
}

/// A local certificate server: `GET /certs/<name>` answers the chain and counts the fetch.
async fn cert_server(chain: String) -> Result<(String, Arc<AtomicUsize>), BoxError> {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    let app = axum::Router::new().route(
        "/certs/{name}",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let chain = chain.clone();
            async move { chain }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/certs", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, fetches))
}

/// A verifier that fetches from loopback (the explicit test opt-in) and trusts `pki`'s root.
fn local_verifier(pki: &Pki) -> Result<WebhookVerifier<PaypalSignature>, BoxError> {
    let policy =
        CertUrlPolicy::hosts(Vec::<String>::new()).allowing_plain_http_loopback_for_tests();
    let certificates =
        PaypalCertificates::new(policy, TrustAnchors::from_pem(pki.root.as_bytes())?)
            .with_fetcher(Arc::new(ReqwestFetcher::new()?));
    Ok(WebhookVerifier::new(
        "paypal",
        PaypalSignature::new(WEBHOOK_ID, Arc::new(certificates)),
    ))
}

#[tokio::test]
async fn certificates_are_fetched_once_per_url() -> TestResult {
    let pki = pki(2030)?;
    let (base, fetches) = cert_server(pki.chain.clone()).await?;
    let verifier = local_verifier(&pki)?;
    for (index, url) in [
        format!("{base}/A"),
        format!("{base}/A"),
        format!("{base}/A"),
        format!("{base}/B"),
    ]
    .iter()
    .enumerate()
    {
        let body = event(&format!("WH-{index}"), "10.00");
        let headers = signed_headers(&pki.key_pem, url, SIGNED_AT, &body)?;
        verifier.prepare(&headers, &body).await?;
        let verified = verifier.verify(&headers, body, SIGNED_AT)?;
        assert_eq!(verified.event_id(), format!("WH-{index}"));
        assert_eq!(verified.event_type(), Some("PAYMENT.CAPTURE.COMPLETED"));
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "one fetch per distinct URL"
    );
    assert_eq!(verifier.scheme().certificates().cached(), 2);
    Ok(())
}

#[tokio::test]
async fn a_certificate_url_outside_the_allowlist_is_refused_and_never_fetched() -> TestResult {
    let pki = pki(2030)?;
    let (base, fetches) = cert_server(pki.chain.clone()).await?;
    let strict = PaypalCertificates::new(
        CertUrlPolicy::default(),
        TrustAnchors::from_pem(pki.root.as_bytes())?,
    )
    .with_fetcher(Arc::new(ReqwestFetcher::new()?));
    let verifier =
        WebhookVerifier::new("paypal", PaypalSignature::new(WEBHOOK_ID, Arc::new(strict)));
    let body = event("WH-1", "10.00");
    for url in [
        format!("{base}/A"),
        "https://api.paypal.com.attacker.example/certs/A".to_owned(),
        "http://api.paypal.com/v1/notifications/certs/A".to_owned(),
    ] {
        let headers = signed_headers(&pki.key_pem, &url, SIGNED_AT, &body)?;
        for error in [
            verifier.prepare(&headers, &body).await.err(),
            verifier.verify(&headers, body.clone(), SIGNED_AT).err(),
        ] {
            assert!(
                matches!(&error, Some(VerificationError::CertificateUrlRefused { url: refused, .. }) if *refused == url),
                "{url}: {error:?}"
            );
        }
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 0);
    Ok(())
}

#[tokio::test]
async fn an_expired_certificate_is_named_and_rejected() -> TestResult {
    let pki = pki(2021)?;
    let (base, _fetches) = cert_server(pki.chain.clone()).await?;
    let verifier = local_verifier(&pki)?;
    let body = event("WH-1", "10.00");
    let headers = signed_headers(&pki.key_pem, &format!("{base}/old"), SIGNED_AT, &body)?;
    verifier.prepare(&headers, &body).await?;
    let error = verifier.verify(&headers, body.clone(), SIGNED_AT).err();
    assert!(
        matches!(&error, Some(VerificationError::CertificateExpired { subject, not_after, .. })
            if subject.contains("messageverificationcerts.test") && *not_after == 1_609_459_200),
        "{error:?}"
    );
    // The same chain verifies while the leaf was valid (and the signing time with it).
    let in_2020 = 1_590_000_000;
    let headers = signed_headers(&pki.key_pem, &format!("{base}/old"), in_2020, &body)?;
    let result = verifier.verify(&headers, body, in_2020);
    assert!(result.is_ok(), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn a_chain_to_another_root_is_untrusted() -> TestResult {
    let pki = pki(2030)?;
    let other = PaypalCertificates::new(
        CertUrlPolicy::default(),
        TrustAnchors::from_pem(pki.chain.as_bytes())?,
    );
    // Trusting the leaf and intermediate but not the root still verifies (the leaf is an
    // anchor); trusting nothing of this PKI does not.
    assert!(
        other
            .insert_pem("https://api.paypal.com/c", pki.chain.as_bytes())
            .is_ok()
    );
    let unrelated = pki_with_other_root()?;
    let certificates = PaypalCertificates::new(
        CertUrlPolicy::default(),
        TrustAnchors::from_pem(unrelated.as_bytes())?,
    );
    let error = certificates
        .insert_pem("https://api.paypal.com/c", pki.chain.as_bytes())
        .err()
        .ok_or("a chain to another root was trusted")?;
    assert!(
        error.to_string().contains("payforge test intermediate"),
        "{error}"
    );
    Ok(())
}

/// A root with the same key but another name: it did not sign the test intermediate.
fn pki_with_other_root() -> Result<String, BoxError> {
    let key = KeyPair::from_pem(&private_key_pem()?)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "another root");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    Ok(params.self_signed(&key)?.pem())
}

#[tokio::test]
async fn a_tampered_body_of_the_same_length_or_a_stale_time_is_rejected() -> TestResult {
    let pki = pki(2030)?;
    let (base, _fetches) = cert_server(pki.chain.clone()).await?;
    let verifier = local_verifier(&pki)?;
    let body = event("WH-1", "10.00");
    let headers = signed_headers(&pki.key_pem, &format!("{base}/A"), SIGNED_AT, &body)?;
    verifier.prepare(&headers, &body).await?;
    let tampered = event("WH-1", "90.00");
    assert_eq!(tampered.len(), body.len());
    assert_ne!(body_crc32(&tampered), body_crc32(&body));
    assert_eq!(
        verifier.verify(&headers, tampered, SIGNED_AT).err(),
        Some(VerificationError::NoMatchingSignature)
    );
    assert!(
        verifier
            .verify(&headers, body.clone(), SIGNED_AT + 300)
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&headers, body, SIGNED_AT + 301).err(),
        Some(VerificationError::TimestampTooOld {
            age: 301,
            tolerance: 300
        })
    );
    assert_eq!(PaypalHeaders::parse(&headers)?.timestamp, SIGNED_AT);
    Ok(())
}

#[tokio::test]
async fn redeliveries_through_the_receiver_store_one_inbox_row() -> TestResult {
    let pki = pki(2040)?;
    let (base, fetches) = cert_server(pki.chain.clone()).await?;
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = WebhookReceiver::new(local_verifier(&pki)?, Arc::clone(&inbox));
    let body = event("WH-DUP", "10.00");
    let mut answers = Vec::new();
    for _ in 0..3 {
        // Each redelivery is a new transmission (new id and time), signed now.
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let headers = signed_headers(&pki.key_pem, &format!("{base}/A"), now, &body)?;
        let mut request = Request::post("/webhooks/paypal").body(Body::from(body.clone()))?;
        *request.headers_mut() = headers;
        let response = receiver.receive(request).await;
        let status = response.status().as_u16();
        let text = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
        answers.push((status, String::from_utf8(text.to_vec())?));
    }
    let expected = [(200, "stored"), (200, "duplicate"), (200, "duplicate")]
        .map(|(status, text)| (status, text.to_owned()));
    assert_eq!(answers, expected);
    assert!(inbox.entry("paypal", "WH-DUP").await?.is_some());
    let mut rows = 0;
    while inbox
        .claim("w", i64::MAX / 2, std::time::Duration::from_secs(1))
        .await?
        .is_some()
    {
        rows += 1;
    }
    assert_eq!(rows, 1);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    Ok(())
}

/// An order, as far as this test cares.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
struct Order {
    id: String,
    status: String,
}

/// A capture, as far as this test cares.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
struct Capture {
    id: String,
}

/// Resources by `resource_type`, declared the way the generator declares PayPal's
/// `EventObject` (`[events] source = "profile"`).
#[derive(Clone, Debug, PartialEq, payforge::WebhookEvent)]
enum Resource {
    #[event("checkout-order")]
    CheckoutOrder(Order),
    #[event("capture")]
    Capture(Capture),
    #[event(unknown)]
    Unknown {
        event_type: String,
        object: serde_json::Value,
    },
}

#[tokio::test]
async fn a_stored_event_reaches_the_worker_with_its_resource_typed_by_resource_type() -> TestResult
{
    use payforge::webhook::{Processed, ResourceEvent, Verified, Worker, WorkerConfig};
    let pki = pki(2040)?;
    let (base, _fetches) = cert_server(pki.chain.clone()).await?;
    let (inbox, _directory) = webhook_support::sqlite_inbox().await?;
    let inbox = Arc::new(inbox);
    let receiver = WebhookReceiver::new(local_verifier(&pki)?, Arc::clone(&inbox));
    let bodies = [
        r#"{"id":"WH-ORDER","event_version":"1.0","create_time":"2026-12-01T10:15:02.114Z","resource_type":"checkout-order","resource_version":"2.0","event_type":"CHECKOUT.ORDER.APPROVED","summary":"An order has been approved by buyer","resource":{"id":"5O190127TN364715T","status":"APPROVED","intent":"CAPTURE"},"links":[]}"#,
        r#"{"id":"WH-SALE","resource_type":"sale","event_type":"PAYMENT.SALE.COMPLETED","resource":{"id":"80021663DE681814L","state":"completed"}}"#,
    ];
    for body in bodies {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let headers = signed_headers(&pki.key_pem, &format!("{base}/A"), now, body.as_bytes())?;
        let mut request = Request::post("/webhooks/paypal").body(Body::from(body))?;
        *request.headers_mut() = headers;
        assert_eq!(receiver.receive(request).await.status().as_u16(), 200);
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let handler = move |event: Verified<ResourceEvent<Resource>>| {
        let sink = Arc::clone(&sink);
        async move {
            let line = match &event.resource {
                Resource::CheckoutOrder(order) => format!(
                    "{} {} order {} {} ({:?}, v{:?})",
                    event.id,
                    event.event_type,
                    order.id,
                    order.status,
                    event.summary.as_deref(),
                    event.resource_version.as_deref()
                ),
                Resource::Unknown { event_type, object } => {
                    format!("{} unknown {event_type} {}", event.id, object["state"])
                }
                other => format!("unexpected {other:?}"),
            };
            if let Ok(mut seen) = sink.lock() {
                seen.push(line);
            }
            Ok(())
        }
    };
    let worker = Worker::new(Arc::clone(&inbox), handler, WorkerConfig::default());
    for _ in 0..2 {
        assert!(matches!(
            worker.process_one().await?,
            Processed::Completed { .. }
        ));
    }
    let mut seen = seen.lock().map_err(|_| "poisoned")?.clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            r#"WH-ORDER CHECKOUT.ORDER.APPROVED order 5O190127TN364715T APPROVED (Some("An order has been approved by buyer"), vSome("2.0"))"#,
            r#"WH-SALE unknown sale "completed""#,
        ]
    );
    Ok(())
}
