//! Starting and stopping a sandbox: the builder, the accept loop, the background tasks.
//!
//! Connections are served with hyper directly rather than `axum::serve`, because the
//! drop faults must close a connection without a response: each connection runs in its
//! own task next to a [`ConnectionKill`] signal that the request pipeline fires, and the
//! task then drops the connection, which closes the socket mid-request.

mod admin;
mod limits;
mod pipeline;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::faults::{FaultSpec, FaultTable};
use crate::ledger::{self, Ledger};
use crate::persist::{self, SnapshotError};
use crate::store::Store;
use crate::webhooks::{self, WebhookConfig};

/// Why a sandbox could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state file could not be read or written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// State shared by the request handlers and the background tasks.
#[derive(Debug)]
pub struct Shared {
    store: Mutex<Store>,
    faults: Mutex<FaultTable>,
    /// Wakes the webhook sender when deliveries were queued.
    pub deliveries_changed: Notify,
    /// The webhook retry schedule.
    pub webhooks: WebhookConfig,
    admin_token: Option<String>,
    dirty: AtomicBool,
}

impl Shared {
    /// Locks the store. A poisoned lock is taken over: every mutation of the store is
    /// completed before a handler can fail, so the data stays consistent.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn faults(&self) -> MutexGuard<'_, FaultTable> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn changed(&self) {
        self.state_changed();
        self.deliveries_changed.notify_one();
    }

    /// Marks the state as changed, for the next snapshot of the state file.
    pub fn state_changed(&self) {
        self.dirty.store(true, Ordering::Release);
    }
}

/// Fired by the pipeline to close the connection it is served on without a response.
#[derive(Debug, Clone)]
pub struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Closes the connection; the caller should then never complete.
    pub fn fire(&self) {
        self.0.notify_one();
    }
}

/// Configures a sandbox before it starts.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    listen: SocketAddr,
    state_file: Option<PathBuf>,
    snapshot_interval: Duration,
    webhooks: WebhookConfig,
    admin_token: Option<String>,
}

/// The entry point: `Sandbox::builder().start().await`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder listening on `127.0.0.1:0`, state in memory, default webhook retries.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            snapshot_interval: Duration::from_secs(1),
            webhooks: WebhookConfig::default(),
            admin_token: None,
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on (port 0 picks a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Persists state to this JSON file (loaded on start, written on change and on stop).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// How often changed state is written to the state file.
    pub fn snapshot_interval(mut self, interval: Duration) -> Self {
        self.snapshot_interval = interval;
        self
    }

    /// The delays between webhook retries (a delivery is tried `len + 1` times).
    pub fn webhook_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.webhooks.retry_delays = delays;
        self
    }

    /// How long one webhook attempt may take.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhooks.attempt_timeout = timeout;
        self
    }

    /// Requires `X-Sandbox-Admin-Token: <token>` on `/_sandbox/` requests.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Loads the state file (if any), binds, and starts serving.
    pub async fn start(self) -> Result<RunningSandbox, SandboxError> {
        let store = match &self.state_file {
            Some(path) => persist::load(path)?,
            None => Store::default(),
        };
        let listener =
            TcpListener::bind(self.listen)
                .await
                .map_err(|source| SandboxError::Bind {
                    addr: self.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: self.listen,
            source,
        })?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            faults: Mutex::new(FaultTable::default()),
            deliveries_changed: Notify::new(),
            webhooks: self.webhooks,
            admin_token: self.admin_token,
            dirty: AtomicBool::new(false),
        });
        let (shutdown, watcher) = watch::channel(false);
        let router = admin::routes(shared.clone())
            .fallback(pipeline::handle)
            .with_state(shared.clone());
        let mut tasks = vec![
            tokio::spawn(accept_loop(listener, router, watcher.clone())),
            tokio::spawn(webhooks::run_sender(shared.clone(), watcher.clone())),
        ];
        if let Some(path) = &self.state_file {
            tasks.push(tokio::spawn(snapshot_loop(
                shared.clone(),
                path.clone(),
                self.snapshot_interval,
                watcher,
            )));
        }
        tracing::info!(%addr, "payforge-sandbox listening");
        Ok(RunningSandbox {
            addr,
            shared,
            shutdown,
            tasks,
            state_file: self.state_file,
        })
    }
}

/// A started sandbox; dropping it stops the server (without a final snapshot: call
/// [`RunningSandbox::shutdown`] for that).
#[derive(Debug)]
pub struct RunningSandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    state_file: Option<PathBuf>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`, the base URL to point a Stripe client at.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The money actually moved, as `GET /_sandbox/ledger` reports it.
    pub fn ledger(&self) -> Ledger {
        ledger::read(&self.shared.lock())
    }

    /// Installs a fault, as `POST /_sandbox/faults` does; returns its id.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<u64, String> {
        self.shared.faults().add(spec).map(|rule| rule.id)
    }

    /// Forgets every object, event, idempotency key and fault, as `POST /_sandbox/reset`.
    pub fn reset(&self) {
        self.shared.lock().reset();
        self.shared.faults().clear();
        self.shared.changed();
    }

    /// Stops serving, waits for the background tasks, and writes the final snapshot.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        if let Some(path) = &self.state_file {
            let bytes = persist::encode(&self.shared.lock());
            persist::write(path, &bytes)?;
        }
        Ok(())
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(stream, router.clone(), shutdown.clone()));
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let handle = ConnectionKill(kill.clone());
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let refused = limits::oversized(&request);
        request.extensions_mut().insert(handle.clone());
        let router = router.clone();
        async move {
            match refused {
                Some(response) => Ok(response),
                None => router.oneshot(request.map(axum::body::Body::new)).await,
            }
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.max_headers(limits::HYPER_MAX_HEADERS);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    // Dropping `connection` on a kill closes the socket with no response written.
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        () = kill.notified() => tracing::debug!("connection dropped by a fault"),
        _ = shutdown.changed() => {}
    }
}

async fn snapshot_loop(
    shared: Arc<Shared>,
    path: PathBuf,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        if shared.dirty.swap(false, Ordering::AcqRel) {
            let bytes = persist::encode(&shared.lock());
            if let Err(error) = persist::write(&path, &bytes) {
                tracing::error!(%error, "could not write the state file");
                shared.dirty.store(true, Ordering::Release);
            }
        }
    }
}
