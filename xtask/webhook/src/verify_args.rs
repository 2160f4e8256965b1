//! The command line of `webhook verify`, shared word for word by the xtask (which parses it,
//! answers `--help` and rejects a bad command line without building the runtime) and by this
//! package's binary (which verifies). The xtask includes this file with `#[path]`; a library
//! crate for one struct would cost the xtask a dependency on this package, and so the runtime.

use std::path::PathBuf;

/// The schemes `--provider` names.
pub const PROVIDERS: [&str; 4] = ["stripe", "standard-webhooks", "adyen", "paypal"];

/// Check one delivery the way the receiver would, and say why it fails.
///
/// Prints `valid <event id> <event type>` (for adyen, `valid <N> items` and one line per
/// item) and exits 0, or `invalid (<kind>): <reason>` (for a batch, naming the item) and
/// `likely cause: …` lines and exits 1. PayPal deliveries take `--webhook-id`,
/// `--headers-file` and `--trust-cert` instead of secrets and `--header`; the certificate
/// chain is given locally, never fetched.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct VerifyArgs {
    /// The signature scheme: stripe, standard-webhooks, adyen or paypal.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: String,
    /// The environment variable holding the signing secret (for adyen, the hex HMAC key),
    /// read from the environment so it never appears in the shell history; repeat it for the
    /// secrets of a rotation.
    #[arg(
        long = "secret-env",
        value_name = "VAR",
        required_unless_present = "webhook_id"
    )]
    pub secret_envs: Vec<String>,
    /// The signature header: for stripe its value or the copied `Stripe-Signature: …` line;
    /// for standard-webhooks `name: value`, given once each for webhook-id,
    /// webhook-timestamp and webhook-signature; for adyen `HmacSignature: …` for the
    /// body-signed webhooks (Management, Tokenization) and nothing for classic
    /// notifications, whose items carry their signatures inside.
    #[arg(long = "header", value_name = "VALUE", allow_hyphen_values = true)]
    pub headers: Vec<String>,
    /// The raw request body, absolute or relative to the workspace root.
    #[arg(long, value_name = "FILE")]
    pub payload: PathBuf,
    /// paypal: the webhook's id in the app's configuration (signed into every message; not
    /// the event's `WH-…` id).
    #[arg(long = "webhook-id", value_name = "ID")]
    pub webhook_id: Option<String>,
    /// paypal: the delivery's headers, as a JSON object `{"paypal-transmission-id": …}` or
    /// as copied `Name: value` lines.
    #[arg(long = "headers-file", value_name = "FILE")]
    pub headers_file: Option<PathBuf>,
    /// paypal: a PEM file with the certificate chain served at PAYPAL-CERT-URL (leaf first)
    /// and the root it must chain to; every certificate in it is trusted. The debugger never
    /// fetches certificates.
    #[arg(long = "trust-cert", value_name = "PEM")]
    pub trust_cert: Option<PathBuf>,
    /// Verify as of this time instead of now.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// How old a signature may be, in seconds (default: the scheme's, 300 s).
    #[arg(long, value_name = "SECONDS")]
    pub tolerance: Option<u64>,
}

impl VerifyArgs {
    /// Rejects what can be told before verifying: an unknown provider, a missing payload.
    pub fn check(&self) -> Result<(), String> {
        if !PROVIDERS.contains(&self.provider.as_str()) {
            return Err(format!(
                "unknown provider `{}` (known: {})",
                self.provider,
                PROVIDERS.join(", ")
            ));
        }
        if self.provider == "paypal" {
            self.check_paypal()?;
        }
        if !self.payload.is_file() {
            return Err(format!(
                "the payload file {} does not exist (a relative path is relative to the \
                 workspace root)",
                self.payload.display()
            ));
        }
        Ok(())
    }

    /// PayPal needs a webhook id, the headers and a locally given certificate chain.
    fn check_paypal(&self) -> Result<(), String> {
        if self.webhook_id.is_none() {
            return Err(
                "--provider paypal needs --webhook-id (the webhook's id in the app's \
                        configuration)"
                    .to_owned(),
            );
        }
        let Some(headers) = &self.headers_file else {
            return Err(
                "--provider paypal needs --headers-file with the PAYPAL-* headers".to_owned(),
            );
        };
        let Some(trust) = &self.trust_cert else {
            return Err(
                "--provider paypal needs --trust-cert PEM: the debugger never fetches \
                        certificates; save the chain served at PAYPAL-CERT-URL, check it, and \
                        pass it"
                    .to_owned(),
            );
        };
        for file in [headers, trust] {
            if !file.is_file() {
                return Err(format!("the file {} does not exist", file.display()));
            }
        }
        Ok(())
    }

    /// The arguments that parse back into `self`, for handing the command on to a process.
    // The xtask calls this; the verifier's binary, which includes this file too, only parses.
    #[allow(dead_code)]
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec!["--provider".to_owned(), self.provider.clone()];
        for name in &self.secret_envs {
            args.push(format!("--secret-env={name}"));
        }
        for header in &self.headers {
            // `--header=VALUE`, so that a value starting with `-` stays a value.
            args.push(format!("--header={header}"));
        }
        args.push(format!("--payload={}", self.payload.display()));
        if let Some(webhook_id) = &self.webhook_id {
            args.push(format!("--webhook-id={webhook_id}"));
        }
        for (flag, file) in [
            ("--headers-file", &self.headers_file),
            ("--trust-cert", &self.trust_cert),
        ] {
            if let Some(file) = file {
                args.push(format!("{flag}={}", file.display()));
            }
        }
        if let Some(now) = self.now {
            args.push(format!("--now={now}"));
        }
        if let Some(tolerance) = self.tolerance {
            args.push(format!("--tolerance={tolerance}"));
        }
        args
    }
}
