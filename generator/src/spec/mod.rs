//! Stage 1, **load**: read a provider profile, check each pinned spec file's hash, parse it
//! (YAML or JSON) into [`document`] structs, check its OpenAPI version (3.0.x or 3.1.x),
//! fold its 3.1 forms into 3.0 ones and refuse the schema keywords payforge does not model
//! ([`normalise`]), resolve its `$ref`s to shared parameters, bodies, responses, headers and
//! examples ([`refs`]), refuse the unmodelled keys of operations and the objects around their
//! schemas (`object_keys`), and combine the files into one document ([`combine`]).
//!
//! Every fatal failure is a [`SpecError`] naming the file and, where there is one, the JSON
//! pointer of the offending node; nothing here panics on bad input. A refused keyword is not
//! fatal: it is recorded ([`LoadedSpec::refusals`]) and the IR skips what depends on it.

pub mod catalogue;
pub mod combine;
pub mod document;
mod fixtures;
pub mod normalise;
mod object_keys;
pub mod profile;
mod profile_conventions;
mod profile_errors;
pub mod profile_events;
mod profile_runtime;
pub mod profile_spec;
pub mod profile_webhooks;
mod refs;
mod rename;
mod schema_de;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use catalogue::ErrorCatalogueFile;
pub use combine::Conflict;
pub use document::{Document, Schema};
pub use normalise::Refusal;
pub use profile::ProviderProfile;

use std::collections::BTreeMap;

/// The environment variable naming the directory of upstream specs.
pub const SPECS_DIR_ENV: &str = "PAYFORGE_SPECS_DIR";

/// Why a spec, profile or catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A file could not be read (missing, unreadable).
    #[error("cannot read {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `$PAYFORGE_SPECS_DIR` is not set.
    #[error(
        "{SPECS_DIR_ENV} is not set: point it at the directory of upstream specs (this workspace sets it in .cargo/config.toml)"
    )]
    SpecsDirUnset,
    /// The profile is not valid TOML of the expected shape.
    #[error("invalid provider profile {}: {message}", file.display())]
    Profile {
        /// The profile file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The spec's bytes do not match the pinned hash.
    #[error("{}: sha256 is {actual} but the profile pins {expected}; update the pin only after reviewing the new spec", file.display())]
    HashMismatch {
        /// The spec file.
        file: PathBuf,
        /// The pinned hash.
        expected: String,
        /// The file's hash.
        actual: String,
    },
    /// The file is not valid YAML/JSON of the expected shape.
    #[error("{}: parse error at {pointer}: {message}", file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// The JSON pointer of the node being parsed (empty for the document root).
        pointer: String,
        /// The parser's message (with line and column where the parser knows them).
        message: String,
    },
    /// A `$ref` names a schema the document does not have.
    #[error("{}: dangling $ref `{reference}` at {pointer}", file.display())]
    DanglingRef {
        /// The spec file.
        file: PathBuf,
        /// The pointer of the node holding the `$ref`.
        pointer: String,
        /// The reference.
        reference: String,
    },
    /// The spec's `openapi` version is neither 3.0.x nor 3.1.x.
    #[error("{}: OpenAPI version `{version}` is not supported: payforge reads 3.0.x and 3.1.x", file.display())]
    Version {
        /// The spec file.
        file: PathBuf,
        /// The version the file declares.
        version: String,
    },
    /// The spec uses a construct the generator does not support.
    #[error("{}: unsupported construct at {pointer}: {construct}", file.display())]
    Unsupported {
        /// The spec file.
        file: PathBuf,
        /// The pointer of the offending node.
        pointer: String,
        /// What is unsupported.
        construct: String,
    },
}

/// A loaded, hash-checked spec (one document combined from every pinned file) with its
/// profile and error catalogue.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The provider profile.
    pub profile: ProviderProfile,
    /// The parsed, normalised, resolved and combined spec.
    pub document: Document,
    /// The first (primary) spec file that was read; errors without a better file name it.
    pub file: PathBuf,
    /// The spec's sha256 (lowercase hex), as checked; for several files, each file's hash in
    /// pin order, joined with `, `.
    pub sha256: String,
    /// Every spec file that was read, in pin order.
    pub sources: Vec<SourceFile>,
    /// The file each path, webhook and schema came from.
    pub origins: combine::Origins,
    /// The keywords loading refused, each with its file and JSON pointer.
    pub refusals: Vec<(PathBuf, Refusal)>,
    /// What two pinned files define differently, and which one was kept.
    pub conflicts: Vec<Conflict>,
    /// The error catalogue.
    pub catalogue: ErrorCatalogueFile,
    /// The error codes of the pinned facts file (`[errors.facts]`), per resource group.
    pub facts: catalogue::Facts,
    /// The provider's example objects by schema name, when the profile's leniency policy
    /// reads them (`[responses] required_fields = "omitted_in_fixtures"`).
    pub fixtures: BTreeMap<String, serde_json::Value>,
}

