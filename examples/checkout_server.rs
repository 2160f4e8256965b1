//! A checkout server (see `README.md` beside this file and `src/checkout.rs`).
//!
//! ```sh
//! # Against a local sandbox started in-process, which it registers its webhook with:
//! STRIPE_SECRET_KEY=sk_test_example cargo run -p payforge-examples --example checkout_server -- --with-sandbox
//! # Against Stripe (test mode by default), with the endpoint's signing secret:
//! STRIPE_SECRET_KEY=sk_test_… STRIPE_WEBHOOK_SECRET=whsec_… \
//!   cargo run -p payforge-examples --example checkout_server -- --listen 127.0.0.1:3000
//! ```

use std::process::ExitCode;

use clap::Parser;
use payforge::client::{Client, Environment};
use payforge::journal::SqliteJournal;
use payforge::secrets::EnvSecretProvider;
use payforge::webhook::{SqliteInbox, StripeSignature, WebhookVerifier};
use payforge_examples::checkout::RunningShop;
use payforge_sandbox::Sandbox;
use payforge_stripe::{CreateWebhookEndpoint, CreateWebhookEndpointEnabledEvents, Stripe};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A checkout server whose orders are paid by card and moved forward by verified webhooks.
///
/// The secret key comes from STRIPE_SECRET_KEY; without --with-sandbox it talks to Stripe
/// (PAYFORGE_ENVIRONMENT, default test) and verifies webhooks with STRIPE_WEBHOOK_SECRET.
/// Orders and the journal live in $SHOP_DATA_DIR (default: the current directory).
#[derive(Debug, Parser)]
#[command(name = "checkout_server")]
struct Cli {
    /// Address the shop listens on (HOST:PORT; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    listen: String,
    /// Start a local payforge-sandbox in-process and register the shop's webhook receiver
    /// with it, instead of talking to Stripe.
    #[arg(long)]
    with_sandbox: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    payforge_examples::report::exit("checkout_server", run(cli).await)
}

async fn run(
    Cli {
        listen,
        with_sandbox,
    }: Cli,
) -> Result<(), BoxError> {
    let data = std::env::var("SHOP_DATA_DIR").unwrap_or_else(|_| ".".to_owned());
    std::fs::create_dir_all(&data)?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    let address = listener.local_addr()?;
    let inbox =
        SqliteInbox::open(format!("{data}/shop.sqlite"), SqliteInbox::DEFAULT_TABLE).await?;
    let journal = SqliteJournal::open(format!("{data}/shop-journal.sqlite")).await?;

    let (client, secret, _sandbox) = if with_sandbox {
        let sandbox = Sandbox::builder().start().await?;
        let client = Client::<Stripe>::builder()
            .environment(Environment::Sandbox {
                base_url: sandbox.url(),
            })
            .secrets(EnvSecretProvider::new("STRIPE_SECRET_KEY"))
            .journal(journal)
            .build()
            .await?;
        // Register this server's receiver with the sandbox, which answers with the secret.
        let events = [
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "charge.refunded",
        ];
        let enabled: Vec<CreateWebhookEndpointEnabledEvents> = events
            .iter()
            .map(|event| event.parse())
            .collect::<Result<_, _>>()?;
        let endpoint = client
            .send(CreateWebhookEndpoint::new(
                enabled,
                format!("http://{address}/webhooks/stripe"),
            ))
            .await?;
        let secret = endpoint
            .secret
            .ok_or("the sandbox gave no signing secret")?;
        tracing::info!(sandbox = %sandbox.url(), "started a local sandbox");
        (client, secret, Some(sandbox))
    } else {
        let client = Client::<Stripe>::builder()
            .environment(Environment::from_env()?)
            .secrets(EnvSecretProvider::new("STRIPE_SECRET_KEY"))
            .journal(journal)
            .build()
            .await?;
        let secret = std::env::var("STRIPE_WEBHOOK_SECRET")
            .map_err(|_| "set STRIPE_WEBHOOK_SECRET to the endpoint's signing secret")?;
        (client, secret, None)
    };
    let verifier = WebhookVerifier::new("stripe", StripeSignature::new([secret])?);
    let shop = RunningShop::start(listener, client, inbox, verifier).await?;
    println!("shop listening on http://{}", shop.address);
    shop.wait().await
}
