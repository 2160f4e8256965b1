//! The decline vocabulary as data: every decline code of every provider's catalogue maps
//! into one provider-neutral category, and the generator refuses a catalogue that leaves a
//! card decline unmapped. Also the goldens of an errors module with no wrapper key and a
//! refusal variant (`specs/testdata/errors_unwrapped*`), and of one whose codes come from a
//! pinned facts file and sit in a list of details (`specs/testdata/errors_details*`).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use payforge_generator::ir::ErrorModel;
use payforge_generator::ir::errors::{CatalogueEnum, DECLINE_CATEGORIES};
use payforge_generator::spec::ErrorCatalogueFile;
use payforge_generator::spec::catalogue::Facts;
use payforge_generator::spec::profile::ErrorRules;
use support::{ErrorsSection, generate_case, strip_header};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// The upstream specs and facts: `$PAYFORGE_SPECS_DIR`, else `../shared/specs`.
fn upstream() -> PathBuf {
    std::env::var_os("PAYFORGE_SPECS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs"),
        PathBuf::from,
    )
}

/// The `[errors]` section of `specs/<provider>/provider.toml`, read alone so that this test
/// does not depend on the rest of the profile.
fn rules(provider: &str) -> Result<ErrorRules, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(specs().join(provider).join("provider.toml"))?;
    let value: toml::Table = toml::from_str(&text)?;
    let errors = value.get("errors").cloned().ok_or("no [errors] section")?;
    Ok(errors.try_into::<ErrorRules>()?)
}

/// The error model of a provider's own catalogue under its own conventions.
fn model(provider: &str) -> Result<ErrorModel, Box<dyn std::error::Error>> {
    let path = specs().join(provider).join("errors.yaml");
    let file = ErrorCatalogueFile::load(&path)?;
    let rules = rules(provider)?;
    let facts = Facts::load(&rules, &upstream())?;
    Ok(ErrorModel::from_catalogue(&rules, &file, &facts, &path)?)
}

fn catalogue<'a>(model: &'a ErrorModel, name: &str) -> Result<&'a CatalogueEnum, String> {
    model
        .catalogues
        .iter()
        .find(|catalogue| catalogue.name == name)
        .ok_or_else(|| format!("no catalogue {name}"))
}

/// code -> category of one catalogue, failing on any code without a category.
fn mapping(catalogue: &CatalogueEnum) -> Result<BTreeMap<String, String>, String> {
    catalogue
        .entries
        .iter()
        .map(|entry| match &entry.category {
            Some(category) if DECLINE_CATEGORIES.contains(&category.as_str()) => {
                Ok((entry.code.clone(), category.clone()))
            }
            other => Err(format!(
                "{}::{} ({}) maps to {other:?}",
                catalogue.name, entry.variant, entry.code
            )),
        })
        .collect()
}

#[test]
fn every_stripe_decline_code_maps_to_a_category() -> TestResult {
    let model = model("stripe")?;
    let declines = mapping(catalogue(&model, "DeclineCode")?)?;
    assert_eq!(declines.len(), 47, "Stripe has 47 decline codes");
    Ok(())
}

#[test]
fn every_adyen_refusal_reason_maps_to_a_category_and_codes_are_strings() -> TestResult {
    let model = model("adyen")?;
    let reasons = catalogue(&model, "RefusalReason")?;
    let refusals = mapping(reasons)?;
    assert_eq!(refusals.len(), 41, "Adyen has 41 refusal reasons");
    assert_eq!(catalogue(&model, "ResultCode")?.entries.len(), 14);
    // The shared list verified codes 0 to 22 only; ours keeps the mark on the others.
    for entry in &reasons.entries {
        let number: u32 = entry.code.parse()?;
        assert_eq!(entry.unverified, number > 22, "{}", entry.code);
        assert_eq!(
            entry.doc.contains("unverified"),
            entry.unverified,
            "{}",
            entry.code
        );
    }
    let codes = catalogue(&model, "ErrorCode")?;
    assert!(codes.entries.iter().any(|entry| entry.code == "14_030"));
    assert!(codes.entries.iter().any(|entry| entry.code == "000"));
    Ok(())
}

