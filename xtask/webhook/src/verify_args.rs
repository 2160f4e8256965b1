//! The command line of `webhook verify`, shared word for word by the xtask (which parses it,
//! answers `--help` and rejects a bad command line without building the runtime) and by this
//! package's binary (which verifies). The xtask includes this file with `#[path]`; a library
//! crate for one struct would cost the xtask a dependency on this package, and so the runtime.

use std::path::PathBuf;

/// The schemes `--provider` names.
pub const PROVIDERS: [&str; 3] = ["stripe", "standard-webhooks", "adyen"];

/// Check one delivery the way the receiver would, and say why it fails.
///
/// Prints `valid <event id> <event type>` (for adyen, `valid <N> items` and one line per
/// item) and exits 0, or `invalid (<kind>): <reason>` (for a batch, naming the item) and
/// `likely cause: …` lines and exits 1.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct VerifyArgs {
    /// The signature scheme: stripe, standard-webhooks or adyen.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: String,
    /// The environment variable holding the signing secret (for adyen, the hex HMAC key),
    /// read from the environment so it never appears in the shell history; repeat it for the
    /// secrets of a rotation.
    #[arg(long = "secret-env", value_name = "VAR", required = true)]
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
        if !self.payload.is_file() {
            return Err(format!(
                "the payload file {} does not exist (a relative path is relative to the \
                 workspace root)",
                self.payload.display()
            ));
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
        if let Some(now) = self.now {
            args.push(format!("--now={now}"));
        }
        if let Some(tolerance) = self.tolerance {
            args.push(format!("--tolerance={tolerance}"));
        }
        args
    }
}
