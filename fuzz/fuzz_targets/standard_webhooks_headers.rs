//! Arbitrary bytes split into `webhook-id`, `webhook-timestamp` and `webhook-signature`
//! (separated by NUL bytes): verification must return a typed verdict, never panic.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use payforge::webhook::{SignatureScheme, StandardWebhooks};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |byte| *byte == 0);
    let names = ["webhook-id", "webhook-timestamp", "webhook-signature"];
    let mut headers = HeaderMap::new();
    for name in names {
        if let Some(Ok(value)) = parts.next().map(HeaderValue::from_bytes) {
            headers.insert(name, value);
        }
    }
    let secret = "whsec_AAAA/AAAA+AAAA/AAAA+AAAA/AAAA+AA"; // audit:allow (a made-up test secret)
    let Ok(scheme) = StandardWebhooks::new([secret]) else {
        return;
    };
    let _ = scheme.verify(&headers, br#"{"test": 2432232314}"#, 1_614_265_330);
});
