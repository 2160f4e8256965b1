//! Shared pieces of the payment-flow suites (`tests/tests/flows_*.rs`) and the chaos test
//! (`tests/tests/chaos.rs`).
//!
//! A flow is written once, as `async fn flow(env: &FlowEnv) -> TestResult`, and
//! [`flow_tests!`](crate::flow_tests) runs it against both [`Target`]s: the local sandbox
//! (always) and Stripe's own test mode (only when `STRIPE_TEST_SECRET_KEY` is set; otherwise
//! that variant reports itself skipped and passes). A flow that needs the sandbox's admin
//! surface (faults, the ledger, webhook delivery to a local receiver) asks for
//! [`FlowEnv::sandbox_admin`] and says why it cannot run on Stripe.

mod admin;
mod binary;
mod target;

pub use admin::{Ledger, LedgerCharge, LedgerIntent, SandboxAdmin};
pub use binary::SandboxProcess;
pub use target::{
    FlowEnv, SANDBOX_KEY, STRIPE_TEST_KEY_ENV, Target, quick_retries, sandbox_client, sandbox_key,
};

use std::future::Future;
use std::time::Duration;

/// The error type of every suite test: any error, with its message.
pub type TestError = Box<dyn std::error::Error + Send + Sync>;

/// The result of a suite test.
pub type TestResult<T = ()> = Result<T, TestError>;

/// Polls `check` until it yields `Some`, for at most `limit`, failing with `what` otherwise.
///
/// Webhook deliveries, inbox processing and Stripe's test clocks complete asynchronously;
/// waiting for the state a test asserts is not a timing assertion, and the limit only keeps
/// a broken build from hanging CI.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> TestResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = TestResult<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("gave up waiting for {what} after {limit:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Generates, for each named flow `async fn NAME(env: &FlowEnv) -> TestResult` in scope,
/// `sandbox::NAME` (against an in-process sandbox) and `stripe_test_mode::NAME` (against
/// Stripe's test mode when `STRIPE_TEST_SECRET_KEY` is set, skipped otherwise).
#[macro_export]
macro_rules! flow_tests {
    ($($flow:ident),+ $(,)?) => {
        /// The flows against a local, in-process `payforge-sandbox`.
        mod sandbox {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $flow() -> $crate::flows::TestResult {
                    let env = $crate::flows::FlowEnv::start($crate::flows::Target::Sandbox).await?;
                    let outcome = super::$flow(&env).await;
                    env.finish().await?;
                    outcome
                }
            )+
        }

        /// The same flows against Stripe's test mode; skipped without
        /// `STRIPE_TEST_SECRET_KEY`.
        mod stripe_test_mode {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $flow() -> $crate::flows::TestResult {
                    let Some(target) = $crate::flows::Target::stripe_test_mode_from_env() else {
                        eprintln!(
                            "skipped: {} is not set (see tests/README.md)",
                            $crate::flows::STRIPE_TEST_KEY_ENV
                        );
                        return Ok(());
                    };
                    let env = $crate::flows::FlowEnv::start(target).await?;
                    let outcome = super::$flow(&env).await;
                    env.finish().await?;
                    outcome
                }
            )+
        }
    };
}