/// One category, written once, for the same decline at both providers.
#[test]
fn the_same_decline_has_the_same_category_at_every_provider() -> TestResult {
    let stripe = mapping(catalogue(&model("stripe")?, "DeclineCode")?)?;
    let adyen = mapping(catalogue(&model("adyen")?, "RefusalReason")?)?;
    let cases = [
        ("insufficient_funds", "12", "insufficient_funds"),
        ("expired_card", "6", "expired_card"),
        ("incorrect_cvc", "24", "incorrect_cvc"),
        ("incorrect_number", "8", "incorrect_number"),
        ("lost_card", "5", ""),
        ("fraudulent", "20", "fraud_suspected"),
        ("do_not_honor", "2", "generic"),
        ("issuer_not_available", "9", "try_again_later"),
        ("authentication_required", "38", "authentication_required"),
        ("processing_error", "4", "processing_error"),
        ("restricted_card", "25", "restricted_card"),
        ("withdrawal_count_limit_exceeded", "29", "limit_exceeded"),
        ("revocation_of_authorization", "26", "do_not_retry"),
    ];
    for (stripe_code, adyen_code, category) in cases {
        let at_stripe = stripe.get(stripe_code).ok_or(stripe_code)?;
        let at_adyen = adyen.get(adyen_code).ok_or(adyen_code)?;
        if category.is_empty() {
            // Stripe's lost card and Adyen's blocked card are different facts.
            assert_ne!(at_stripe, at_adyen, "{stripe_code} / {adyen_code}");
        } else {
            assert_eq!(
                (at_stripe.as_str(), at_adyen.as_str()),
                (category, category)
            );
        }
    }
    Ok(())
}

/// A catalogue of the test case, edited by `edit`, built under the case's conventions.
fn build_edited(edit: impl FnOnce(&mut ErrorCatalogueFile)) -> Result<ErrorModel, String> {
    let dir = support::testdata();
    let path = dir.join("errors_unwrapped.errors.yaml");
    let mut file = ErrorCatalogueFile::load(&path).map_err(|e| e.to_string())?;
    edit(&mut file);
    let text = std::fs::read_to_string(dir.join("errors_unwrapped.errors.toml"))
        .map_err(|e| e.to_string())?;
    let section: ErrorsSection = toml::from_str(&text).map_err(|e| e.to_string())?;
    ErrorModel::from_catalogue(&section.errors, &file, &Facts::default(), &path)
        .map_err(|e| e.to_string())
}

#[test]
fn the_generator_refuses_an_unmapped_or_misnamed_decline() {
    type Edit = fn(&mut ErrorCatalogueFile);
    let cases: [(Edit, &str); 4] = [
        (|_| {}, ""),
        (
            |file| file.catalogues[2].entries[0].category = None,
            "the card decline `12` names no decline category",
        ),
        (
            |file| file.catalogues[2].entries[0].category = Some("broke".to_owned()),
            "decline category `broke`",
        ),
        (
            |file| file.catalogues[2].entries[0].category = Some("unknown".to_owned()),
            "decline category `unknown`",
        ),
    ];
    for (edit, expected) in cases {
        match build_edited(edit) {
            Ok(_) => assert!(expected.is_empty(), "built, expected {expected}"),
            Err(error) => assert!(
                !expected.is_empty() && error.contains(expected),
                "{error} (expected {expected:?})"
            ),
        }
    }
}

#[test]
fn errors_unwrapped() -> TestResult {
    let files = generate_case("errors_unwrapped")?;
    let errors = files
        .iter()
        .find(|(name, _)| name == "errors.rs")
        .map(|(_, text)| strip_header(text));
    insta::assert_snapshot!("errors_unwrapped", errors.unwrap_or("errors.rs is missing"));
    Ok(())
}

/// PayPal's issues come from the pinned facts file: one enum with every issue, one per API
/// with its own, each with the classification of `specs/paypal/errors.yaml`.
#[test]
fn paypal_issues_are_the_facts_per_api_and_every_decline_maps() -> TestResult {
    let model = model("paypal")?;
    let counts = [
        ("Issue", 259),
        ("OrdersIssue", 188),
        ("PaymentsIssue", 48),
        ("SubscriptionsIssue", 49),
    ];
    for (name, count) in counts {
        assert_eq!(catalogue(&model, name)?.entries.len(), count, "{name}");
    }
    for name in [
        "Issue",
        "OrdersIssue",
        "PaymentsIssue",
        "SubscriptionsIssue",
    ] {
        let issues = catalogue(&model, name)?;
        let declines = issues.entries.iter().filter(|e| e.class == "card_decline");
        for entry in declines {
            assert!(entry.category.is_some(), "{name}::{}", entry.variant);
        }
    }
    // The same code has the same class and variant in the provider-wide enum and an API's.
    let (all, orders) = (
        catalogue(&model, "Issue")?,
        catalogue(&model, "OrdersIssue")?,
    );
    for entry in &orders.entries {
        let wide = all.entries.iter().find(|e| e.code == entry.code);
        let wide = wide.ok_or(entry.code.as_str())?;
        assert_eq!(
            (&wide.variant, &wide.class, &wide.category),
            (&entry.variant, &entry.class, &entry.category)
        );
    }
    let class_of = |code: &str| {
        all.entries
            .iter()
            .find(|e| e.code == code)
            .map(|e| (e.class.as_str(), e.category.as_deref()))
    };
    assert_eq!(
        class_of("INSTRUMENT_DECLINED"),
        Some(("card_decline", Some("generic")))
    );
    assert_eq!(
        class_of("PREVIOUS_REQUEST_IN_PROGRESS"),
        Some(("conflict", None))
    );
    assert_eq!(
        class_of("INVALID_PARAMETER_VALUE"),
        Some(("invalid_request", None))
    );
    let issue = model.records.iter().find(|r| r.name == "ErrorDetail");
    let details = model.fields.iter().find(|f| f.wire_name == "details");
    assert!(issue.is_some() && details.is_some_and(|f| f.detail_code.is_some()));
    Ok(())
}

