//! Where a flow runs: the local sandbox or Stripe's test mode, and the client set up for it.

use std::time::Duration;

use futures::future::BoxFuture;
use payforge::SecretKey;
use payforge::client::{Client, Environment};
use payforge::journal::{IdempotencyJournal, LogicalKey};
use payforge::retry::RetryPolicy;
use payforge::secrets::{EnvSecretProvider, SecretError, SecretProvider};
use payforge_sandbox::{RunningSandbox, Sandbox};
use payforge_stripe::Stripe;

use super::{SandboxAdmin, TestResult};

/// The test-mode key every suite sends to the local sandbox. The sandbox accepts any
/// `sk_test_` key; this one is not a secret of anyone's.
pub const SANDBOX_KEY: &str = "sk_test_payforge_flows";

/// The environment variable holding a Stripe test-mode secret key; when set, the suite also
/// runs against Stripe's test mode.
pub const STRIPE_TEST_KEY_ENV: &str = "STRIPE_TEST_SECRET_KEY";

/// Where the flows run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A `payforge-sandbox` started in-process on 127.0.0.1:0.
    Sandbox,
    /// Stripe's own API in test mode, with the key from [`STRIPE_TEST_KEY_ENV`].
    StripeTestMode,
}

impl Target {
    /// Stripe's test mode when [`STRIPE_TEST_KEY_ENV`] is set and not empty.
    pub fn stripe_test_mode_from_env() -> Option<Self> {
        std::env::var(STRIPE_TEST_KEY_ENV)
            .ok()
            .filter(|key| !key.trim().is_empty())
            .map(|_| Target::StripeTestMode)
    }
}

/// The secret source of a client talking to the local sandbox: always [`SANDBOX_KEY`].
pub fn sandbox_key() -> impl SecretProvider {
    SandboxKey
}

struct SandboxKey;

impl SecretProvider for SandboxKey {
    fn fetch(&self) -> BoxFuture<'_, Result<SecretKey, SecretError>> {
        Box::pin(async { SecretKey::insecure_from_literal(SANDBOX_KEY) })
    }

    fn describe(&self) -> String {
        "the local sandbox's fixed test key".to_owned()
    }
}

/// One flow's world: a client for the target and, on the sandbox, its admin surface.
pub struct FlowEnv {
    target: Target,
    client: Client<Stripe>,
    sandbox: Option<(RunningSandbox, SandboxAdmin)>,
    run_id: String,
}

impl FlowEnv {
    /// Starts a sandbox (for [`Target::Sandbox`]) and builds a client for the target with an
    /// in-memory journal.
    pub async fn start(target: Target) -> TestResult<Self> {
        let run_id = uuid::Uuid::new_v4().simple().to_string();
        match target {
            Target::Sandbox => {
                let sandbox = Sandbox::builder()
                    .webhook_retry_delays(vec![
                        Duration::from_millis(20),
                        Duration::from_millis(40),
                        Duration::from_millis(80),
                    ])
                    .start()
                    .await?;
                let admin = SandboxAdmin::new(sandbox.url());
                let client = sandbox_client(&sandbox.url())
                    .ephemeral_journal()
                    .build()
                    .await?;
                Ok(Self {
                    target,
                    client,
                    sandbox: Some((sandbox, admin)),
                    run_id,
                })
            }
            Target::StripeTestMode => {
                let client = Client::<Stripe>::builder()
                    .environment(Environment::TestMode)
                    .secrets(EnvSecretProvider::new(STRIPE_TEST_KEY_ENV))
                    .ephemeral_journal()
                    .build()
                    .await?;
                Ok(Self {
                    target,
                    client,
                    sandbox: None,
                    run_id,
                })
            }
        }
    }

    /// Where this flow runs.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The client for the target.
    pub fn client(&self) -> &Client<Stripe> {
        &self.client
    }

    /// The sandbox's admin surface, or `None` on Stripe's test mode, after printing that the
    /// flow is skipped there and `why` (the sandbox-only facility it needs).
    pub fn sandbox_admin(&self, why: &str) -> Option<&SandboxAdmin> {
        match &self.sandbox {
            Some((_, admin)) => Some(admin),
            None => {
                eprintln!("skipped on {:?}: sandbox only, because {why}", self.target);
                None
            }
        }
    }

    /// The sandbox's base URL, when the target is the sandbox.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(|(sandbox, _)| sandbox.url())
    }

    /// A logical key unique to this run (Stripe's test mode keeps objects and idempotency
    /// keys across runs), for example `order-1/charge` becomes `<run>/order-1/charge`.
    pub fn logical_key(&self, name: &str) -> TestResult<LogicalKey> {
        Ok(LogicalKey::new(format!("{}/{name}", self.run_id))?)
    }

    /// A fresh client on the sandbox with this journal, timeout and retry policy: the
    /// "process" of a restart test, or a client with a short timeout for fault tests.
    pub async fn sandbox_client_with(
        &self,
        journal: impl IdempotencyJournal,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> TestResult<Client<Stripe>> {
        let url = self
            .sandbox_url()
            .ok_or("a client with a custom journal is only built for the sandbox")?;
        Ok(sandbox_client(&url)
            .journal(journal)
            .timeout(timeout)
            .retry_policy(retry)
            .build()
            .await?)
    }

    /// Shuts the sandbox down, if there is one.
    pub async fn finish(self) -> TestResult {
        if let Some((sandbox, _)) = self.sandbox {
            sandbox.shutdown().await?;
        }
        Ok(())
    }
}

/// A client builder for the sandbox at `url`, with short retry waits so fault tests stay
/// quick.
pub fn sandbox_client(url: &str) -> payforge::client::ClientBuilder<Stripe> {
    Client::<Stripe>::builder()
        .environment(Environment::Sandbox {
            base_url: url.to_owned(),
        })
        .secrets(sandbox_key())
        .timeout(Duration::from_secs(10))
        .retry_policy(quick_retries())
}

/// Four attempts with backoff ceilings of 10, 20 and 40 ms.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        max_elapsed: Duration::from_secs(10),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}
