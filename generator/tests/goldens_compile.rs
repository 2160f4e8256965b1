//! Every golden (the code generated for each spec under `specs/testdata/`) compiles, with
//! all its features, under `-D warnings -D missing_docs`: a golden that reads right but does
//! not type-check against the real runtime and macros fails here.
//!
//! Each case is written as a standalone crate (`Layout::Standalone`) into one scratch
//! workspace under cargo's test temp dir, depending on this repository's `payforge` by path,
//! and the whole workspace is checked with one `cargo check` (offline, with this
//! workspace's lock file, so it resolves the same versions).

mod support;

use std::path::Path;
use std::process::Command;

use payforge_generator::{Ir, Layout};
use support::load_case;

const CASES: &[&str] = &[
    "struct_fields",
    "string_enum",
    "union_tagged",
    "union_untagged",
    "expandable",
    "maps",
    "recursion",
    "keywords",
    "dedup",
    "list_search",
    "form_body",
    "multipart",
    "path_params",
    "events",
    "ordering",
    "site_names",
    "expand_params",
    "servers",
    "required_objects",
    "leniency",
    "place_names",
    "oas31_forms",
    "ref_components",
    "webhooks_map",
    "webhooks_map_batch",
    "events_profile",
    "json_body",
    "header_params",
    "all_of",
    "discriminated",
    "maps_json",
    "errors_unwrapped",
    "errors_details",
    "sensitive_sites",
    "multi_file",
    "hateoas_paging",
];

#[test]
fn every_golden_compiles_without_warnings() -> Result<(), Box<dyn std::error::Error>> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()?;
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("goldens");
    let mut members = Vec::new();
    for case in CASES {
        let ir = Ir::build(&load_case(case)?)?;
        let dir = scratch.join(case);
        payforge_generator::emit::write_sdk(&ir, &dir, Layout::Standalone)?;
        // The standalone manifest names the published runtime; check against this one.
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?
            .replace(
                &format!("name = {:?}", ir.profile.provider.crate_name),
                &format!("name = \"golden-{}\"", case.replace('_', "-")),
            )
            .replace(
                "payforge = \"0.1.0\"",
                &format!(
                    "payforge = {{ path = {:?}, default-features = false }}",
                    repo.join("runtime")
                ),
            );
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        members.push(format!("{case:?}"));
    }
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    std::fs::copy(repo.join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(&scratch)
        .args([
            "check",
            "--workspace",
            "--all-features",
            "--offline",
            "--quiet",
            "--keep-going",
        ])
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RUSTFLAGS", "-D warnings -D missing_docs")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the goldens do not compile cleanly:\n{stderr}"
    );
    Ok(())
}