/// "Insufficient funds" and "expired card" read the same at Stripe, Adyen and PayPal.
#[test]
fn paypal_declines_share_the_categories_of_stripe_and_adyen() -> TestResult {
    let paypal = model("paypal")?;
    let issues = mapping_of_declines(catalogue(&paypal, "Issue")?);
    // Every processor response code but `0000` (approved) is a decline with a category.
    let codes = catalogue(&paypal, "ProcessorResponseCode")?;
    let processor = mapping_of_declines(codes);
    assert_eq!(processor.len() + 1, codes.entries.len());
    let stripe = mapping(catalogue(&model("stripe")?, "DeclineCode")?)?;
    let adyen = mapping(catalogue(&model("adyen")?, "RefusalReason")?)?;
    let cases = [
        ("insufficient_funds", "12", "5120", "insufficient_funds"),
        ("expired_card", "6", "5400", "expired_card"),
        ("do_not_honor", "2", "0500", "generic"),
        ("incorrect_cvc", "24", "5110", "incorrect_cvc"),
    ];
    for (stripe_code, adyen_code, paypal_code, category) in cases {
        let found = [
            stripe.get(stripe_code),
            adyen.get(adyen_code),
            processor.get(paypal_code),
        ];
        assert_eq!(found, [Some(&category.to_owned()); 3], "{category}");
    }
    assert_eq!(
        issues.get("CARD_EXPIRED").map(String::as_str),
        Some("expired_card")
    );
    assert_eq!(
        issues
            .get("REFUND_FAILED_INSUFFICIENT_FUNDS")
            .map(String::as_str),
        Some("insufficient_funds")
    );
    Ok(())
}

/// code -> category of the codes of a catalogue that have one.
fn mapping_of_declines(catalogue: &CatalogueEnum) -> BTreeMap<String, String> {
    catalogue
        .entries
        .iter()
        .filter_map(|entry| Some((entry.code.clone(), entry.category.clone()?)))
        .collect()
}

/// The facts-catalogue convention refuses what would silently drop a classification.
#[test]
fn a_facts_catalogue_is_checked_against_its_facts() -> TestResult {
    let dir = support::testdata();
    let path = dir.join("errors_details.errors.yaml");
    let text = std::fs::read_to_string(dir.join("errors_details.errors.toml"))?;
    let section: ErrorsSection = toml::from_str(&text)?;
    let facts = Facts::load(&section.errors, &dir)?;
    let build = |edit: &dyn Fn(&mut ErrorCatalogueFile), facts: &Facts| {
        let mut file = ErrorCatalogueFile::load(&path).map_err(|e| e.to_string())?;
        edit(&mut file);
        ErrorModel::from_catalogue(&section.errors, &file, facts, &path).map_err(|e| e.to_string())
    };
    let model = build(&|_| {}, &facts)?;
    let names: Vec<&str> = model.catalogues.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Issue",
            "OrdersIssue",
            "RefundsIssue",
            "CaptureStatus",
            "ResponseCode"
        ]
    );
    type Edit<'a> = &'a dyn Fn(&mut ErrorCatalogueFile);
    let cases: [(Edit<'_>, &Facts, &str); 2] = [
        (
            &|file| file.catalogues[0].entries[0].code = "NOT_LISTED".to_owned(),
            &facts,
            "`NOT_LISTED` is classified but no group",
        ),
        (
            &|_| {},
            &Facts::default(),
            "`from_facts` needs the profile's `[errors.facts]`",
        ),
    ];
    for (edit, facts, expected) in cases {
        match build(edit, facts) {
            Ok(_) => panic!("built, expected {expected}"),
            Err(error) => assert!(error.contains(expected), "{error}"),
        }
    }
    // The facts file is pinned like a spec.
    let mut rules = section.errors.clone();
    if let Some(pin) = rules.facts.as_mut() {
        pin.sha256 = "00".repeat(32);
    }
    let error = Facts::load(&rules, &dir).err().map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("sha256")));
    Ok(())
}

#[test]
fn errors_details() -> TestResult {
    let files = generate_case("errors_details")?;
    let errors = files
        .iter()
        .find(|(name, _)| name == "errors.rs")
        .map(|(_, text)| strip_header(text));
    insta::assert_snapshot!("errors_details", errors.unwrap_or("errors.rs is missing"));
    Ok(())
}
