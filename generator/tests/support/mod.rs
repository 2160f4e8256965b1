//! Loading the small specs under `specs/testdata/` with the test profile.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use payforge_generator::spec::ProviderProfile;
use payforge_generator::spec::profile::{ErrorRules, EventSource, FixturesPin, RequiredFields};
use payforge_generator::{Ir, Layout, LoadedSpec, SpecError};
use sha2::{Digest, Sha256};

/// `specs/testdata/`.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/testdata")
}

/// The test profile pointed at `file` in `specs_dir`, pinned to its current hash (or to
/// `sha256` when given). Events are read only from specs that declare webhook endpoints;
/// a spec `<case>.yaml` with example objects beside it (`<case>.fixtures.json`) is
/// generated under the `omitted_in_fixtures` leniency policy.
pub fn profile_for(
    specs_dir: &Path,
    file: &str,
    sha256: Option<&str>,
) -> Result<ProviderProfile, SpecError> {
    let bytes = std::fs::read(specs_dir.join(file)).unwrap_or_default();
    let mut profile = ProviderProfile::load(&testdata().join(profile_of(&bytes)))?;
    if profile.spec.files.len() > 1 {
        // A profile of several files pins them itself: each is pinned to its current hash.
        for pin in &mut profile.spec.files {
            let bytes = std::fs::read(specs_dir.join(&pin.file)).unwrap_or_default();
            pin.sha256 = hex::encode(Sha256::digest(&bytes));
        }
    } else {
        let sha256 = sha256.map_or_else(|| hex::encode(Sha256::digest(&bytes)), str::to_owned);
        profile.spec.pin_one(file, sha256);
    }
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains("/v1/webhook_endpoints") {
        profile.events.event_types_pointer = None;
    }
    if text.contains("\nwebhooks:") {
        profile.events.source = EventSource::WebhooksMap;
    }
    // A case with error conventions of its own (`<case>.errors.toml`, an `[errors]` table).
    let errors = file
        .strip_suffix(".yaml")
        .map(|case| format!("{case}.errors.toml"));
    if let Some(errors) = errors
        && let Ok(text) = std::fs::read_to_string(specs_dir.join(&errors))
    {
        let table: ErrorsSection = toml::from_str(&text).map_err(|error| SpecError::Profile {
            file: specs_dir.join(&errors),
            message: error.to_string(),
        })?;
        profile.errors = table.errors;
    }
    // A case with an event convention of its own (`<case>.events.toml`, an `[events]` table).
    let events = file
        .strip_suffix(".yaml")
        .map(|case| format!("{case}.events.toml"));
    if let Some(events) = events
        && let Ok(text) = std::fs::read_to_string(specs_dir.join(&events))
    {
        let table: EventsSection = toml::from_str(&text).map_err(|error| SpecError::Profile {
            file: specs_dir.join(&events),
            message: error.to_string(),
        })?;
        profile.events = table.events;
    }
    // A case with type rules of its own (`<case>.types.toml`, a `[types]` table).
    let types = file
        .strip_suffix(".yaml")
        .map(|case| format!("{case}.types.toml"));
    if let Some(types) = types
        && let Ok(text) = std::fs::read_to_string(specs_dir.join(&types))
    {
        let table: TypesSection = toml::from_str(&text).map_err(|error| SpecError::Profile {
            file: specs_dir.join(&types),
            message: error.to_string(),
        })?;
        profile.types = table.types;
    }
    let fixtures = file.replace(".yaml", ".fixtures.json");
    if let Ok(bytes) = std::fs::read(specs_dir.join(&fixtures)) {
        profile.responses.required_fields = RequiredFields::OmittedInFixtures;
        profile.responses.fixtures = Some(FixturesPin {
            file: fixtures,
            sha256: hex::encode(Sha256::digest(&bytes)),
            objects_pointer: "/resources".to_owned(),
        });
    }
    Ok(profile)
}

/// The profile a test spec names on its first line (`# profile: json-profile.toml`), else
/// `test-profile.toml`.
fn profile_of(spec: &[u8]) -> String {
    let text = String::from_utf8_lossy(spec);
    text.lines()
        .next()
        .and_then(|line| line.strip_prefix("# profile: "))
        .map_or_else(
            || "test-profile.toml".to_owned(),
            |name| name.trim().to_owned(),
        )
}

/// A file holding one `[types]` table.
#[derive(serde::Deserialize)]
pub struct TypesSection {
    /// The table.
    pub types: payforge_generator::spec::profile::TypeRules,
}

/// A file holding one `[events]` table.
#[derive(serde::Deserialize)]
pub struct EventsSection {
    /// The table.
    pub events: payforge_generator::spec::profile::EventRules,
}

/// A file holding one `[errors]` table.
#[derive(serde::Deserialize)]
pub struct ErrorsSection {
    /// The table.
    pub errors: ErrorRules,
}

/// Loads test spec `case` (`specs/testdata/<case>.yaml`).
pub fn load_case(case: &str) -> Result<LoadedSpec, SpecError> {
    let dir = testdata();
    LoadedSpec::load_profile(profile_for(&dir, &format!("{case}.yaml"), None)?, &dir)
}

/// Generates test spec `case` into a fresh directory and returns the generated files, by
/// name, in name order.
pub fn generate_case(case: &str) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let ir = Ir::build(&load_case(case)?)?;
    let out = tempfile::tempdir()?;
    payforge_generator::emit::write_sdk(&ir, out.path(), Layout::BuildScript)?;
    read_dir_sorted(out.path())
}

/// Every file of a directory with its text, in name order.
pub fn read_dir_sorted(dir: &Path) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, std::fs::read_to_string(&path)?));
    }
    files.sort();
    Ok(files)
}

/// The generated modules of `case` (without the top file and the errors module, which are
/// the same for every case and have snapshots of their own), joined with file markers.
pub fn modules_of(case: &str) -> Result<String, Box<dyn std::error::Error>> {
    let files = generate_case(case)?;
    Ok(files
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "generated.rs" | "errors.rs" | "resources.rs" | "sensitive_wire.rs"
            )
        })
        .map(|(name, text)| format!("// ==== {name}\n{}", strip_header(text)))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A generated file without its two-line `@generated` header (which carries the hash).
pub fn strip_header(text: &str) -> &str {
    text.splitn(3, '\n').nth(2).unwrap_or(text)
}
