//! The provider's own example objects (Stripe's `fixtures3.json`), read only when the
//! profile's leniency policy needs them, pinned by hash like the spec.

use std::collections::BTreeMap;
use std::path::Path;

use super::profile::{ProviderProfile, RequiredFields};
use super::{SpecError, check_pin, read};

/// The example objects by schema name; empty under the `strict` policy.
pub(super) fn load(
    profile: &ProviderProfile,
    specs_dir: &Path,
) -> Result<BTreeMap<String, serde_json::Value>, SpecError> {
    let rules = &profile.responses;
    if rules.required_fields == RequiredFields::Strict {
        return Ok(BTreeMap::new());
    }
    let Some(pin) = &rules.fixtures else {
        return Err(SpecError::Profile {
            file: profile.dir.join("provider.toml"),
            message: "`[responses] required_fields = \"omitted_in_fixtures\"` needs \
                      `[responses.fixtures]` (file, sha256, objects_pointer)"
                .to_owned(),
        });
    };
    let file = specs_dir.join(&pin.file);
    let bytes = read(&file)?;
    check_pin(&file, &bytes, &pin.sha256)?;
    let parse_error = |pointer: &str, message: String| SpecError::Parse {
        file: file.clone(),
        pointer: pointer.to_owned(),
        message,
    };
    let mut root: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|error| parse_error("", error.to_string()))?;
    match root
        .pointer_mut(&pin.objects_pointer)
        .map(serde_json::Value::take)
    {
        Some(serde_json::Value::Object(objects)) => Ok(objects.into_iter().collect()),
        _ => Err(parse_error(
            &pin.objects_pointer,
            "expected an object of example objects by schema name".to_owned(),
        )),
    }
}
