//! `cargo xtask webhook verify`: checks one delivery the way the receiver would, and says
//! why it fails and what probably caused it. The xtask parses the command line and runs this
//! binary (`cargo run -p xtask-webhook -- verify …`), which links the runtime without its
//! default features: verification and diagnosis need no HTTP client, store or receiver.
//!
//! ```text
//! cargo xtask webhook verify --provider stripe --secret-env STRIPE_WEBHOOK_SECRET \
//!     --header 't=1700000000,v1=…' --payload body.json [--now UNIX] [--tolerance SECONDS]
//! cargo xtask webhook verify --provider standard-webhooks --secret-env SECRET \
//!     --header 'webhook-id: msg_1' --header 'webhook-timestamp: 1700000000' \
//!     --header 'webhook-signature: v1,…' --payload body.json
//! cargo xtask webhook verify --provider adyen --secret-env ADYEN_HMAC_KEY --payload batch.json
//! cargo xtask webhook verify --provider adyen --secret-env ADYEN_HMAC_KEY \
//!     --header 'HmacSignature: …' --payload body.json
//! cargo xtask webhook verify --provider paypal --webhook-id 1JE4291016473214C \
//!     --headers-file headers.json --payload body.json --trust-cert chain.pem
//! ```
//!
//! `--secret-env` may repeat (secrets during a rotation); the secret is read from the
//! environment so it never appears in the shell history. Prints `valid <event id> <event
//! type>` (a batch: `valid <N> items`, then `<id> <type>` per item) and exits 0, or
//! `invalid (<kind>): <reason>` (a batch: `item <i> of the batch: …`) followed by
//! `likely cause: …` lines and exits 1.
//! Any other failure (an unset variable, an unreadable payload) is one line on stderr, exit 1.

mod paypal;
mod verify_args;

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use payforge::webhook::diagnosis::{
    BatchDiagnosis, Diagnosis, LikelyCause, diagnose_adyen, diagnose_standard_webhooks,
    diagnose_stripe,
};
use verify_args::VerifyArgs;

/// Webhook tools for debugging an endpoint.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask webhook", bin_name = "cargo xtask webhook")]
struct Cli {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    Verify(VerifyArgs),
}

