//! Shared test scaffolding: a sandbox per test, a raw HTTP client speaking Stripe's form
//! encoding, and a webhook receiver that records what it is sent.
#![allow(dead_code)] // Reason: each test binary uses a different part of this module.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use payforge_sandbox::{RunningSandbox, Sandbox};
use serde_json::Value;

/// A test's error type.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The test key every test authenticates with.
pub const KEY: &str = "sk_test_payforge_sandbox_tests";

/// Starts a sandbox on 127.0.0.1:0 with webhook retries shortened to milliseconds.
pub async fn start() -> TestResult<RunningSandbox> {
    let delays = vec![
        Duration::from_millis(20),
        Duration::from_millis(40),
        Duration::from_millis(80),
    ];
    Ok(Sandbox::builder()
        .webhook_retry_delays(delays)
        .start()
        .await?)
}

/// The sandbox binary, killed when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on a free port and reads the address from its first stdout line.
pub fn spawn(extra: &[&str]) -> TestResult<(Running, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payforge-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("payforge-sandbox listening on ")
        .ok_or(format!("unexpected first line: {line:?}"))?
        .to_owned();
    Ok((running, url))
}

/// A response: status, headers, JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }
}

/// A raw Stripe client: form bodies written by hand, no SDK involved.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub key: String,
}

impl Api {
    pub fn new(sandbox: &RunningSandbox) -> Self {
        Self {
            base: sandbox.url(),
            http: reqwest::Client::new(),
            key: KEY.to_owned(),
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> TestResult<Reply> {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)?
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// `POST` with a raw form body such as `amount=100&currency=usd`.
    pub async fn post(&self, path: &str, form: &str) -> TestResult<Reply> {
        self.post_with_key(path, form, None).await
    }

    pub async fn post_with_key(
        &self,
        path: &str,
        form: &str,
        idempotency_key: Option<&str>,
    ) -> TestResult<Reply> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    pub async fn get(&self, path_and_query: &str) -> TestResult<Reply> {
        self.send(
            self.http
                .get(format!("{}{path_and_query}", self.base))
                .bearer_auth(&self.key),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> TestResult<Reply> {
        self.send(
            self.http
                .delete(format!("{}{path}", self.base))
                .bearer_auth(&self.key),
        )
        .await
    }

    /// `POST` a JSON body to the admin surface.
    pub async fn admin_post(&self, path: &str, body: Value) -> TestResult<Reply> {
        self.send(
            self.http
                .post(format!("{}/_sandbox{path}", self.base))
                .json(&body),
        )
        .await
    }

    pub async fn admin_get(&self, path: &str) -> TestResult<Reply> {
        self.send(self.http.get(format!("{}/_sandbox{path}", self.base)))
            .await
    }

    /// Creates a customer and returns its id.
    pub async fn customer(&self, form: &str) -> TestResult<String> {
        let reply = self.post("/v1/customers", form).await?;
        expect_status(&reply, 200)?;
        Ok(reply.id())
    }

    /// The types of all events, oldest first.
    pub async fn event_types(&self) -> TestResult<Vec<String>> {
        let reply = self.get("/v1/events?limit=100").await?;
        let mut types: Vec<String> = reply.body["data"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .filter_map(|e| e["type"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        types.reverse();
        Ok(types)
    }
}

/// Fails with the whole reply when the status is not `expected`.
pub fn expect_status(reply: &Reply, expected: u16) -> TestResult {
    if reply.status == expected {
        Ok(())
    } else {
        Err(format!(
            "expected status {expected}, got {}: {}",
            reply.status, reply.body
        )
        .into())
    }
}

/// Polls `check` until it returns `Some`, for at most ten seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> TestResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = TestResult<Option<T>>>,
{
    for _ in 0..500 {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("timed out waiting for {what}").into())
}

/// One webhook request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub signature: String,
    pub body: String,
}

/// A webhook endpoint on 127.0.0.1 that records requests and fails the first
/// `failures` of them with a 500.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(failures: usize) -> TestResult<Self> {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = received.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let log = log.clone();
                async move {
                    let signature = headers
                        .get("stripe-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let mut log = log
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    log.push(Received {
                        signature,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    if log.len() <= failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { url, received })
    }

    pub fn snapshot(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
