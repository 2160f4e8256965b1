//! # payforge-generator: OpenAPI spec -> IR -> Rust tokens -> formatted files
//!
//! Three stages, data flowing one way (see `README.md` beside this crate):
//! 1. [`spec`] loads a provider profile, checks the pinned spec's hash, parses the spec and
//!    resolves `$ref`s;
//! 2. [`ir`] builds our own model of the SDK (types by stable id, operations, events,
//!    errors, the feature closure of every type);
//! 3. [`emit`] turns the IR into tokens, formats them with `prettyplease`, and writes each
//!    file through one function ([`emit::write_rust_file`]).
//!
//! [`generate`] runs all three; the SDK crates' build scripts, `cargo xtask generate` and
//! the tests all call it.
#![forbid(unsafe_code)]

pub mod emit;
pub mod ir;
pub mod spec;

use std::path::{Path, PathBuf};

pub use emit::{EmitError, Layout};
pub use ir::Ir;
pub use spec::{LoadedSpec, SpecError};

/// Any failure of the generator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec, profile or catalogue could not be loaded.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Output could not be produced or written.
    #[error(transparent)]
    Emit(#[from] EmitError),
}

/// What one generation run produced.
#[derive(Debug)]
pub struct Generated {
    /// The IR, with its coverage counts.
    pub ir: Ir,
    /// Every file written or left unchanged, relative to the output directory.
    pub files: Vec<PathBuf>,
    /// The files whose bytes changed.
    pub changed: Vec<PathBuf>,
}

/// Loads the profile at `profile_path` and its spec from `specs_dir`, and writes the SDK
/// into `out_dir` in the given layout.
pub fn generate(
    profile_path: &Path,
    specs_dir: &Path,
    out_dir: &Path,
    layout: Layout,
) -> Result<Generated, Error> {
    let spec = LoadedSpec::load(profile_path, specs_dir)?;
    let ir = Ir::build(&spec)?;
    let (files, changed) = emit::write_sdk(&ir, out_dir, layout)?;
    Ok(Generated { ir, files, changed })
}

/// The body of an SDK crate's build script: generates the SDK of the profile at
/// `profile` (relative to the crate's directory) into `OUT_DIR`, tells cargo when to rerun,
/// and checks that the crate's `[features]` match the spec's resource groups.
pub fn build_script(profile: &str) -> Result<(), BuildScriptError> {
    let var = |name: &'static str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .ok_or(BuildScriptError::Env(name))
    };
    let crate_dir = var("CARGO_MANIFEST_DIR")?;
    let out_dir = var("OUT_DIR")?;
    let profile_path = crate_dir.join(profile);
    println!("cargo:rerun-if-env-changed={}", spec::SPECS_DIR_ENV);
    println!("cargo:rerun-if-changed={}", profile_path.display());
    let spec = LoadedSpec::load_from_env(&profile_path)?;
    for source in &spec.sources {
        println!("cargo:rerun-if-changed={}", source.file.display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        spec.profile.catalogue_path().display()
    );
    if let (Some(pin), Some(specs_dir)) = (
        &spec.profile.responses.fixtures,
        std::env::var_os(spec::SPECS_DIR_ENV),
    ) {
        println!(
            "cargo:rerun-if-changed={}",
            Path::new(&specs_dir).join(&pin.file).display()
        );
    }
    let ir = Ir::build(&spec)?;
    emit::write_sdk(&ir, &out_dir, Layout::BuildScript)?;
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|source| SpecError::Read {
        file: manifest_path.clone(),
        source,
    })?;
    let problems = emit::feature_problems(&ir, &manifest);
    if !problems.is_empty() {
        return Err(BuildScriptError::Features {
            manifest: manifest_path,
            problems: problems.join("\n  "),
            expected: emit::features_table(&ir, &[]),
        });
    }
    Ok(())
}

/// Why an SDK crate's build script failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildScriptError {
    /// Cargo did not set a variable every build script gets.
    #[error("cargo did not set {0}")]
    Env(&'static str),
    /// Generation failed.
    #[error(transparent)]
    Generate(#[from] Error),
    /// The crate's features are out of step with the spec.
    #[error("{} is out of step with the spec:\n  {problems}\nThe expected table (keep your `default`):\n{expected}", manifest.display())]
    Features {
        /// The crate manifest.
        manifest: PathBuf,
        /// What differs.
        problems: String,
        /// The table the spec needs.
        expected: String,
    },
}

impl From<SpecError> for BuildScriptError {
    fn from(error: SpecError) -> Self {
        Self::Generate(error.into())
    }
}

impl From<EmitError> for BuildScriptError {
    fn from(error: EmitError) -> Self {
        Self::Generate(error.into())
    }
}
