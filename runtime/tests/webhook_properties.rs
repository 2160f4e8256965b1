//! Properties of verification: any single changed byte in the body, the signature header or
//! the secret makes a valid delivery invalid; and arbitrary input never panics the header
//! parsers or the event decoder (a bounded fuzz run that CI always executes).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use payforge::webhook::{
    Event, EventEnvelope, RawObject, SignatureScheme, StandardSignatureHeaders, StandardWebhooks,
    StripeSignature, StripeSignatureHeader, WebhookVerifier,
};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;
const SECRET: &str = "whsec_test_secret";
const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // audit:allow (the Standard Webhooks spec's public example secret)

fn stripe_headers(value: &[u8]) -> Option<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert("stripe-signature", HeaderValue::from_bytes(value).ok()?);
    Some(headers)
}

fn flip(bytes: &mut [u8], index: usize, mask: u8) {
    let index = index % bytes.len();
    bytes[index] ^= mask;
}

fn json_body() -> impl Strategy<Value = Vec<u8>> {
    ("[a-z_]{1,12}", "[ -~]{0,200}").prop_map(|(id, text)| {
        serde_json::json!({ "id": format!("evt_{id}"), "type": "charge.succeeded", "note": text })
            .to_string()
            .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_flipped_body_byte_is_rejected(body in json_body(), index in any::<usize>(), mask in 1u8..) {
        let scheme = StripeSignature::new([SECRET]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let header = StripeSignature::sign(SECRET, NOW, &body);
        let headers = stripe_headers(header.as_bytes()).ok_or_else(|| TestCaseError::fail("header"))?;
        prop_assert!(scheme.verify(&headers, &body, NOW).is_ok());
        let mut tampered = body.clone();
        flip(&mut tampered, index, mask);
        prop_assert!(scheme.verify(&headers, &tampered, NOW).is_err());
    }

    #[test]
    fn a_flipped_header_byte_is_rejected(body in json_body(), index in any::<usize>(), mask in 1u8..) {
        let scheme = StripeSignature::new([SECRET]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut header = StripeSignature::sign(SECRET, NOW, &body).into_bytes();
        flip(&mut header, index, mask);
        // A byte that HTTP cannot carry in a header never reaches the verifier at all.
        if let Some(headers) = stripe_headers(&header) {
            prop_assert!(scheme.verify(&headers, &body, NOW).is_err(), "{}", String::from_utf8_lossy(&header));
        }
    }

    #[test]
    fn a_flipped_secret_byte_is_rejected(body in json_body(), index in any::<usize>(), mask in 1u8..) {
        let header = StripeSignature::sign(SECRET, NOW, &body);
        let headers = stripe_headers(header.as_bytes()).ok_or_else(|| TestCaseError::fail("header"))?;
        let mut secret = SECRET.as_bytes().to_vec();
        flip(&mut secret, index, mask);
        let secret = String::from_utf8_lossy(&secret).into_owned();
        let scheme = StripeSignature::new([secret]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(scheme.verify(&headers, &body, NOW).is_err());
    }

    #[test]
    fn a_flipped_standard_webhooks_byte_is_rejected(
        body in json_body(), part in 0usize..4, index in any::<usize>(), mask in 1u8..,
    ) {
        let signature = StandardWebhooks::sign(STANDARD_SECRET, "msg_1", NOW, &body)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (mut id, mut signature, mut body) = (b"msg_1".to_vec(), signature.into_bytes(), body);
        let mut secret = STANDARD_SECRET.as_bytes().to_vec();
        match part {
            0 => flip(&mut id, index, mask),
            1 => flip(&mut signature, index, mask),
            2 => flip(&mut body, index, mask),
            _ => flip(&mut secret, index, mask),
        }
        let mut headers = HeaderMap::new();
        headers.insert("webhook-timestamp", HeaderValue::from(NOW));
        let (Ok(id), Ok(signature)) = (HeaderValue::from_bytes(&id), HeaderValue::from_bytes(&signature)) else {
            return Ok(());
        };
        headers.insert("webhook-id", id);
        headers.insert("webhook-signature", signature);
        // A secret that no longer parses is refused when the verifier is built: also a rejection.
        let Ok(scheme) = StandardWebhooks::new([String::from_utf8_lossy(&secret)]) else {
            return Ok(());
        };
        prop_assert!(scheme.verify(&headers, &body, NOW).is_err());
    }
}

proptest! {
    // The bounded fuzz run: arbitrary text and bytes through every parser. The cargo-fuzz
    // targets under `fuzz/` explore the same entry points without a bound.
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn the_stripe_header_parser_never_panics(value in "\\PC{0,120}", raw in "[tv01=,a-f0-9 ]{0,120}") {
        let _ = StripeSignatureHeader::parse(&value);
        let _ = StripeSignatureHeader::parse(&raw);
    }

    #[test]
    fn the_standard_signature_parser_never_panics(value in "\\PC{0,160}") {
        let mut headers = StandardSignatureHeaders {
            message_id: String::new(), timestamp: 0, v1: Vec::new(), v1a: Vec::new(),
        };
        headers.add_signatures(&value);
    }

    #[test]
    fn the_event_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Event::<RawObject>::decode(&bytes);
    }

    #[test]
    fn the_verifier_never_panics_on_arbitrary_bodies(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let scheme = StripeSignature::new([SECRET]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let verifier = WebhookVerifier::new("stripe", scheme);
        let header = StripeSignature::sign(SECRET, NOW, &bytes);
        let headers = stripe_headers(header.as_bytes()).ok_or_else(|| TestCaseError::fail("header"))?;
        let _ = verifier.verify(&headers, Bytes::from(bytes), NOW);
    }
}
