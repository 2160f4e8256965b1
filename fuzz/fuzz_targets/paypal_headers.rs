//! Arbitrary bytes split at NULs into PayPal's five signature headers (transmission id,
//! time, signature, certificate URL, algorithm): parsing, the signed message and
//! verification must return a typed verdict, never panic. The whole input is also offered to
//! the certificate-chain parser as a PEM text.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use std::sync::Arc;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use payforge::webhook::paypal::{
    AUTH_ALGO_HEADER, CERT_URL_HEADER, CertUrlPolicy, PaypalHeaders, TRANSMISSION_ID_HEADER,
    TRANSMISSION_SIG_HEADER, TRANSMISSION_TIME_HEADER, TrustAnchors,
};
use payforge::webhook::{PaypalCertificates, PaypalSignature, SignatureScheme};

const NAMES: [&str; 5] = [
    TRANSMISSION_ID_HEADER,
    TRANSMISSION_TIME_HEADER,
    TRANSMISSION_SIG_HEADER,
    CERT_URL_HEADER,
    AUTH_ALGO_HEADER,
];

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for (name, part) in NAMES.iter().zip(data.split(|byte| *byte == 0)) {
        if let Ok(value) = HeaderValue::from_bytes(part) {
            headers.insert(*name, value);
        }
    }
    if let Ok(parsed) = PaypalHeaders::parse(&headers) {
        let _ = parsed.signed_message("WH-FUZZ", data);
    }
    let certificates = PaypalCertificates::new(CertUrlPolicy::default(), TrustAnchors::default());
    let scheme = PaypalSignature::new("WH-FUZZ", Arc::new(certificates));
    let _ = scheme.verify(&headers, data, 1_705_312_801);
    let _ = TrustAnchors::default().verify_chain(data);
});
