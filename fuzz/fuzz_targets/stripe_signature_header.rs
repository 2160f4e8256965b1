//! Arbitrary bytes as a `Stripe-Signature` header: parsing and verification must return a
//! typed verdict, never panic.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use payforge::webhook::{SignatureScheme, StripeSignature, StripeSignatureHeader};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = StripeSignatureHeader::parse(text);
    }
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let Ok(scheme) = StripeSignature::new(["whsec_fuzz"]) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert("stripe-signature", value);
    let _ = scheme.verify(&headers, br#"{"id":"evt_fuzz"}"#, 1_700_000_000);
});