fn main() -> ExitCode {
    let WebhookCommand::Verify(args) = Cli::parse().command;
    match args
        .check()
        .map_err(anyhow::Error::msg)
        .and_then(|()| verify(&args))
    {
        Ok(report) => {
            println!("{}", report.text);
            if report.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            // One line with every cause; `Debug` would add a backtrace under RUST_BACKTRACE.
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The verdict as printed, and whether it is valid.
#[derive(Debug, PartialEq, Eq)]
struct Report {
    text: String,
    valid: bool,
}

fn verify(args: &VerifyArgs) -> anyhow::Result<Report> {
    if args.provider == "paypal" {
        // No secret: the certificate chain is given with --trust-cert.
        return verify_with_secrets(args, &[]);
    }
    let secrets = args
        .secret_envs
        .iter()
        .map(|name| {
            std::env::var(name)
                .with_context(|| format!("the environment variable {name} is not set"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    verify_with_secrets(args, &secrets)
}

fn verify_with_secrets(args: &VerifyArgs, secrets: &[String]) -> anyhow::Result<Report> {
    let body = std::fs::read(&args.payload)
        .with_context(|| format!("cannot read the payload file {}", args.payload.display()))?;
    let now = args
        .now
        .unwrap_or_else(|| payforge::webhook::unix_millis() / 1000);
    let diagnosis = match args.provider.as_str() {
        "stripe" => {
            let header = args
                .headers
                .first()
                .map(|value| strip_header_name(value, "stripe-signature"));
            diagnose_stripe(secrets, header, &body, now, args.tolerance)?
        }
        "standard-webhooks" => {
            let pairs = args
                .headers
                .iter()
                .map(|header| {
                    header
                        .split_once(':')
                        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                        .with_context(|| format!("`{header}` is not `name: value`"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            diagnose_standard_webhooks(secrets, &pairs, &body, now, args.tolerance)?
        }
        "paypal" => return paypal::verify(args, body, now),
        "adyen" => {
            let header = args
                .headers
                .first()
                .map(|value| strip_header_name(value, "hmacsignature"));
            return Ok(render_batch(&diagnose_adyen(secrets, header, &body, now)?));
        }
        other => bail!(
            "unknown provider `{other}` (known: {})",
            verify_args::PROVIDERS.join(", ")
        ),
    };
    Ok(render(&diagnosis))
}

/// Accepts the header either as its bare value or as a copied `Name: value` line.
fn strip_header_name<'a>(header: &'a str, name: &str) -> &'a str {
    match header.split_once(':') {
        Some((prefix, value)) if prefix.trim().eq_ignore_ascii_case(name) => value.trim(),
        _ => header.trim(),
    }
}

fn render(diagnosis: &Diagnosis) -> Report {
    match &diagnosis.verdict {
        Ok(event) => Report {
            text: format!("valid {} {}", event.id, event.event_type),
            valid: true,
        },
        Err(error) => invalid(error, &diagnosis.likely_causes),
    }
}

/// `valid N items` and one `<id> <type>` line per item, or the rejection naming the item.
fn render_batch(diagnosis: &BatchDiagnosis) -> Report {
    match &diagnosis.verdict {
        Ok(events) => {
            let mut text = format!("valid {} items", events.len());
            for event in events {
                text.push_str(&format!("\n{} {}", event.id, event.event_type));
            }
            Report { text, valid: true }
        }
        Err(error) => invalid(error, &diagnosis.likely_causes),
    }
}

fn invalid(error: &payforge::webhook::VerificationError, causes: &[LikelyCause]) -> Report {
    let mut text = format!("invalid ({}): {error}", error.kind());
    for cause in causes {
        text.push_str(&format!("\nlikely cause: {cause}"));
    }
    Report { text, valid: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<VerifyArgs, clap::Error> {
        let words = ["cargo xtask webhook", "verify"].iter().chain(values);
        Cli::try_parse_from(words).map(|cli| {
            let WebhookCommand::Verify(args) = cli.command;
            args
        })
    }

    #[test]
    fn the_command_line_is_parsed_and_handed_on_unchanged() -> anyhow::Result<()> {
        let parsed = parse(&[
            "--provider",
            "stripe",
            "--secret-env",
            "A",
            "--secret-env",
            "B",
            "--header",
            "Stripe-Signature: t=1,v1=00",
            "--header",
            "-starts-with-a-dash",
            "--payload",
            "body.json",
            "--now",
            "-5",
        ])?;
        assert_eq!(parsed.secret_envs, ["A", "B"]);
        assert_eq!(parsed.now, Some(-5));
        assert_eq!(
            strip_header_name(&parsed.headers[0], "stripe-signature"),
            "t=1,v1=00"
        );
        let again: Vec<String> = parsed.to_args();
        let again: Vec<&str> = again.iter().map(String::as_str).collect();
        assert_eq!(parse(&again)?, parsed);
        assert!(parse(&["--provider", "stripe"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        Ok(())
    }

    #[test]
    fn an_unknown_provider_and_a_missing_payload_are_told_before_verifying() -> anyhow::Result<()> {
        let mut args = parse(&[
            "--provider",
            "square",
            "--secret-env",
            "S",
            "--payload",
            ".",
        ])?;
        assert_eq!(
            args.check(),
            Err(
                "unknown provider `square` (known: stripe, standard-webhooks, adyen, paypal)"
                    .to_owned()
            )
        );
        args.provider = "stripe".to_owned();
        args.payload = "no/such/body.json".into();
        let message = args.check().err().unwrap_or_default();
        assert!(message.starts_with("the payload file no/such/body.json does not exist"));
        Ok(())
    }

    #[test]
    fn a_delivery_is_verified_end_to_end() -> anyhow::Result<()> {
        let directory = std::env::temp_dir().join(format!("xtask-webhook-{}", std::process::id()));
        std::fs::create_dir_all(&directory)?;
        let payload = directory.join("body.json");
        let body = r#"{"id":"evt_1","type":"charge.succeeded","livemode":false}"#;
        std::fs::write(&payload, body)?;
        let header = payforge::webhook::StripeSignature::sign("whsec_x", 100, body.as_bytes());
        let secrets = vec!["whsec_x".to_owned()];
        let mut args = VerifyArgs {
            provider: "stripe".into(),
            secret_envs: vec!["UNUSED_HERE".into()],
            headers: vec![header],
            payload,
            now: Some(100),
            tolerance: None,
            webhook_id: None,
            headers_file: None,
            trust_cert: None,
        };
        assert_eq!(
            verify_with_secrets(&args, &secrets)?.text,
            "valid evt_1 charge.succeeded"
        );
        args.now = Some(100 + 3_600);
        let text = verify_with_secrets(&args, &secrets)?.text;
        assert!(text.starts_with("invalid (timestamp_too_old): "), "{text}");
        assert!(
            text.contains("likely cause: the signature is genuine but 1 h 0 min old"),
            "{text}"
        );
        std::fs::remove_dir_all(&directory)?;
        Ok(())
    }

    #[test]
    fn an_adyen_batch_reports_its_items_or_the_bad_one() -> anyhow::Result<()> {
        let key = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"; // audit:allow (Adyen's public test-suite key)
        let item = |psp: &str, value: u32| -> anyhow::Result<serde_json::Value> {
            let mut item = serde_json::json!({
                "pspReference": psp, "eventCode": "AUTHORISATION", "success": "true",
                "amount": { "value": 1000, "currency": "EUR" }, "additionalData": {},
            });
            let fields: payforge::webhook::NotificationItem = serde_json::from_value(item.clone())?;
            item["additionalData"]["hmacSignature"] =
                payforge::webhook::AdyenHmac::sign_item(key, &fields)?.into();
            item["amount"]["value"] = value.into();
            Ok(item)
        };
        let directory =
            std::env::temp_dir().join(format!("xtask-webhook-adyen-{}", std::process::id()));
        std::fs::create_dir_all(&directory)?;
        let payload = directory.join("batch.json");
        let mut args = VerifyArgs {
            provider: "adyen".into(),
            secret_envs: vec!["UNUSED_HERE".into()],
            headers: Vec::new(),
            payload: payload.clone(),
            now: None,
            tolerance: None,
            webhook_id: None,
            headers_file: None,
            trust_cert: None,
        };
        let batch = |items: Vec<serde_json::Value>| {
            let elements: Vec<_> = items
                .into_iter()
                .map(|item| serde_json::json!({ "NotificationRequestItem": item }))
                .collect();
            serde_json::json!({ "live": "false", "notificationItems": elements }).to_string()
        };
        let secrets = vec![key.to_owned()];
        std::fs::write(&payload, batch(vec![item("A", 1000)?, item("B", 1000)?]))?;
        assert_eq!(
            verify_with_secrets(&args, &secrets)?,
            Report {
                text: "valid 2 items\nA:AUTHORISATION:true AUTHORISATION\nB:AUTHORISATION:true AUTHORISATION".into(),
                valid: true,
            }
        );
        std::fs::write(&payload, batch(vec![item("A", 1000)?, item("B", 1)?]))?;
        let report = verify_with_secrets(&args, &secrets)?;
        assert!(!report.valid);
        assert!(
            report.text.starts_with(
                "invalid (no_matching_signature): item 1 of the batch: no signature matches"
            ),
            "{}",
            report.text
        );
        let body = br#"{"type":"merchant.created"}"#;
        std::fs::write(&payload, body)?;
        let signature = payforge::webhook::AdyenHmac::sign_body(key, body)?;
        args.headers = vec![format!("HmacSignature: {signature}")];
        let report = verify_with_secrets(&args, &secrets)?;
        assert!(
            report.valid && report.text.starts_with("valid 1 items\nsha256:"),
            "{}",
            report.text
        );
        std::fs::remove_dir_all(&directory)?;
        Ok(())
    }
}
