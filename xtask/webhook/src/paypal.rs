//! `--provider paypal`: verifies a delivery against a certificate chain given locally
//! (`--trust-cert`), and explains a failure: which certificate, which part of the signed
//! message, or what was stale.

use std::sync::Arc;

use anyhow::{Context, bail};
use payforge::webhook::paypal::{CertUrlPolicy, PAYPAL_CERT_HOSTS, PaypalHeaders, TrustAnchors};
use payforge::webhook::{
    PaypalCertificates, PaypalSignature, Tolerance, VerificationError, WebhookVerifier,
};

use crate::Report;
use crate::verify_args::VerifyArgs;

/// Verifies the delivery `args` describe at `now`.
pub fn verify(args: &VerifyArgs, body: Vec<u8>, now: i64) -> anyhow::Result<Report> {
    let webhook_id = args
        .webhook_id
        .as_deref()
        .context("--webhook-id is required")?;
    let headers_file = args
        .headers_file
        .as_ref()
        .context("--headers-file is required")?;
    let trust = args
        .trust_cert
        .as_ref()
        .context("--trust-cert is required")?;
    let text = std::fs::read_to_string(headers_file)
        .with_context(|| format!("cannot read the headers file {}", headers_file.display()))?;
    let headers = header_map(&text)?;
    let pem = std::fs::read(trust)
        .with_context(|| format!("cannot read the certificate file {}", trust.display()))?;
    let parsed = match PaypalHeaders::parse(&headers) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(invalid(&error, Vec::new())),
    };
    let anchors = TrustAnchors::from_pem(&pem)
        .with_context(|| format!("{} holds no usable certificate", trust.display()))?;
    let certificates = PaypalCertificates::new(CertUrlPolicy::default(), anchors);
    if let Err(error) = certificates.insert_pem(&parsed.cert_url, &pem) {
        let hosts = format!(
            "the accepted hosts are {} over https",
            PAYPAL_CERT_HOSTS.join(", ")
        );
        return Ok(Report {
            text: format!(
                "invalid (certificate): {error}\nlikely cause: {hosts}, and the chain in {} must lead to a certificate it holds",
                trust.display()
            ),
            valid: false,
        });
    }
    let tolerance = Tolerance::symmetric(args.tolerance.unwrap_or(Tolerance::DEFAULT_SECONDS));
    let scheme = PaypalSignature::new(webhook_id, Arc::new(certificates)).with_tolerance(tolerance);
    let subject = scheme
        .certificates()
        .get(&parsed.cert_url)
        .map(|chain| chain.subject().to_owned())
        .unwrap_or_default();
    let causes = |error: &VerificationError| explain(error, &parsed, webhook_id, &body, &subject);
    let verifier = WebhookVerifier::new("paypal", scheme);
    Ok(match verifier.verify(&headers, body.clone().into(), now) {
        Ok(event) => Report {
            text: format!(
                "valid {} {}",
                event.event_id(),
                event.event_type().unwrap_or("(no event_type)")
            ),
            valid: true,
        },
        Err(error) => invalid(&error, causes(&error)),
    })
}

/// The likely causes of a rejection, naming the certificate or the part of the message.
fn explain(
    error: &VerificationError,
    headers: &PaypalHeaders,
    webhook_id: &str,
    body: &[u8],
    subject: &str,
) -> Vec<String> {
    match error {
        VerificationError::NoMatchingSignature => {
            let mut causes = vec![format!(
                "the signed message was `{}` (transmission id | transmission time | webhook id | CRC32 of the {} body bytes)",
                headers.signed_message(webhook_id, body),
                body.len()
            )];
            let event_id = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|value| value["id"].as_str().map(str::to_owned));
            if event_id.as_deref() == Some(webhook_id) {
                causes.push("--webhook-id is the event's id; PayPal signs the id of the webhook in the app's configuration".to_owned());
            } else {
                causes.push(format!(
                    "the webhook id `{webhook_id}` is not the one this webhook was registered with"
                ));
            }
            causes.push("the body was re-serialised or altered: the CRC32 must be over the raw bytes as received".to_owned());
            causes.push(format!(
                "the certificate `{subject}` ({}) is not the key that signed it",
                headers.cert_url
            ));
            causes
        }
        VerificationError::TimestampTooOld { .. } | VerificationError::TimestampTooNew { .. } => {
            vec![format!(
                "the transmission time is `{}`; replaying an old delivery? pass --now {}",
                headers.transmission_time, headers.timestamp
            )]
        }
        VerificationError::CertificateExpired { subject, .. } => vec![format!(
            "the certificate `{subject}` from {} is outside its validity period at the verification time",
            headers.cert_url
        )],
        _ => Vec::new(),
    }
}

fn invalid(error: &VerificationError, causes: Vec<String>) -> Report {
    let mut text = format!("invalid ({}): {error}", error.kind());
    for cause in causes {
        text.push_str(&format!("\nlikely cause: {cause}"));
    }
    Report { text, valid: false }
}

