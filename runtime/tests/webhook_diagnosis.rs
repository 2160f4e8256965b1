//! The diagnosis behind `cargo xtask webhook verify`: the precise rejection and its likely
//! cause, for the mistakes people actually make.

use payforge::webhook::StripeSignature;
use payforge::webhook::VerificationError;
use payforge::webhook::diagnosis::{
    LikelyCause, ValidEvent, diagnose_standard_webhooks, diagnose_stripe,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SECRET: &str = "whsec_endpoint_secret";
const NOW: i64 = 1_700_000_000;

/// Stripe sends events pretty-printed with two-space indentation.
const BODY: &str = r#"{
  "id": "evt_1",
  "object": "event",
  "type": "payment_intent.succeeded",
  "livemode": true,
  "data": {
    "object": {
      "id": "pi_1",
      "amount": 2000
    }
  }
}"#;

fn secrets(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[test]
fn each_mistake_is_named() -> TestResult {
    let header = StripeSignature::sign(SECRET, NOW, BODY.as_bytes());
    let compact = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(BODY)?)?;
    let stale_header = StripeSignature::sign(SECRET, NOW - 754, BODY.as_bytes());
    struct Case<'a> {
        name: &'a str,
        secrets: Vec<String>,
        header: Option<&'a str>,
        body: &'a str,
        verdict: Result<(&'a str, &'a str), VerificationError>,
        causes: Vec<LikelyCause>,
    }
    let cases = [
        Case {
            name: "valid",
            secrets: secrets(&[SECRET]),
            header: Some(&header),
            body: BODY,
            verdict: Ok(("evt_1", "payment_intent.succeeded")),
            causes: vec![],
        },
        Case {
            name: "a framework parsed and re-serialised the body",
            secrets: secrets(&[SECRET]),
            header: Some(&header),
            body: &compact,
            verdict: Err(VerificationError::NoMatchingSignature),
            causes: vec![LikelyCause::BodyModified {
                transformation: "the signed body was the JSON's pretty-printed form",
            }],
        },
        Case {
            name: "a replay minutes later",
            secrets: secrets(&[SECRET]),
            header: Some(&stale_header),
            body: BODY,
            verdict: Err(VerificationError::TimestampTooOld {
                age: 754,
                tolerance: 300,
            }),
            causes: vec![LikelyCause::StaleDelivery { age_seconds: 754 }],
        },
        Case {
            name: "the secret of another endpoint or mode",
            secrets: secrets(&["whsec_test_mode_secret"]),
            header: Some(&header),
            body: BODY,
            verdict: Err(VerificationError::NoMatchingSignature),
            causes: vec![LikelyCause::SecretOfAnotherEndpoint {
                livemode: Some(true),
            }],
        },
        Case {
            name: "an API key instead of the signing secret",
            secrets: secrets(&["sk_test_123"]),
            header: Some(&header),
            body: BODY,
            verdict: Err(VerificationError::NoMatchingSignature),
            causes: vec![LikelyCause::SecretNotASigningSecret {
                expected_prefix: "whsec_",
            }],
        },
        Case {
            name: "a pasted secret with a newline",
            secrets: secrets(&["whsec_endpoint_secret\n"]),
            header: Some(&header),
            body: BODY,
            verdict: Err(VerificationError::NoMatchingSignature),
            causes: vec![LikelyCause::SecretHasWhitespace],
        },
        Case {
            name: "no header",
            secrets: secrets(&[SECRET]),
            header: None,
            body: BODY,
            verdict: Err(VerificationError::MissingHeader {
                header: "Stripe-Signature",
            }),
            causes: vec![],
        },
    ];
    for case in cases {
        let diagnosis =
            diagnose_stripe(&case.secrets, case.header, case.body.as_bytes(), NOW, None)?;
        let expected = case.verdict.map(|(id, event_type)| ValidEvent {
            id: id.into(),
            event_type: event_type.into(),
        });
        assert_eq!(diagnosis.verdict, expected, "{}", case.name);
        assert_eq!(diagnosis.likely_causes, case.causes, "{}", case.name);
    }
    Ok(())
}

#[test]
fn a_removed_trailing_newline_is_spotted() -> TestResult {
    let signed = format!("{BODY}\n");
    let header = StripeSignature::sign(SECRET, NOW, signed.as_bytes());
    let diagnosis = diagnose_stripe(
        &secrets(&[SECRET]),
        Some(&header),
        BODY.as_bytes(),
        NOW,
        None,
    )?;
    assert_eq!(
        diagnosis.likely_causes,
        vec![LikelyCause::BodyModified {
            transformation: "a trailing newline was removed"
        }]
    );
    Ok(())
}

#[test]
fn causes_read_as_advice() {
    let text = LikelyCause::StaleDelivery { age_seconds: 754 }.to_string();
    assert_eq!(
        text,
        "the signature is genuine but 12 min 34 s old: a replayed or long-queued delivery, or this machine's clock is behind"
    );
}

#[test]
fn standard_webhooks_deliveries_are_diagnosed_too() -> TestResult {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // audit:allow (the Standard Webhooks spec's public example secret)
    let body = r#"{"id":"evt_sw","type":"invoice.paid"}"#;
    let signature =
        payforge::webhook::StandardWebhooks::sign(secret, "msg_1", NOW, body.as_bytes())?;
    let headers = [
        ("webhook-id", "msg_1"),
        ("Webhook-Timestamp", &NOW.to_string()),
        ("webhook-signature", &signature),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()));
    let diagnosis = diagnose_standard_webhooks(
        &secrets(&[secret]),
        &headers,
        body.as_bytes(),
        NOW + 400,
        None,
    )?;
    assert_eq!(
        diagnosis.verdict,
        Err(VerificationError::TimestampTooOld {
            age: 400,
            tolerance: 300
        })
    );
    let diagnosis =
        diagnose_standard_webhooks(&secrets(&[secret]), &headers, body.as_bytes(), NOW, None)?;
    assert_eq!(
        diagnosis.verdict,
        Ok(ValidEvent {
            id: "evt_sw".into(),
            event_type: "invoice.paid".into()
        })
    );
    Ok(())
}
