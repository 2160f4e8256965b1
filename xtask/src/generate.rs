//! `cargo xtask generate`, `check` and `bench generate`: run the generator on every provider
//! profile under `specs/` (each directory with a `provider.toml`).
//!
//! `generate` writes each SDK's source to `target/payforge/<provider>/` for review (the SDK
//! crates generate their own copy in their build scripts), the coverage report to
//! `target/payforge/coverage-<provider>.md`, and prints one line per provider:
//! `stripe: 468/468 operations, 819/819 schemas`. With `--out DIR` it writes a standalone
//! crate (`Cargo.toml`, `src/*.rs`) instead.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use payforge_generator::emit::{coverage_report, features_table, summary_line};
use payforge_generator::spec::{ProviderProfile, SPECS_DIR_ENV};
use payforge_generator::{Ir, Layout, LoadedSpec};

/// The directory holding our provider profiles.
const PROFILES_DIR: &str = "specs";
/// Where review copies and coverage reports go.
const REPORT_DIR: &str = "target/payforge";

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Generate only this provider (the `name` in its specs/<dir>/provider.toml).
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Write a standalone SDK crate (Cargo.toml, src/*.rs) into DIR instead of the review
    /// copy under target/payforge/; needs --provider.
    #[arg(long, value_name = "DIR", requires = "provider")]
    out: Option<PathBuf>,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Check only this provider.
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
}

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: Bench,
}

/// The benchmarks `bench` runs.
#[derive(Debug, clap::Subcommand)]
enum Bench {
    /// Time whole-SDK generation in release mode (load, build the IR, emit), through
    /// `cargo bench -p payforge-generator --bench generate`.
    Generate {
        /// How many generations to time.
        runs: Option<u32>,
    },
}

/// Every provider profile, sorted by directory.
fn profiles() -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(PROFILES_DIR).with_context(|| format!("cannot list {PROFILES_DIR}/"))?
    {
        let profile = entry?.path().join("provider.toml");
        if profile.is_file() {
            out.push(profile);
        }
    }
    out.sort();
    Ok(out)
}

fn specs_dir() -> anyhow::Result<PathBuf> {
    std::env::var_os(SPECS_DIR_ENV)
        .map(PathBuf::from)
        .with_context(|| format!("{SPECS_DIR_ENV} is not set; run through `cargo xtask`, which sets it in .cargo/config.toml"))
}

/// The profiles selected by `--provider` (all when absent).
fn selected(provider: Option<&str>) -> anyhow::Result<Vec<PathBuf>> {
    let all = profiles()?;
    let Some(name) = provider else { return Ok(all) };
    // Another provider's profile that does not load (one being edited) does not stop this
    // one from generating; it is named only if the provider asked for is not found.
    let mut unreadable = Vec::new();
    for path in all {
        match ProviderProfile::load(&path) {
            Ok(profile) if profile.provider.name == name => return Ok(vec![path]),
            Ok(_) => {}
            Err(error) => unreadable.push(format!("\n  {error}")),
        }
    }
    bail!(
        "no provider `{name}` under {PROFILES_DIR}/{}",
        if unreadable.is_empty() {
            String::new()
        } else {
            format!("; these profiles do not load:{}", unreadable.concat())
        }
    )
}

/// `cargo xtask generate [--provider NAME] [--out DIR]`.
pub fn run(options: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let specs = specs_dir()?;
    let profiles = selected(options.provider.as_deref())?;
    for profile in profiles {
        let spec = LoadedSpec::load(&profile, &specs)?;
        let ir = Ir::build(&spec)?;
        let name = ir.profile.provider.name.clone();
        let (out_dir, layout) = match &options.out {
            Some(dir) => (dir.clone(), Layout::Standalone),
            None => (Path::new(REPORT_DIR).join(&name), Layout::Standalone),
        };
        payforge_generator::emit::write_sdk(&ir, &out_dir, layout)?;
        let report = Path::new(REPORT_DIR).join(format!("coverage-{name}.md"));
        payforge_generator::emit::write_if_changed(&report, coverage_report(&ir).as_bytes())?;
        check_features(&ir)?;
        println!("{}", summary_line(&ir));
        if !ir.coverage.skipped.is_empty() {
            println!(
                "  {} skipped: see {}",
                ir.coverage.skipped.len(),
                report.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask check`: every SDK crate declares exactly the features its spec needs.
pub fn check(options: &CheckArgs) -> anyhow::Result<ExitCode> {
    let specs = specs_dir()?;
    for profile in selected(options.provider.as_deref())? {
        let ir = Ir::build(&LoadedSpec::load(&profile, &specs)?)?;
        check_features(&ir)?;
        println!("{}: features in sync", ir.profile.provider.name);
    }
    Ok(ExitCode::SUCCESS)
}

/// Compares the SDK crate's `[features]` with the resource groups of the spec.
fn check_features(ir: &Ir) -> anyhow::Result<()> {
    let manifest_path = Path::new(&ir.profile.provider.crate_dir).join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let problems = payforge_generator::emit::feature_problems(ir, &manifest);
    if !problems.is_empty() {
        bail!(
            "{} is out of step with the spec:\n  {}\nThe expected table (keep your `default`):\n{}",
            manifest_path.display(),
            problems.join("\n  "),
            features_table(ir, &[])
        );
    }
    Ok(())
}

/// `cargo xtask bench generate [RUNS]`: the generator's release-mode benchmark (load,
/// build the IR, emit the whole SDK; see `generator/benches/generate.rs`).
pub fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let Bench::Generate { runs } = &args.what;
    let status = Command::new(crate::cargo())
        .args([
            "bench",
            "-p",
            "payforge-generator",
            "--bench",
            "generate",
            "--",
        ])
        .args(runs.map(|runs| runs.to_string()))
        .status()
        .context("cannot start `cargo bench`")?;
    Ok(crate::exit_code_of(status))
}
