//! Arbitrary bytes as a correctly signed body: the verifier's envelope summary and the typed
//! event decoder must return a typed verdict, never panic.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use payforge::webhook::{Event, EventEnvelope, RawObject, StripeSignature, WebhookVerifier};

const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let _ = Event::<RawObject>::decode(data);
    let Ok(scheme) = StripeSignature::new(["whsec_fuzz"]) else {
        return;
    };
    let Ok(value) = HeaderValue::from_str(&StripeSignature::sign("whsec_fuzz", NOW, data)) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert("stripe-signature", value);
    let verifier = WebhookVerifier::new("stripe", scheme);
    if let Ok(verified) = verifier.verify(&headers, Bytes::copy_from_slice(data), NOW) {
        let _ = verified.decode::<Event<RawObject>>();
    }
});
