//! The `[spec]` section of a provider profile: the pins of the upstream spec files.
//!
//! Two forms are accepted. A provider with one spec file pins it inline:
//!
//! ```toml
//! [spec]
//! file = "acme/openapi.yaml"
//! sha256 = "…"
//! ```
//!
//! A provider with several lists them, in precedence order (the first file's `info`
//! names the API, and wins a conflict; see [`crate::spec::combine`]):
//!
//! ```toml
//! [[spec.files]]
//! file = "acme/payments.json"
//! sha256 = "…"
//! ```

use serde::Deserialize;

/// The pins of the upstream spec files, with what is true of all of them.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "SpecSection")]
pub struct SpecPin {
    /// The pinned files, in precedence order; never empty.
    pub files: Vec<SpecFile>,
    /// The provider API version the specs describe.
    pub api_version: String,
    /// Where the files came from.
    pub upstream: String,
    /// Vendor extensions (`x-…` keys of schemas) that carry no meaning for payforge and are
    /// ignored; any other `x-…` key of a schema is refused like an unknown keyword.
    pub ignored_extensions: Vec<String>,
}

/// One pinned spec file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// The spec file, relative to `$PAYFORGE_SPECS_DIR`.
    pub file: String,
    /// The lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    /// What a component schema of this file that an earlier file defines differently is
    /// renamed to: `<schema_prefix>_<name>` (with every `$ref` of this file to it), so
    /// both are kept. Without it the earlier file's schema is used and the conflict is
    /// reported. PayPal's APIs each define their own `card`, `money`, … (`subscriptions`).
    #[serde(default)]
    pub schema_prefix: Option<String>,
}

impl SpecPin {
    /// The first (primary) pinned file; `None` only for a pin emptied in code.
    pub fn primary(&self) -> Option<&SpecFile> {
        self.files.first()
    }

    /// Pins exactly one file, replacing the current pins (tests point a profile at one
    /// small spec this way).
    pub fn pin_one(&mut self, file: impl Into<String>, sha256: impl Into<String>) {
        self.files = vec![SpecFile {
            file: file.into(),
            sha256: sha256.into(),
            schema_prefix: None,
        }];
    }
}

/// `[spec]` as written: one inline file, or a `[[spec.files]]` list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecSection {
    file: Option<String>,
    sha256: Option<String>,
    #[serde(default)]
    files: Vec<SpecFile>,
    api_version: String,
    upstream: String,
    #[serde(default)]
    ignored_extensions: Vec<String>,
}

impl TryFrom<SpecSection> for SpecPin {
    type Error = String;

    fn try_from(section: SpecSection) -> Result<Self, Self::Error> {
        let files = match (section.file, section.sha256, section.files.is_empty()) {
            (Some(file), Some(sha256), true) => vec![SpecFile {
                file,
                sha256,
                schema_prefix: None,
            }],
            (None, None, false) => section.files,
            (None, None, true) => {
                return Err(
                    "[spec] pins no file: give `file` and `sha256`, or `[[spec.files]]`".into(),
                );
            }
            (Some(_), None, _) | (None, Some(_), _) => {
                return Err("[spec] needs both `file` and `sha256`".into());
            }
            (Some(_), Some(_), false) => {
                return Err("[spec] has both `file` and `[[spec.files]]`: use one form".into());
            }
        };
        Ok(Self {
            files,
            api_version: section.api_version,
            upstream: section.upstream,
            ignored_extensions: section.ignored_extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SpecPin, String> {
        #[derive(Deserialize)]
        struct Wrapper {
            spec: SpecPin,
        }
        toml::from_str::<Wrapper>(text)
            .map(|w| w.spec)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn one_inline_file_and_a_list_are_both_pins() -> Result<(), String> {
        let one = parse(
            "[spec]\nfile = \"a.yaml\"\nsha256 = \"aa\"\napi_version = \"1\"\nupstream = \"u\"\n",
        )?;
        assert_eq!(
            one.files,
            [SpecFile {
                file: "a.yaml".into(),
                sha256: "aa".into(),
                schema_prefix: None,
            }]
        );
        let many = parse(
            "[spec]\napi_version = \"1\"\nupstream = \"u\"\nignored_extensions = [\"x-a\"]\n\
             [[spec.files]]\nfile = \"a.json\"\nsha256 = \"aa\"\n\
             [[spec.files]]\nfile = \"b.json\"\nsha256 = \"bb\"\n",
        )?;
        assert_eq!(many.files.len(), 2);
        assert_eq!(many.primary().map(|f| f.file.as_str()), Some("a.json"));
        assert_eq!(many.ignored_extensions, ["x-a"]);
        Ok(())
    }

    #[test]
    fn a_pin_without_files_or_with_both_forms_is_refused() {
        for (text, why) in [
            (
                "[spec]\napi_version = \"1\"\nupstream = \"u\"\n",
                "pins no file",
            ),
            (
                "[spec]\nfile = \"a\"\napi_version = \"1\"\nupstream = \"u\"\n",
                "both `file` and `sha256`",
            ),
            (
                "[spec]\nfile = \"a\"\nsha256 = \"aa\"\napi_version = \"1\"\nupstream = \"u\"\n[[spec.files]]\nfile = \"b\"\nsha256 = \"bb\"\n",
                "use one form",
            ),
        ] {
            let error = parse(text).err().unwrap_or_default();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
