//! The `payforge-sandbox` binary: serves the sandbox until Ctrl-C or SIGTERM, then writes the final
//! snapshot. The first line on stdout is `payforge-sandbox listening on http://ADDR`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use payforge_sandbox::Sandbox;

/// A local stateful Stripe sandbox.
#[derive(Debug, Parser)]
#[command(name = "payforge-sandbox", version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:12111")]
    listen: SocketAddr,
    /// Persist state to this JSON file (loaded on start, written on change and on exit).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Require `X-Sandbox-Admin-Token: TOKEN` on `/_sandbox/` requests.
    #[arg(long)]
    admin_token: Option<String>,
    /// Webhook retry delays in milliseconds, comma-separated (default 1000,2000,4000,8000,16000).
    #[arg(long, value_delimiter = ',')]
    webhook_retry_ms: Option<Vec<u64>>,
}

/// Registers for Ctrl-C and, on Unix, SIGTERM, and returns a future that completes when
/// either arrives. Registration happens here, before the address is printed, so a signal
/// sent as soon as the address is known still stops the sandbox gracefully.
fn stop_signal() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            return Box::pin(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
        }
    }
    Box::pin(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("payforge-sandbox: cannot wait for Ctrl-C: {error}");
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut builder = Sandbox::builder().listen(cli.listen);
    if let Some(path) = cli.state {
        builder = builder.state_file(path);
    }
    if let Some(token) = cli.admin_token {
        builder = builder.admin_token(token);
    }
    if let Some(delays) = cli.webhook_retry_ms {
        builder =
            builder.webhook_retry_delays(delays.into_iter().map(Duration::from_millis).collect());
    }
    let stopped = stop_signal();
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("payforge-sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "payforge-sandbox listening on {}", sandbox.url());
    let _ = stdout.flush();
    stopped.await;
    match sandbox.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("payforge-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}
