//! Every recogniser of a provider's spec dialect is a convention the profile turns on
//! (docs/generated-code.md, "Profile keys"): with its switch off, the construct it
//! recognises is generated as the plain schema says.

mod support;

use payforge_generator::spec::ProviderProfile;
use payforge_generator::{Ir, Layout, LoadedSpec};
use support::{profile_for, read_dir_sorted, testdata};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A change to the test profile that switches one convention off.
type SwitchOff = fn(&mut ProviderProfile);

/// Every generated file of `case`, joined, with the test profile changed by `change`.
fn generated(
    case: &str,
    change: fn(&mut ProviderProfile),
) -> Result<String, Box<dyn std::error::Error>> {
    let dir = testdata();
    let mut profile = profile_for(&dir, &format!("{case}.yaml"), None)?;
    change(&mut profile);
    let ir = Ir::build(&LoadedSpec::load_profile(profile, &dir)?)?;
    let out = tempfile::tempdir()?;
    payforge_generator::emit::write_sdk(&ir, out.path(), Layout::BuildScript)?;
    Ok(read_dir_sorted(out.path())?
        .into_iter()
        .map(|(name, text)| format!("// {name}\n{text}"))
        .collect())
}

#[test]
fn each_recogniser_is_switched_by_its_convention() -> TestResult {
    // (case, the convention switched off, text that only the recogniser generates)
    let cases: [(&str, SwitchOff, &str); 12] = [
        (
            "list_search",
            |p| p.pagination.styles.clear(),
            "::payforge::wire::List<",
        ),
        (
            "list_search",
            |p| p.pagination.styles.clear(),
            "::payforge::wire::SearchList<",
        ),
        (
            "expandable",
            |p| p.conventions.expansion_resources = false,
            "::payforge::wire::Expandable<",
        ),
        (
            "union_tagged",
            |p| p.conventions.object_tag = false,
            "tag = \"object\"",
        ),
        (
            "struct_fields",
            |p| p.conventions.unix_time = false,
            "Seconds since the Unix epoch",
        ),
        (
            "form_body",
            |p| p.conventions.empty_string_unset = false,
            "::payforge::wire::Unsettable<",
        ),
        (
            "struct_fields",
            |p| p.conventions.resource_id_modules = false,
            "pub mod charge",
        ),
        (
            "hateoas_paging",
            |p| p.pagination.styles.clear(),
            "paginate = pages",
        ),
        (
            "hateoas_paging",
            |p| p.pagination.styles.clear(),
            "paginate = links",
        ),
        (
            "hateoas_paging",
            |p| p.headers.prefer = None,
            "    prefer\n",
        ),
        (
            "hateoas_paging",
            |p| p.types.runtime_types.clear(),
            "= ::payforge::wire::Link;",
        ),
        (
            "hateoas_paging",
            |p| p.types.links_field = None,
            "impl ::payforge::wire::Links for",
        ),
    ];
    for (case, switch_off, recognised) in cases {
        let on = generated(case, |_| {})?;
        let off = generated(case, switch_off)?;
        assert!(
            on.contains(recognised),
            "{case}: `{recognised}` with the convention on"
        );
        assert!(
            !off.contains(recognised),
            "{case}: `{recognised}` with it off"
        );
    }
    Ok(())
}

/// A section of a provider's committed profile, parsed alone (the Adyen profile is
/// finished section by section, so the whole file need not load yet).
fn section<T: serde::de::DeserializeOwned>(
    provider: &str,
    name: &str,
) -> Result<T, Box<dyn std::error::Error>> {
    let path = testdata().join(format!("../{provider}/provider.toml"));
    let table: toml::Table = std::fs::read_to_string(path)?.parse()?;
    let value = table
        .get(name)
        .cloned()
        .unwrap_or(toml::Value::Table(toml::Table::new()));
    Ok(value.try_into()?)
}

#[test]
fn the_providers_state_their_conventions() -> TestResult {
    use payforge_generator::spec::profile::{
        AuthRules, AuthScheme, BodyEncodingName, Conventions, EncodingRules, EnvironmentRules,
        IdempotencyRules, KeyModeName, KeyRules, PaginationRules,
    };
    // Stripe: a bearer key with its mode in its prefix, one host, keys kept 24 h, bracket
    // forms, and every recogniser of its dialect.
    let auth: AuthRules = section("stripe", "auth")?;
    assert_eq!(auth.scheme, AuthScheme::Bearer);
    let keys: KeyRules = section("stripe", "keys")?;
    assert_eq!(keys.mode, KeyModeName::Prefix);
    let environments: EnvironmentRules = section("stripe", "environments")?;
    assert_eq!(environments.test, environments.production);
    let idempotency: IdempotencyRules = section("stripe", "idempotency")?;
    assert_eq!(
        (idempotency.max_key_length, idempotency.retention_secs),
        (255, 86_400)
    );
    assert!(idempotency.in_progress.is_none());
    let encoding: EncodingRules = section("stripe", "encoding")?;
    assert_eq!(encoding.body, BodyEncodingName::BracketForm);
    let pagination: PaginationRules = section("stripe", "pagination")?;
    assert_eq!(pagination.styles.len(), 2);
    let c: Conventions = section("stripe", "conventions")?;
    assert!(
        c.object_tag
            && c.expansion_resources
            && c.unix_time
            && c.empty_string_unset
            && c.resource_id_modules
    );

    // Adyen: an X-API-Key header, the mode by environment, a templated live host, keys of
    // at most 64 characters kept 31 days, 422/704 retried with the same key, JSON, and none
    // of Stripe's dialect.
    let auth: AuthRules = section("adyen", "auth")?;
    assert_eq!(
        auth.scheme,
        AuthScheme::ApiKeyHeader {
            header: "X-API-Key".to_owned()
        }
    );
    let keys: KeyRules = section("adyen", "keys")?;
    assert_eq!(keys.mode, KeyModeName::Environment);
    let environments: EnvironmentRules = section("adyen", "environments")?;
    assert!(environments.production.contains("{prefix}"));
    assert!(environments.undeclared_placeholders().is_empty());
    let idempotency: IdempotencyRules = section("adyen", "idempotency")?;
    assert_eq!(
        (idempotency.max_key_length, idempotency.retention_secs),
        (64, 31 * 86_400)
    );
    let in_progress = idempotency.in_progress.ok_or("no in_progress rule")?;
    assert_eq!(
        (in_progress.statuses, in_progress.codes),
        (vec![409, 422], vec!["704".to_owned()])
    );
    let encoding: EncodingRules = section("adyen", "encoding")?;
    assert_eq!(encoding.body, BodyEncodingName::Json);
    let pagination: PaginationRules = section("adyen", "pagination")?;
    assert!(pagination.styles.is_empty());
    let c: Conventions = section("adyen", "conventions")?;
    assert!(
        !(c.object_tag
            || c.expansion_resources
            || c.unix_time
            || c.empty_string_unset
            || c.resource_id_modules)
    );
    Ok(())
}
