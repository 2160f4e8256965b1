//! Nothing secret reaches a log: every `tracing` event and span of real client runs
//! (all levels, down to trace) is captured and scanned for keys, card numbers and CVCs.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;
mod log_capture;

use std::sync::Arc;

use client_support::*;
use log_capture::Captured;
use payforge::journal::{LogicalKey, MemoryJournal};

#[tokio::test]
async fn no_key_card_number_or_cvc_reaches_the_logs() -> TestResult {
    let captured = Captured::install()?;
    let mut printed = Vec::new();

    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([
        Fault::error(500, "api_error", ""),
        Fault::DropAfterProcessing,
        Fault::error(402, "card_error", "incorrect_cvc"),
        Fault::Respond {
            status: 502,
            headers: Vec::new(),
            body: "<html>upstream</html>".to_owned(),
        },
    ]);
    let op = CreateCharge::new(4200);
    printed.push(format!("{op:?}"));
    printed.push(format!("{:?}", client.send(op.clone()).await));
    printed.push(format!(
        "{:?}",
        client
            .send_with_key(op.clone(), LogicalKey::new("order-1/charge")?)
            .await
    ));
    // A rotation after a 401, so the key path is exercised too.
    server.accept_only(&[KEY_B]);
    std::fs::write(&key, KEY_B)?;
    let after_rotation = client.send(op.clone()).await;
    printed.push(format!("{after_rotation:?}"));
    if let Err(error) = &after_rotation {
        printed.push(error.to_string());
    }
    printed.push(format!("{client:?}"));

    let logs = captured.text();
    assert!(
        logs.contains("payforge.request"),
        "the request spans were captured:\n{logs}"
    );
    assert!(logs.contains("idempotency_key"), "{logs}");
    assert!(
        server.seen().iter().any(|s| s.body.contains(CARD_NUMBER)),
        "the card did go on the wire"
    );
    for text in printed.iter().chain([&logs]) {
        assert_no_secrets(text);
    }
    Ok(())
}

fn assert_no_secrets(text: &str) {
    for pattern in ["sk_test_", "sk_live_", "rk_test_", "rk_live_", "whsec_"] {
        assert!(
            !text.contains(pattern),
            "a key pattern `{pattern}` leaked:\n{text}"
        );
    }
    for run in digit_runs(text) {
        assert!(
            !(13..=19).contains(&run.len()),
            "a card-number-like run {run} leaked:\n{text}"
        );
        assert_ne!(run, CVC, "the CVC leaked:\n{text}");
    }
}

/// Maximal runs of digits standing alone (not inside an identifier, and not the fraction
/// of a decimal such as a latency).
fn digit_runs(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate().chain([(bytes.len(), &b' ')]) {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let before = s.checked_sub(1).map(|p| bytes[p]);
                let inside_word = before
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_')
                    || b.is_ascii_alphabetic();
                if !inside_word {
                    runs.push(&text[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

#[test]
fn the_scanner_finds_what_it_looks_for() {
    assert_eq!(
        digit_runs("card 4000056655665556, cvc=9317 latency=12.12345678901234 ab12"),
        ["4000056655665556", "9317", "12"]
    );
    let leaked =
        std::panic::catch_unwind(|| assert_no_secrets("Authorization: Bearer sk_test_abc"));
    assert!(leaked.is_err());
}
