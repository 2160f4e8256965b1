//! `cargo xtask webhook verify`: checks one delivery the way the receiver would, and says
//! why it fails and what probably caused it.
//!
//! ```text
//! cargo xtask webhook verify --provider stripe --secret-env STRIPE_WEBHOOK_SECRET \
//!     --header 't=1700000000,v1=…' --payload body.json [--now UNIX] [--tolerance SECONDS]
//! cargo xtask webhook verify --provider standard-webhooks --secret-env SECRET \
//!     --header 'webhook-id: msg_1' --header 'webhook-timestamp: 1700000000' \
//!     --header 'webhook-signature: v1,…' --payload body.json
//! ```
//!
//! `--secret-env` may repeat (secrets during a rotation); the secret is read from the
//! environment so it never appears in the shell history. Prints `valid <event id> <event
//! type>` and exits 0, or `invalid: <reason>` followed by `likely cause: …` lines and exits 1.

use anyhow::{Context, bail};
use payforge::webhook::diagnosis::{Diagnosis, diagnose_standard_webhooks, diagnose_stripe};

const USAGE: &str = "usage: cargo xtask webhook verify --provider stripe|standard-webhooks \
--secret-env VAR [--secret-env VAR…] --header VALUE [--header …] --payload FILE \
[--now UNIX_SECONDS] [--tolerance SECONDS]";

/// The parsed command line of `webhook verify`.
#[derive(Debug, Default, PartialEq, Eq)]
struct VerifyArgs {
    provider: String,
    secret_envs: Vec<String>,
    headers: Vec<String>,
    payload: String,
    now: Option<i64>,
    tolerance: Option<u64>,
}

/// Runs `webhook <subcommand>`. An invalid delivery exits with status 1 after printing why.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("verify") => {
            let args = parse_verify(&args[1..])?;
            let diagnosis = verify(&args)?;
            println!("{}", render(&diagnosis));
            if diagnosis.verdict.is_err() {
                std::process::exit(1);
            }
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

fn parse_verify(args: &[String]) -> anyhow::Result<VerifyArgs> {
    let mut parsed = VerifyArgs::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--provider" => parsed.provider = value()?,
            "--secret-env" => parsed.secret_envs.push(value()?),
            "--header" => parsed.headers.push(value()?),
            "--payload" => parsed.payload = value()?,
            "--now" => parsed.now = Some(value()?.parse().context("--now takes Unix seconds")?),
            "--tolerance" => {
                parsed.tolerance = Some(value()?.parse().context("--tolerance takes seconds")?);
            }
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    if parsed.provider.is_empty() || parsed.secret_envs.is_empty() || parsed.payload.is_empty() {
        bail!("--provider, --secret-env and --payload are required\n{USAGE}");
    }
    Ok(parsed)
}

fn verify(args: &VerifyArgs) -> anyhow::Result<Diagnosis> {
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

fn verify_with_secrets(args: &VerifyArgs, secrets: &[String]) -> anyhow::Result<Diagnosis> {
    let body = std::fs::read(&args.payload)
        .with_context(|| format!("cannot read the payload file {}", args.payload))?;
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
        other => bail!("unknown provider `{other}` (known: stripe, standard-webhooks)"),
    };
    Ok(diagnosis)
}

/// Accepts the header either as its bare value or as a copied `Name: value` line.
fn strip_header_name<'a>(header: &'a str, name: &str) -> &'a str {
    match header.split_once(':') {
        Some((prefix, value)) if prefix.trim().eq_ignore_ascii_case(name) => value.trim(),
        _ => header.trim(),
    }
}

fn render(diagnosis: &Diagnosis) -> String {
    match &diagnosis.verdict {
        Ok(event) => format!("valid {} {}", event.id, event.event_type),
        Err(error) => {
            let mut text = format!("invalid ({}): {error}", error.kind());
            for cause in &diagnosis.likely_causes {
                text.push_str(&format!("\nlikely cause: {cause}"));
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn the_command_line_is_parsed() -> anyhow::Result<()> {
        let args = strings(&[
            "--provider",
            "stripe",
            "--secret-env",
            "A",
            "--secret-env",
            "B",
            "--header",
            "Stripe-Signature: t=1,v1=00",
            "--payload",
            "body.json",
            "--now",
            "5",
        ]);
        let parsed = parse_verify(&args)?;
        assert_eq!(parsed.secret_envs, strings(&["A", "B"]));
        assert_eq!(parsed.now, Some(5));
        assert_eq!(
            strip_header_name(&parsed.headers[0], "stripe-signature"),
            "t=1,v1=00"
        );
        assert!(parse_verify(&strings(&["--provider", "stripe"])).is_err());
        assert!(parse_verify(&strings(&["--bogus"])).is_err());
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
            payload: payload.display().to_string(),
            now: Some(100),
            tolerance: None,
        };
        assert_eq!(
            render(&verify_with_secrets(&args, &secrets)?),
            "valid evt_1 charge.succeeded"
        );
        args.now = Some(100 + 3_600);
        let text = render(&verify_with_secrets(&args, &secrets)?);
        assert!(text.starts_with("invalid (timestamp_too_old): "), "{text}");
        assert!(
            text.contains("likely cause: the signature is genuine but 1 h 0 min old"),
            "{text}"
        );
        std::fs::remove_dir_all(&directory)?;
        Ok(())
    }
}
