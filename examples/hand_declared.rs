//! An endpoint the generated SDK does not cover, declared by hand with payforge's macros and
//! sent through the same client, with the same guarantees (see `README.md` beside this file).

use std::process::ExitCode;

use clap::Parser;
use payforge::client::{Client, Environment};
use payforge::journal::SqliteJournal;
use payforge::secrets::EnvSecretProvider;
use payforge::{Currency, endpoint, idempotent};
use payforge_sandbox::Sandbox;
use payforge_stripe::{
    ConfirmPaymentIntent, CreatePaymentIntent, PaymentIntentId, PaymentIntentStatus, Stripe,
};
use serde::{Deserialize, Serialize};

/// Completes (or fails) the 3-D Secure challenge of a payment intent in the sandbox.
///
/// `POST /_sandbox/payment_intents/{intent}/authenticate`
#[idempotent]
#[endpoint(
    provider = Stripe,
    method = POST,
    path = "/_sandbox/payment_intents/{intent}/authenticate",
    encoding = json,
    output = serde_json::Value,
)]
#[derive(Clone, Debug, Serialize)]
struct AuthenticatePaymentIntent {
    /// A typed id is a path segment like any `Display` type.
    #[endpoint(path)]
    intent: PaymentIntentId,
    /// `succeed` or `fail`.
    outcome: &'static str,
}

/// Reads the money the sandbox actually moved.
///
/// `GET /_sandbox/ledger`
#[endpoint(provider = Stripe, method = GET, path = "/_sandbox/ledger", output = Ledger)]
#[derive(Clone, Debug, Serialize)]
struct ReadLedger {}

/// The part of the sandbox's ledger this example reads.
#[derive(Debug, Deserialize)]
struct Ledger {
    totals: Totals,
}

/// Totals over every charge.
#[derive(Debug, Deserialize)]
struct Totals {
    succeeded_charges: u64,
    captured: i64,
}

/// Sends a generated operation and two hand-declared ones through one client, against a
/// local payforge-sandbox started in-process. The secret key comes from STRIPE_SECRET_KEY
/// (a test key; the client refuses a live one here).
#[derive(Debug, Parser)]
#[command(name = "hand_declared")]
struct Cli {}

#[tokio::main]
async fn main() -> ExitCode {
    let Cli {} = Cli::parse();
    payforge_examples::report::exit("hand_declared", run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let sandbox = Sandbox::builder().start().await?;
    let journal_dir = tempfile::tempdir()?;
    let client = Client::<Stripe>::builder()
        .environment(Environment::Sandbox {
            base_url: sandbox.url(),
        })
        .secrets(EnvSecretProvider::new("STRIPE_SECRET_KEY"))
        .journal(SqliteJournal::open(journal_dir.path().join("journal.sqlite")).await?)
        .build()
        .await?;

    // A generated operation: a card that asks for 3-D Secure.
    let intent = client
        .send(
            CreatePaymentIntent::new(4_200, Currency::Usd)
                .payment_method("pm_card_threeDSecure2Required")
                .payment_method_types(vec!["card".to_owned()]),
        )
        .await?;
    let intent = client.send(ConfirmPaymentIntent::new(intent.id)).await?;
    println!("confirmed: {:?}", intent.status);

    // The hand-declared operations, through the same client.
    if intent.status == PaymentIntentStatus::RequiresAction {
        let authenticated = client
            .send(AuthenticatePaymentIntent {
                intent: intent.id.clone(),
                outcome: "succeed",
            })
            .await?;
        println!("authenticated: {}", authenticated["status"]);
    }
    let ledger = client.send(ReadLedger {}).await?;
    println!(
        "ledger: {} succeeded charge(s), {} captured",
        ledger.totals.succeeded_charges, ledger.totals.captured
    );

    sandbox.shutdown().await?;
    Ok(())
}