impl LoadedSpec {
    /// Loads the profile at `profile_path` and the spec it pins from `specs_dir`.
    pub fn load(profile_path: &Path, specs_dir: &Path) -> Result<Self, SpecError> {
        Self::load_profile(ProviderProfile::load(profile_path)?, specs_dir)
    }

    /// Loads the spec files a parsed profile pins from `specs_dir`, checking their hashes,
    /// and combines them.
    pub fn load_profile(profile: ProviderProfile, specs_dir: &Path) -> Result<Self, SpecError> {
        let mut sources = Vec::new();
        let mut documents = Vec::new();
        let mut refusals = Vec::new();
        for pin in &profile.spec.files {
            let file = specs_dir.join(&pin.file);
            let bytes = read(&file)?;
            let sha256 = check_pin(&file, &bytes, &pin.sha256)?;
            let mut document: Document = parse_document(&file, &bytes)?;
            check_version(&file, &document.openapi)?;
            let refused = normalise::normalise(&mut document, &profile.spec.ignored_extensions);
            refusals.extend(refused.into_iter().map(|r| (file.clone(), r)));
            refs::resolve_document(&mut document);
            let refused =
                object_keys::check_operations(&mut document, &profile.spec.ignored_extensions);
            refusals.extend(refused.into_iter().map(|r| (file.clone(), r)));
            documents.push(combine::Part {
                name: pin.file.clone(),
                schema_prefix: pin.schema_prefix.clone(),
                document,
            });
            sources.push(SourceFile {
                name: pin.file.clone(),
                file,
                sha256,
            });
        }
        let (document, origins, conflicts) =
            combine::combine(documents).ok_or_else(|| SpecError::Profile {
                file: profile.dir.join("provider.toml"),
                message: "[spec] pins no file".to_owned(),
            })?;
        let catalogue = ErrorCatalogueFile::load(&profile.catalogue_path())?;
        let facts = catalogue::Facts::load(&profile.errors, specs_dir)?;
        let fixtures = fixtures::load(&profile, specs_dir)?;
        let join = |part: fn(&SourceFile) -> String| {
            sources.iter().map(part).collect::<Vec<_>>().join(", ")
        };
        let sha256 = join(|source| source.sha256.clone());
        let file = sources.first().map(|s| s.file.clone()).unwrap_or_default();
        Ok(Self {
            profile,
            document,
            file,
            sha256,
            sources,
            origins,
            refusals,
            conflicts,
            catalogue,
            facts,
            fixtures,
        })
    }

    /// Loads the profile, reading the specs directory from `$PAYFORGE_SPECS_DIR`.
    pub fn load_from_env(profile_path: &Path) -> Result<Self, SpecError> {
        Self::load(profile_path, &specs_dir_from_env()?)
    }

    /// The spec's file name as pinned, as named in generated headers and errors; for
    /// several files, each name in pin order, joined with `, `.
    pub fn file_name(&self) -> String {
        self.sources
            .iter()
            .map(|source| source.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The spec file holding the node at `pointer` of the combined document (the primary
    /// file when the pointer names no path, webhook or schema).
    pub fn file_of(&self, pointer: &str) -> PathBuf {
        self.origins
            .file_of(pointer)
            .and_then(|name| self.sources.iter().find(|source| source.name == name))
            .map_or_else(|| self.file.clone(), |source| source.file.clone())
    }

    /// An unsupported-construct error at `pointer` in this spec.
    pub fn unsupported(&self, pointer: &str, construct: impl Into<String>) -> SpecError {
        SpecError::Unsupported {
            file: self.file_of(pointer),
            pointer: pointer.to_owned(),
            construct: construct.into(),
        }
    }

    /// Resolves a `$ref` found at `pointer` to the component schema's name and schema.
    pub fn resolve<'a>(
        &'a self,
        reference: &str,
        pointer: &str,
    ) -> Result<(&'a str, &'a Schema), SpecError> {
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            return Err(self.unsupported(
                pointer,
                format!("$ref `{reference}`: only #/components/schemas/<name> is supported"),
            ));
        };
        let name = unescape_pointer_token(name);
        self.document
            .components
            .schemas
            .get_key_value(name.as_str())
            .map(|(key, schema)| (key.as_str(), schema))
            .ok_or_else(|| SpecError::DanglingRef {
                file: self.file_of(pointer),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            })
    }
}

/// One pinned spec file, as read.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file name as pinned, relative to the specs directory.
    pub name: String,
    /// The file's path.
    pub file: PathBuf,
    /// Its sha256 (lowercase hex), as checked.
    pub sha256: String,
}

