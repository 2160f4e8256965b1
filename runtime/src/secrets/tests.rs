use super::*;

struct Prefixed;

impl Provider for Prefixed {
    const NAME: &'static str = "prefixed";
    const API_VERSION: &'static str = "1";
    const API_VERSION_HEADER: Option<&'static str> = None;
    const IDEMPOTENCY_HEADER: &'static str = "Idempotency-Key";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 60;
    const REQUEST_ID_HEADER: &'static str = "Request-Id";
    const SHOULD_RETRY_HEADER: Option<&'static str> = None;
    const LIVE_BASE_URL: &'static str = "https://example.invalid";
    const SECRET_KEY_ENV: &'static str = "PREFIXED_KEY";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &["sk_test_", "rk_test_"];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &["sk_live_", "rk_live_"];
    type Error = NoError;
}

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct NoError;

impl crate::ApiError for NoError {
    fn from_response(_: http::StatusCode, _: &[u8]) -> Option<Self> {
        None
    }
    fn class(&self) -> crate::ErrorClass {
        crate::ErrorClass::Unknown
    }
}

#[test]
fn debug_and_display_never_show_the_key() -> Result<(), SecretError> {
    let key = SecretKey::insecure_from_literal("sk_test_abcdefghijkl")?; // audit:allow: a fake key
    let printed = format!(
        "{key:?} {key} {:?} {}",
        Secret::new("whsec_x"),
        Secret::new(1)
    );
    assert!(!printed.contains("sk_test"), "{printed}");
    assert!(!printed.contains("whsec"), "{printed}");
    Ok(())
}

#[test]
fn the_mode_is_read_from_the_prefix() -> Result<(), SecretError> {
    let cases = [
        ("sk_test_123", KeyMode::Test),
        ("rk_test_123", KeyMode::Test),
        ("sk_live_123", KeyMode::Live),
        ("rk_live_123", KeyMode::Live),
        ("pk_live_123", KeyMode::Unrecognised),
        ("live_sk_123", KeyMode::Unrecognised),
    ];
    for (key, mode) in cases {
        assert_eq!(
            SecretKey::insecure_from_literal(key)?.mode::<Prefixed>(),
            mode,
            "{key}"
        );
    }
    Ok(())
}

#[test]
fn store_values_are_trimmed_and_validated() {
    assert!(matches!(
        SecretKey::from_secret_store("sk_test_1\n".to_owned()).map(|k| k.expose_secret().len()),
        Ok(9)
    ));
    assert!(matches!(
        SecretKey::from_secret_store(" \n".to_owned()),
        Err(SecretError::Empty)
    ));
    assert!(matches!(
        SecretKey::from_secret_store("sk_test_1 sk_test_2".to_owned()),
        Err(SecretError::Malformed)
    ));
}

#[test]
fn keys_compare_by_value() -> Result<(), SecretError> {
    let a = SecretKey::insecure_from_literal("sk_test_a")?;
    assert_eq!(a, SecretKey::insecure_from_literal("sk_test_a")?);
    assert_ne!(a, SecretKey::insecure_from_literal("sk_test_ab")?);
    Ok(())
}

#[tokio::test]
async fn the_file_provider_rereads_the_file() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("key");
    std::fs::write(&path, "sk_test_first\n")?;
    let provider = FileSecretProvider::new(&path);
    assert_eq!(provider.fetch().await?.expose_secret(), "sk_test_first");
    std::fs::write(&path, "sk_test_second")?;
    assert_eq!(provider.fetch().await?.expose_secret(), "sk_test_second");
    std::fs::remove_file(&path)?;
    let missing = provider
        .fetch()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        matches!(&missing, Err(message) if message.contains("cannot read")),
        "{missing:?}"
    );
    Ok(())
}
