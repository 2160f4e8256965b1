//! Every recogniser of a provider's spec dialect is a convention the profile turns on
//! (docs/generated-code.md, "Profile keys"): with its switch off, the construct it
//! recognises is generated as the plain schema says.

mod support;

use payforge_generator::spec::ProviderProfile;
use payforge_generator::{Ir, Layout, LoadedSpec};
use support::{profile_for, read_dir_sorted, testdata};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Every generated file of `case`, joined, with the test profile changed by `change`.
fn generated(case: &str, change: fn(&mut ProviderProfile)) -> Result<String, Box<dyn std::error::Error>> {
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
    let cases: [(&str, fn(&mut ProviderProfile), &str); 7] = [
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
    ];
    for (case, switch_off, recognised) in cases {
        let on = generated(case, |_| {})?;
        let off = generated(case, switch_off)?;
        assert!(on.contains(recognised), "{case}: `{recognised}` with the convention on");
        assert!(!off.contains(recognised), "{case}: `{recognised}` with it off");
    }
    Ok(())
}
