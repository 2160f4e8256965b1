//! Operations declared with `#[payforge::endpoint]`, as generated SDKs and hand-written
//! declarations do, go through the client with the same guarantees as hand-implemented ones.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;

use client_support::*;
use futures::TryStreamExt;
use payforge::journal::{LogicalKey, MemoryJournal};

/// Creates a charge.
#[payforge::endpoint(
    provider = TestProvider,
    method = POST,
    path = "/v1/charges",
    encoding = form,
    output = Charge,
    idempotent
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeclaredCreateCharge {
    /// The amount in cents.
    pub amount: i64,
    /// The card number (never printed).
    pub card_number: payforge::Sensitive<String>,
}

/// Retrieves a charge.
#[payforge::endpoint(
    provider = TestProvider,
    method = GET,
    path = "/v1/charges/{charge}",
    encoding = query,
    output = Charge
)]
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeclaredRetrieveCharge {
    /// The charge's id.
    #[endpoint(path)]
    pub charge: String,
}

/// Lists charges.
#[payforge::endpoint(
    provider = TestProvider,
    method = GET,
    path = "/v1/charges",
    encoding = query,
    output = payforge::wire::List<Charge>,
    paginate = cursor
)]
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DeclaredListCharges {
    /// The page after this charge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

#[tokio::test]
async fn declared_operations_are_keyed_retried_and_paged() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::DropAfterProcessing]);
    let op = DeclaredCreateCharge {
        amount: 700,
        card_number: CARD_NUMBER.into(),
    };

    let charge = client
        .send_with_key(op, LogicalKey::new("order-11/charge")?)
        .await?;
    let fetched = client
        .send(DeclaredRetrieveCharge {
            charge: "ch/1".to_owned(),
        })
        .await?;
    let listed: Vec<Charge> = client
        .paginate(DeclaredListCharges::default())
        .try_collect()
        .await?;

    assert_eq!(charge.amount, 700);
    assert_eq!(
        server.charges().len(),
        1,
        "the dropped answer was retried under one key"
    );
    let seen = server.seen();
    assert_eq!(seen[0].idempotency_key, seen[1].idempotency_key);
    assert_eq!(
        seen[2].path, "/v1/charges/ch%2F1",
        "path parameters are encoded"
    );
    assert_eq!(fetched.id, "ch/1");
    assert_eq!(listed.len(), 5);
    Ok(())
}
