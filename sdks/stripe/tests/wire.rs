//! What generated operations put on the wire where issue 9 found them wrong: sensitive path
//! and query values (the real value, never `[redacted]`), required objects with no field
//! set (refused by name), operations on a server of their own (`POST /v1/files`), and
//! `&str` for every string setter. Needs every resource group: run with `--all-features`.
#![cfg(feature = "full")]

use std::collections::BTreeSet;

use payforge::client::{Client, Environment};
use payforge::secrets::SecretKey;
use payforge::wire::{FileUpload, Unsettable};
use payforge::{EncodeError, Endpoint, RequestBody};
use payforge_stripe::{
    CreateAccountSession, CreateAccountSessionComponents,
    CreateAccountSessionComponentsAccountOnboarding, CreateBillingPortalConfiguration,
    CreateBillingPortalConfigurationBusinessProfile, CreateBillingPortalConfigurationFeatures,
    CreateBillingPortalConfigurationFeaturesInvoiceHistory, CreateFile, CreateFilePurpose,
    RetrievePaymentIntent, RetrieveSetupIntent, RetrieveSource, RetrieveToken,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Defines `SENSITIVE_ON_THE_WIRE`: every operation with a sensitive path or query
/// parameter, as the generator lists them, with those parameters' wire names.
macro_rules! sensitive_wire_table {
    ($($op:ident => [$($param:literal),*],)*) => {
        const SENSITIVE_ON_THE_WIRE: &[(&str, &[&str])] = &[$((stringify!($op), &[$($param),*]),)*];
    };
}

include!(concat!(env!("OUT_DIR"), "/sensitive_wire.rs"));

/// A value no operation would make up, so finding it on the wire proves it came from here.
const SECRET: &str = "tok_s3cr3t/Value";
/// `SECRET` as a path segment or query value (percent-encoded).
const SECRET_ENCODED: &str = "tok_s3cr3t%2FValue";

/// The path and query string an operation sends.
fn wire<Op: Endpoint>(op: &Op) -> Result<(String, String), EncodeError> {
    let query = match op.encode()? {
        RequestBody::Query(query) => query,
        other => format!("{other:?}"),
    };
    Ok((op.path().into_owned(), query))
}

#[test]
fn every_sensitive_path_or_query_parameter_sends_its_real_value() -> TestResult {
    // Each operation the generator lists, built with the secret in its sensitive parameter.
    let cases: Vec<(&str, (String, String), String)> = vec![
        (
            "RetrieveToken",
            wire(&RetrieveToken::new(SECRET))?,
            format!("/v1/tokens/{SECRET_ENCODED}"),
        ),
        (
            "RetrievePaymentIntent",
            wire(&RetrievePaymentIntent::new("pi_1").client_secret(SECRET))?,
            format!("client_secret={SECRET_ENCODED}"),
        ),
        (
            "RetrieveSetupIntent",
            wire(&RetrieveSetupIntent::new("seti_1").client_secret(SECRET))?,
            format!("client_secret={SECRET_ENCODED}"),
        ),
        (
            "RetrieveSource",
            wire(&RetrieveSource::new("src_1").client_secret(SECRET))?,
            format!("client_secret={SECRET_ENCODED}"),
        ),
    ];
    let listed: BTreeSet<&str> = SENSITIVE_ON_THE_WIRE.iter().map(|(op, _)| *op).collect();
    let checked: BTreeSet<&str> = cases.iter().map(|(op, _, _)| *op).collect();
    assert_eq!(
        listed, checked,
        "add a case for each operation the generator lists in sensitive_wire.rs"
    );
    for (op, (path, query), expected) in cases {
        let sent = format!("{path}?{query}");
        assert!(sent.contains(&expected), "{op} sent {sent}");
        assert!(!sent.contains("redacted"), "{op} sent {sent}");
    }
    let printed = format!("{:?}", RetrieveToken::new(SECRET));
    assert!(!printed.contains("s3cr3t"), "{printed}");
    Ok(())
}

#[test]
fn a_required_object_with_no_field_set_is_refused_by_name() -> TestResult {
    let session = CreateAccountSession::new("acct_1", CreateAccountSessionComponents::new());
    assert!(
        matches!(session.encode(), Err(EncodeError::EmptyRequired { ref path }) if path == "components"),
        "{:?}",
        session.encode()
    );
    let features = CreateBillingPortalConfigurationFeatures::new().invoice_history(
        CreateBillingPortalConfigurationFeaturesInvoiceHistory::new(true),
    );
    let portal = CreateBillingPortalConfiguration::new(
        CreateBillingPortalConfigurationBusinessProfile::new(),
        features.clone(),
    );
    assert!(
        matches!(portal.encode(), Err(EncodeError::EmptyRequired { ref path }) if path == "business_profile"),
        "{:?}",
        portal.encode()
    );
    // With a field set, each is sent as Stripe expects.
    let components = CreateAccountSessionComponents::new()
        .account_onboarding(CreateAccountSessionComponentsAccountOnboarding::new(true));
    let session = CreateAccountSession::new("acct_1", components);
    assert_eq!(
        session.encode()?,
        RequestBody::Form("account=acct_1&components[account_onboarding][enabled]=true".to_owned())
    );
    let profile = CreateBillingPortalConfigurationBusinessProfile::new().headline("Shoes");
    let portal = CreateBillingPortalConfiguration::new(profile, features);
    assert_eq!(
        portal.encode()?,
        RequestBody::Form(
            "business_profile[headline]=Shoes&features[invoice_history][enabled]=true".to_owned()
        )
    );
    Ok(())
}

#[test]
fn unsettable_string_setters_take_str_like_plain_ones() {
    let from_str = CreateBillingPortalConfigurationBusinessProfile::new()
        .headline("Shoes")
        .privacy_policy_url("https://shop.example/privacy");
    assert_eq!(from_str.headline, Some(Unsettable::Set("Shoes".to_owned())));
    let unset = CreateBillingPortalConfigurationBusinessProfile::new().headline(Unsettable::Unset);
    assert_eq!(unset.headline, Some(Unsettable::Unset));
}

fn upload() -> CreateFile {
    CreateFile::new(
        FileUpload::new("id.png", "image/png", vec![0x89, b'P']),
        CreateFilePurpose::IdentityDocument,
    )
}

/// A client of `environment` with `key`, not sending anything.
async fn client(
    environment: Environment,
    key: &'static str,
    configure: impl FnOnce(
        payforge::client::ClientBuilder<payforge_stripe::Stripe>,
    ) -> payforge::client::ClientBuilder<payforge_stripe::Stripe>,
) -> Result<Client<payforge_stripe::Stripe>, payforge::ConfigError> {
    let builder = Client::<payforge_stripe::Stripe>::builder()
        .environment(environment)
        .secrets(StaticKey(key))
        .ephemeral_journal();
    configure(builder).build().await
}

/// A key source for tests: the literal it is given.
struct StaticKey(&'static str);

impl payforge::secrets::SecretProvider for StaticKey {
    fn fetch(
        &self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<SecretKey, payforge::secrets::SecretError>>
                + Send
                + '_,
        >,
    > {
        Box::pin(async move { SecretKey::insecure_from_literal(self.0) })
    }

    fn describe(&self) -> String {
        "a literal test key".to_owned()
    }
}

#[tokio::test]
async fn file_uploads_go_to_the_files_server_in_production_and_to_overrides_in_tests() -> TestResult
{
    assert_eq!(CreateFile::SERVER, Some("https://files.stripe.com"));
    let live = "sk_live_0123456789abcdefghij"; // audit:allow: a fake key
    let production = client(Environment::Production, live, |b| b).await?;
    assert_eq!(
        production.request_url(&upload()),
        "https://files.stripe.com/v1/files"
    );
    assert_eq!(
        production.request_url(&RetrieveToken::new("tok_1")),
        "https://api.stripe.com/v1/tokens/tok_1"
    );
    let test_key = "sk_test_0123456789abcdefghij"; // audit:allow: a fake key
    let sandbox = Environment::Sandbox {
        base_url: "http://127.0.0.1:12111".to_owned(),
    };
    let in_sandbox = client(sandbox, test_key, |b| b).await?;
    assert_eq!(
        in_sandbox.request_url(&upload()),
        "http://127.0.0.1:12111/v1/files"
    );
    let files_moved = client(Environment::TestMode, test_key, |b| {
        b.server_url("https://files.stripe.com/", "http://127.0.0.1:12112")
    })
    .await?;
    assert_eq!(
        files_moved.request_url(&upload()),
        "http://127.0.0.1:12112/v1/files"
    );
    Ok(())
}