/// Headers from a JSON object of strings, or from `Name: value` lines.
fn header_map(text: &str) -> anyhow::Result<http::HeaderMap> {
    let pairs: Vec<(String, String)> = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(object)) => object
            .into_iter()
            .map(|(name, value)| match value {
                serde_json::Value::String(value) => Ok((name, value)),
                other => bail!("header `{name}` is not a string: {other}"),
            })
            .collect::<anyhow::Result<_>>()?,
        _ => text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                line.split_once(':')
                    .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                    .with_context(|| format!("`{line}` is not `Name: value`"))
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in pairs {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .with_context(|| format!("`{name}` is not a header name"))?;
        let value = http::HeaderValue::from_str(&value)
            .with_context(|| format!("the value of `{name}` is not a header value"))?;
        headers.insert(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn vectors() -> anyhow::Result<serde_json::Value> {
        let dir = match std::env::var_os("PAYFORGE_VECTORS_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => match std::env::var_os("PAYFORGE_SPECS_DIR") {
                Some(specs) => PathBuf::from(specs).join("../vectors"),
                None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
            },
        };
        let text = std::fs::read_to_string(dir.join("paypal-rsa.json"))
            .context("cannot read paypal-rsa.json")?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Writes a vector's headers, payload and the test certificate; the arguments naming them.
    fn files(
        directory: &Path,
        vector: &serde_json::Value,
        pem: &str,
    ) -> anyhow::Result<VerifyArgs> {
        std::fs::create_dir_all(directory)?;
        let headers = directory.join("headers.json");
        std::fs::write(&headers, vector["headers"].to_string())?;
        let payload = directory.join("body.json");
        std::fs::write(&payload, vector["payload"].as_str().context("payload")?)?;
        let trust = directory.join("chain.pem");
        std::fs::write(&trust, pem)?;
        Ok(VerifyArgs {
            provider: "paypal".into(),
            secret_envs: Vec::new(),
            headers: Vec::new(),
            payload,
            now: Some(1_705_312_801),
            tolerance: None,
            webhook_id: vector["webhook_id"].as_str().map(str::to_owned),
            headers_file: Some(headers),
            trust_cert: Some(trust),
        })
    }

    fn run(args: &VerifyArgs) -> anyhow::Result<Report> {
        args.check().map_err(anyhow::Error::msg)?;
        crate::verify_with_secrets(args, &[])
    }

    #[test]
    fn vectors_verify_or_say_which_part_of_the_message_is_wrong() -> anyhow::Result<()> {
        let file = vectors()?;
        let pem = file["test_certificate_pem"].as_str().context("pem")?;
        let vectors = file["vectors"].as_array().context("vectors")?;
        let by_id = |id: &str| {
            vectors
                .iter()
                .find(|vector| vector["id"] == id)
                .context("vector")
        };
        let directory = std::env::temp_dir().join(format!("xtask-paypal-{}", std::process::id()));
        let mut args = files(&directory, by_id("valid")?, pem)?;
        assert_eq!(
            run(&args)?,
            Report {
                text: "valid WH-2WR32451HC0233532-67976317FL4543714 PAYMENT.CAPTURE.COMPLETED"
                    .into(),
                valid: true
            }
        );
        args.now = Some(1_705_312_801 + 3_600);
        let report = run(&args)?;
        assert!(
            report.text.starts_with("invalid (timestamp_too_old): "),
            "{}",
            report.text
        );
        assert!(
            report.text.contains("pass --now 1705312801"),
            "{}",
            report.text
        );

        let args = files(&directory, by_id("wrong_webhook_id")?, pem)?;
        let report = run(&args)?;
        assert!(
            report.text.starts_with("invalid (no_matching_signature)"),
            "{}",
            report.text
        );
        assert!(
            report.text.contains("--webhook-id is the event's id"),
            "{}",
            report.text
        );

        let args = files(&directory, by_id("tampered_body")?, pem)?;
        let report = run(&args)?;
        assert!(
            report.text.contains("|1JE4291016473214C|1645521375`"),
            "{}",
            report.text
        );
        assert!(
            report.text.contains("paypal-webhook-test-vectors.invalid"),
            "{}",
            report.text
        );

        let mut outside = by_id("valid")?.clone();
        outside["headers"]["paypal-cert-url"] = "https://certs.example/c.pem".into();
        let report = run(&files(&directory, &outside, pem)?)?;
        assert!(
            report.text.starts_with(
                "invalid (certificate): certificate URL `https://certs.example/c.pem` refused"
            ),
            "{}",
            report.text
        );
        std::fs::remove_dir_all(&directory)?;
        Ok(())
    }

    #[test]
    fn paypal_needs_its_three_flags() -> anyhow::Result<()> {
        let args = VerifyArgs {
            provider: "paypal".into(),
            secret_envs: Vec::new(),
            headers: Vec::new(),
            payload: "Cargo.toml".into(),
            now: None,
            tolerance: None,
            webhook_id: Some("WH".into()),
            headers_file: Some("Cargo.toml".into()),
            trust_cert: None,
        };
        let message = args.check().err().unwrap_or_default();
        assert!(message.contains("needs --trust-cert"), "{message}");
        Ok(())
    }
}
