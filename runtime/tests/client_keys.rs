//! Keys and environments: a key never meets the wrong environment, never appears in an
//! error, and rotates without a restart.
#![cfg(all(feature = "axum", feature = "sqlite"))]

mod client_support;

use std::sync::Arc;

use client_support::*;
use payforge::client::{Client, Environment};
use payforge::error::EnvironmentKind;
use payforge::journal::MemoryJournal;
use payforge::secrets::{EnvSecretProvider, FileSecretProvider, KeyMode};
use payforge::{ConfigError, Error};

async fn build(
    environment: Environment,
    key: &str,
) -> Result<Client<TestProvider>, Box<dyn std::error::Error>> {
    let (_dir, path) = key_file(key)?;
    Ok(Client::<TestProvider>::builder()
        .environment(environment)
        .base_url("http://127.0.0.1:9")
        .secrets(FileSecretProvider::new(path))
        .ephemeral_journal()
        .build()
        .await?)
}

#[tokio::test]
async fn keys_are_refused_outside_their_environment_without_being_printed() -> TestResult {
    let sandbox = || Environment::Sandbox {
        base_url: "http://127.0.0.1:9".to_owned(),
    };
    let live = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"; // audit:allow: a fake key
    let test = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"; // audit:allow: a fake key
    let restricted_live = "rk_live_4eC39HqLyjWDarjtT1zdp7dc"; // audit:allow: a fake key
    let publishable = "pk_live_4eC39HqLyjWDarjtT1zdp7dc";
    // (environment, key, refused as: None = accepted)
    let cases = [
        (sandbox(), test, None),
        (Environment::TestMode, test, None),
        (Environment::Production, live, None),
        (Environment::Production, restricted_live, None),
        (
            sandbox(),
            live,
            Some((EnvironmentKind::Sandbox, KeyMode::Live)),
        ),
        (
            Environment::TestMode,
            restricted_live,
            Some((EnvironmentKind::TestMode, KeyMode::Live)),
        ),
        (
            Environment::Production,
            test,
            Some((EnvironmentKind::Production, KeyMode::Test)),
        ),
        (
            Environment::Production,
            publishable,
            Some((EnvironmentKind::Production, KeyMode::Unrecognised)),
        ),
    ];
    for (environment, key, refused) in cases {
        let case = format!("{environment:?} with {}", &key[..8]);
        match (build(environment, key).await, refused) {
            (Ok(_), None) => {}
            (Err(error), Some((environment, key_mode))) => {
                let config = error.downcast_ref::<ConfigError>();
                assert!(
                    matches!(config, Some(ConfigError::KeyModeMismatch { environment: e, key_mode: m, .. }) if *e == environment && *m == key_mode),
                    "{case}: {error:?}"
                );
                let printed = format!("{error} {error:?}");
                assert!(
                    !printed.contains("4eC39HqLyjWDarjtT1zdp7dc"),
                    "{case}: the key leaked: {printed}"
                );
                assert!(
                    !printed.contains("sk_") && !printed.contains("rk_"),
                    "{case}: even the prefix: {printed}"
                );
            }
            (result, _) => return Err(format!("{case}: unexpected {result:?}").into()),
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_its_source() -> TestResult {
    let result = Client::<TestProvider>::builder()
        .secrets(EnvSecretProvider::new(
            "PAYFORGE_TEST_SURELY_UNSET_VARIABLE",
        ))
        .ephemeral_journal()
        .build()
        .await;
    let Err(error @ ConfigError::Secret { .. }) = result else {
        return Err(format!("expected a secret error, got {result:?}").into());
    };
    assert!(
        error
            .to_string()
            .contains("PAYFORGE_TEST_SURELY_UNSET_VARIABLE"),
        "{error}"
    );
    let no_journal = Client::<TestProvider>::builder().build().await;
    assert!(
        matches!(no_journal, Err(ConfigError::MissingJournal)),
        "{no_journal:?}"
    );
    Ok(())
}

fn bearer(server: &FakeProvider) -> Vec<String> {
    let seen = server.seen();
    seen.into_iter()
        .map(|s| s.authorization.unwrap_or_default().replace("Bearer ", ""))
        .collect()
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_after_a_401_without_a_restart() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await?;

    // The key is rolled: the provider now takes only B, and the mounted file holds B.
    server.accept_only(&[KEY_B]);
    std::fs::write(&key, KEY_B)?;
    client.send(CreateCharge::new(100)).await?;
    client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await?;

    assert_eq!(bearer(&server), [KEY_A, KEY_A, KEY_B, KEY_B]);
    let keys: Vec<_> = server
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(
        keys[1], keys[2],
        "the 401 and its retry on the new key share the idempotency key"
    );
    Ok(())
}

#[tokio::test]
async fn a_401_with_an_unchanged_key_is_an_authentication_error() -> TestResult {
    let server = FakeProvider::start(&[KEY_B]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;

    let result = client.send(CreateCharge::new(100)).await;

    assert!(
        matches!(
            result,
            Err(Error::Api {
                error: TestError::Authentication,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(
        server.seen().len(),
        1,
        "no retry when the source has nothing new"
    );
    Ok(())
}

#[tokio::test]
async fn requests_in_flight_finish_on_their_key_while_the_client_rotates() -> TestResult {
    let server = FakeProvider::start(&[KEY_A, KEY_B]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    server.queue([Fault::StallAfterProcessing(
        std::time::Duration::from_millis(300),
    )]);

    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.send(CreateCharge::new(100)).await }
    });
    while server.seen().is_empty() {
        tokio::task::yield_now().await;
    }
    std::fs::write(&key, KEY_B)?;
    client.rotate_key().await?;
    in_flight.await??;
    client.send(CreateCharge::new(100)).await?;

    assert_eq!(bearer(&server), [KEY_A, KEY_B]);
    Ok(())
}

#[tokio::test]
async fn a_refresh_interval_picks_up_a_new_key_before_any_401() -> TestResult {
    let server = FakeProvider::start(&[KEY_A, KEY_B]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = Client::<TestProvider>::builder()
        .environment(Environment::Sandbox {
            base_url: server.base_url.clone(),
        })
        .secrets(FileSecretProvider::new(&key))
        .key_refresh_interval(std::time::Duration::ZERO)
        .ephemeral_journal()
        .build()
        .await?;
    client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await?;
    std::fs::write(&key, KEY_B)?;
    client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await?;

    assert_eq!(bearer(&server), [KEY_A, KEY_B]);
    Ok(())
}

#[tokio::test]
async fn a_rotation_to_a_key_of_the_wrong_mode_is_refused_and_the_old_key_kept() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    std::fs::write(&key, "sk_live_4eC39HqLyjWDarjtT1zdp7dc")?; // audit:allow: a fake key

    let rotated = client.rotate_key().await;

    assert!(
        matches!(
            rotated,
            Err(ConfigError::KeyModeMismatch {
                key_mode: KeyMode::Live,
                ..
            })
        ),
        "{rotated:?}"
    );
    client
        .send(RetrieveCharge {
            charge: "ch_1".to_owned(),
        })
        .await?;
    assert_eq!(bearer(&server), [KEY_A]);
    Ok(())
}

#[tokio::test]
async fn requests_carry_the_version_and_the_key_only_in_headers() -> TestResult {
    let server = FakeProvider::start(&[KEY_A]).await?;
    let (_dir, key) = key_file(KEY_A)?;
    let client = client(&server, &key, Arc::new(MemoryJournal::new())).await?;
    client.send(CreateCharge::new(100)).await?;

    let seen = server.seen();
    assert_eq!(seen[0].api_version.as_deref(), Some("2023-08-16"));
    assert!(!seen[0].body.contains(KEY_A) && !seen[0].query.contains(KEY_A));
    assert_eq!(
        form_value(seen[0].body.as_bytes(), "amount").as_deref(),
        Some("100")
    );
    Ok(())
}

#[tokio::test]
async fn from_env_without_a_key_names_the_variable_and_creates_nothing() -> TestResult {
    let before: Vec<_> = std::fs::read_dir(".")?.collect::<Result<_, _>>()?;

    let result = Client::<TestProvider>::from_env().await;

    let Err(Error::Config(error @ ConfigError::Secret { .. })) = &result else {
        return Err(format!("expected a missing-key error, got {result:?}").into());
    };
    assert!(error.to_string().contains("TESTPAY_SECRET_KEY"), "{error}");
    let after: Vec<_> = std::fs::read_dir(".")?.collect::<Result<_, _>>()?;
    assert_eq!(before.len(), after.len(), "no journal file was created");
    Ok(())
}
