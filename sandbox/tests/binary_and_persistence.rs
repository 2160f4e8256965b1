//! The real binary, and state (pending webhook deliveries included) persisted to a file
//! and loaded again.

mod common;

use std::time::Duration;

use common::{Api, KEY, Receiver, TestResult, eventually, expect_status, spawn};
use payforge_sandbox::Sandbox;
use serde_json::Value;

fn api_at(url: &str) -> Api {
    Api {
        base: url.to_owned(),
        http: reqwest::Client::new(),
        key: KEY.to_owned(),
    }
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves_payments() -> TestResult {
    let (_process, url) = spawn(&[])?;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let api = api_at(&url);
    let paid = api
        .post(
            "/v1/payment_intents",
            "amount=4200&currency=usd&payment_method=pm_card_visa&confirm=true",
        )
        .await?;
    assert_eq!(paid.body["status"], "succeeded");
    assert_eq!(
        api.admin_get("/ledger").await?.body["totals"]["captured"],
        4200
    );
    Ok(())
}

#[tokio::test]
async fn the_binary_persists_state_to_its_file_and_reloads_it() -> TestResult {
    let directory = tempfile::tempdir()?;
    let state = directory.path().join("sandbox.json");
    let state_arg = state.to_string_lossy().into_owned();
    let customer = {
        let (_process, url) = spawn(&["--state", &state_arg])?;
        let customer = api_at(&url).customer("email=persisted@example.com").await?;
        let wanted = customer.clone();
        let path = state.clone();
        // The snapshot is written within a second of the change; the process is then killed
        // without a chance to write again, so the periodic snapshot alone must hold it.
        eventually("the snapshot to hold the customer", || {
            let (path, wanted) = (path.clone(), wanted.clone());
            async move {
                Ok(std::fs::read_to_string(&path)
                    .ok()
                    .filter(|s| s.contains(&wanted))
                    .map(|_| ()))
            }
        })
        .await?;
        customer
    };
    let (_process, url) = spawn(&["--state", &state_arg])?;
    let reloaded = api_at(&url)
        .get(&format!("/v1/customers/{customer}"))
        .await?;
    expect_status(&reloaded, 200)?;
    assert_eq!(reloaded.body["email"], "persisted@example.com");
    Ok(())
}

#[tokio::test]
async fn in_process_shutdown_writes_a_snapshot_that_a_new_sandbox_loads() -> TestResult {
    let directory = tempfile::tempdir()?;
    let state = directory.path().join("state.json");
    let first = Sandbox::builder().state_file(&state).start().await?;
    let api = Api::new(&first);
    let paid = api
        .post_with_key(
            "/v1/payment_intents",
            "amount=990&currency=usd&payment_method=pm_card_visa&confirm=true",
            Some("persist-me"),
        )
        .await?;
    first.shutdown().await?;
    let second = Sandbox::builder().state_file(&state).start().await?;
    let api = Api::new(&second);
    let intent = api
        .get(&format!("/v1/payment_intents/{}", paid.id()))
        .await?;
    assert_eq!(intent.body["status"], "succeeded");
    let replay = api
        .post_with_key(
            "/v1/payment_intents",
            "amount=990&currency=usd&payment_method=pm_card_visa&confirm=true",
            Some("persist-me"),
        )
        .await?;
    assert_eq!(
        replay.header("idempotent-replayed"),
        Some("true"),
        "idempotency records survive a restart"
    );
    assert_eq!(api.admin_get("/ledger").await?.body["totals"]["charges"], 1);
    std::fs::write(&state, "not json")?;
    let corrupt = Sandbox::builder().state_file(&state).start().await;
    assert!(
        matches!(corrupt, Err(payforge_sandbox::SandboxError::Snapshot(_))),
        "{corrupt:?}"
    );
    Ok(())
}

/// The only delivery of a sandbox, once it has `attempts` attempts and `status`.
async fn delivery_once(api: &Api, attempts: usize, status: &str) -> TestResult<Option<Value>> {
    let reply = api.admin_get("/deliveries").await?;
    let deliveries = reply.body["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let [delivery] = deliveries.as_slice() else {
        return Err(format!("expected one delivery: {}", reply.body).into());
    };
    let tried = delivery["attempts"].as_array().map_or(0, Vec::len);
    Ok((tried == attempts && delivery["status"] == status).then(|| delivery.clone()))
}

#[tokio::test]
async fn a_pending_webhook_delivery_survives_a_restart_and_is_then_delivered() -> TestResult {
    let directory = tempfile::tempdir()?;
    let state = directory.path().join("state.json");
    // The receiver fails its first request; the sandbox would retry only after an hour, so
    // the delivery is still pending when the first sandbox stops.
    let receiver = Receiver::start(1).await?;
    let an_hour = vec![Duration::from_secs(3_600)];
    let first = Sandbox::builder()
        .state_file(&state)
        .webhook_retry_delays(an_hour.clone())
        .start()
        .await?;
    let api = Api::new(&first);
    let form = format!("url={}&enabled_events[]=customer.created", receiver.url);
    expect_status(&api.post("/v1/webhook_endpoints", &form).await?, 200)?;
    api.customer("email=hooked@example.com").await?;
    let failed = eventually("the first attempt to fail", || {
        delivery_once(&api, 1, "pending")
    })
    .await?;
    first.shutdown().await?;
    assert_eq!(receiver.snapshot().len(), 1);

    let second = Sandbox::builder()
        .state_file(&state)
        .webhook_retry_delays(an_hour)
        .start()
        .await?;
    let api = Api::new(&second);
    let delivered = eventually("the restarted sandbox to deliver it", || {
        delivery_once(&api, 2, "succeeded")
    })
    .await?;
    assert_eq!(delivered["id"], failed["id"]);
    assert_eq!(delivered["attempts"][0], failed["attempts"][0]);
    let received = receiver.snapshot();
    assert_eq!(
        received.len(),
        2,
        "sent once before the restart, once after"
    );
    assert_eq!(received[1].body, received[0].body, "the same event");
    assert!(received[1].body.contains("customer.created"));
    second.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn the_admin_token_guards_the_admin_surface_only() -> TestResult {
    let sandbox = Sandbox::builder().admin_token("let-me-in").start().await?;
    let api = Api::new(&sandbox);
    assert_eq!(api.admin_get("/ledger").await?.status, 401);
    let allowed = api
        .send(
            api.http
                .get(format!("{}/_sandbox/ledger", api.base))
                .header("X-Sandbox-Admin-Token", "let-me-in"),
        )
        .await?;
    expect_status(&allowed, 200)?;
    expect_status(&api.get("/v1/customers").await?, 200)?;
    Ok(())
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_binary_gracefully_with_a_final_snapshot() -> TestResult {
    let directory = tempfile::tempdir()?;
    let state = directory.path().join("sandbox.json");
    let (mut process, url) = spawn(&["--state", &state.to_string_lossy()])?;
    let customer = api_at(&url).customer("email=term@example.com").await?;
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &process.0.id().to_string()])
        .status()?;
    assert!(terminated.success());
    let exit = process.0.wait()?;
    assert!(exit.success(), "a graceful stop exits 0, got {exit:?}");
    assert!(std::fs::read_to_string(&state)?.contains(&customer));
    Ok(())
}
