//! Arbitrary bytes split at the first NUL into an `HmacSignature` header value and a body:
//! verification must return a typed verdict (a wrong-length or non-base64 signature is "no
//! matching signature"), never panic.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use payforge::webhook::{AdyenHmac, HMAC_SIGNATURE_HEADER, SignatureScheme};

const KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |byte| *byte == 0);
    let mut headers = HeaderMap::new();
    if let Some(Ok(value)) = parts.next().map(HeaderValue::from_bytes) {
        headers.insert(HMAC_SIGNATURE_HEADER, value);
    }
    let body = parts.next().unwrap_or_default();
    let Ok(scheme) = AdyenHmac::body_header([KEY]) else {
        return;
    };
    let _ = scheme.verify(&headers, body, 0);
});
