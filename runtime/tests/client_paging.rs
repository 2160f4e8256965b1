//! Auto-paging, raw-byte outputs and the operations that take no logical key.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;

use client_support::*;
use futures::{StreamExt, TryStreamExt};
use payforge::journal::{LogicalKey, MemoryJournal};
use payforge::{ConfigError, Error};

#[tokio::test]
async fn paginate_follows_the_cursor_through_every_page() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;

    let charges: Vec<Charge> = client
        .paginate(ListCharges::default())
        .try_collect()
        .await?;

    let ids: Vec<&str> = charges.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ch_1", "ch_2", "ch_3", "ch_4", "ch_5"]);
    let queries: Vec<String> = server.seen().into_iter().map(|s| s.query).collect();
    assert_eq!(queries, ["", "starting_after=ch_2", "starting_after=ch_4"]);
    Ok(())
}

#[tokio::test]
async fn paginate_yields_the_error_and_stops() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::error(
        400,
        "invalid_request_error",
        "resource_missing",
    )]);

    let results: Vec<_> = client.paginate(ListCharges::default()).collect().await;

    assert_eq!(results.len(), 1);
    assert!(
        matches!(
            &results[0],
            Err(Error::Api {
                error: TestError::InvalidRequest { .. },
                ..
            })
        ),
        "{results:?}"
    );
    Ok(())
}

#[tokio::test]
async fn binary_outputs_are_the_raw_bytes() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;

    let file = client
        .send(DownloadFile {
            file: "file_1".to_owned(),
        })
        .await?;

    assert_eq!(file.as_bytes(), b"%PDF-1.4 \x00\xff binary");
    Ok(())
}

#[tokio::test]
async fn a_read_takes_no_logical_key() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;

    let result = client
        .send_with_key(
            RetrieveCharge {
                charge: "ch_1".to_owned(),
            },
            LogicalKey::new("x")?,
        )
        .await;

    assert!(
        matches!(
            result,
            Err(Error::Config(ConfigError::LogicalKeyOnNonIdempotent { .. }))
        ),
        "{result:?}"
    );
    assert!(server.seen().is_empty());
    Ok(())
}
