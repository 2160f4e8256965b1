//! The decline vocabulary as data: every decline code of every provider's catalogue maps
//! into one provider-neutral category, and the generator refuses a catalogue that leaves a
//! card decline unmapped. Also the golden of an errors module with no wrapper key and a
//! refusal variant (`specs/testdata/errors_unwrapped*`).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use payforge_generator::ir::ErrorModel;
use payforge_generator::ir::errors::{CatalogueEnum, DECLINE_CATEGORIES};
use payforge_generator::spec::ErrorCatalogueFile;
use payforge_generator::spec::profile::ErrorRules;
use support::{ErrorsSection, generate_case, strip_header};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
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
    Ok(ErrorModel::from_catalogue(&rules(provider)?, &file, &path)?)
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
    ErrorModel::from_catalogue(&section.errors, &file, &path).map_err(|e| e.to_string())
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