/// Checks that a document's `openapi` version is 3.0.x or 3.1.x.
pub fn check_version(file: &Path, version: &str) -> Result<(), SpecError> {
    let mut parts = version.split('.');
    let supported = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("3"), Some("0" | "1"), Some(patch), None)
            if !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit())
    );
    if supported {
        Ok(())
    } else {
        Err(SpecError::Version {
            file: file.to_path_buf(),
            version: version.to_owned(),
        })
    }
}

/// The specs directory named by `$PAYFORGE_SPECS_DIR`.
fn specs_dir_from_env() -> Result<PathBuf, SpecError> {
    std::env::var_os(SPECS_DIR_ENV)
        .map(PathBuf::from)
        .ok_or(SpecError::SpecsDirUnset)
}

/// The first (primary) file a profile pins and its bytes, read from `specs_dir` and checked
/// against the pinned sha256.
fn read_pinned(
    profile: &ProviderProfile,
    specs_dir: &Path,
) -> Result<(PathBuf, Vec<u8>), SpecError> {
    let pin = profile.spec.primary().ok_or_else(|| SpecError::Profile {
        file: profile.dir.join("provider.toml"),
        message: "[spec] pins no file".to_owned(),
    })?;
    let file = specs_dir.join(&pin.file);
    let bytes = read(&file)?;
    check_pin(&file, &bytes, &pin.sha256)?;
    Ok((file, bytes))
}

/// The raw bytes of the (first) spec file that the profile at `profile_path` pins, read from
/// `$PAYFORGE_SPECS_DIR` and checked against its sha256, with the file's path. For tools
/// that read the spec their own way (the sandbox's build script) but must read the same
/// pinned file, with the same errors, as the generator.
pub fn read_pinned_from_env(profile_path: &Path) -> Result<(PathBuf, Vec<u8>), SpecError> {
    read_pinned(
        &ProviderProfile::load(profile_path)?,
        &specs_dir_from_env()?,
    )
}

/// Checks a file's bytes against a pinned sha256.
pub(crate) fn check_pin(file: &Path, bytes: &[u8], expected: &str) -> Result<String, SpecError> {
    let actual = hex::encode(Sha256::digest(bytes));
    if actual.eq_ignore_ascii_case(expected) {
        Ok(actual)
    } else {
        Err(SpecError::HashMismatch {
            file: file.to_path_buf(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// Reads a file, naming it in the error.
pub(crate) fn read(file: &Path) -> Result<Vec<u8>, SpecError> {
    std::fs::read(file).map_err(|source| SpecError::Read {
        file: file.to_path_buf(),
        source,
    })
}

/// Parses YAML or JSON (by extension) into `T`, reporting the JSON pointer of a failure.
pub(crate) fn parse_document<T: serde::de::DeserializeOwned>(
    file: &Path,
    bytes: &[u8],
) -> Result<T, SpecError> {
    let is_json = file.extension().is_some_and(|ext| ext == "json");
    let parse_error = |pointer: String, message: String| SpecError::Parse {
        file: file.to_path_buf(),
        pointer,
        message,
    };
    if is_json {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| parse_error(path_to_pointer(e.path()), e.into_inner().to_string()))
    } else {
        let de = serde_yaml::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de)
            .map_err(|e| parse_error(path_to_pointer(e.path()), e.into_inner().to_string()))
    }
}

/// Converts serde_path_to_error's path into a JSON pointer (`/paths/~1v1~1charges/get`).
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&escape_pointer_token(key))
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// Escapes one JSON pointer token (`~` -> `~0`, `/` -> `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape_pointer_token`].
pub fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends a token to a JSON pointer.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}
