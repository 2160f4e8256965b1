//! Arbitrary bytes as an Adyen classic notification body: parsing the batch, verifying every
//! item and splitting it into events must return a typed verdict, never panic.
// `fuzz_target!` expands to an exported `extern "C"` entry point, so this crate cannot
// forbid unsafe code the way the workspace does.
#![no_main]

use bytes::Bytes;
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use payforge::webhook::{AdyenHmac, NotificationBatch, WebhookVerifier};

const KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = NotificationBatch::parse(data) {
        for element in &batch.items {
            let _ = element.item.signing_string();
        }
    }
    let Ok(scheme) = AdyenHmac::notification_items([KEY]) else {
        return;
    };
    let verifier = WebhookVerifier::new("adyen", scheme);
    if let Ok(batch) = verifier.verify_batch(&HeaderMap::new(), Bytes::copy_from_slice(data), 0) {
        // Every item of a verified batch is a slice of the body it came in.
        for item in batch.items() {
            assert!(item.body().len() <= data.len());
        }
    }
});
