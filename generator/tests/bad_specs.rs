//! Bad specs fail with a typed error naming the file and the JSON pointer, never a panic.

mod support;

use std::path::Path;

use payforge_generator::{Ir, LoadedSpec, SpecError};
use support::profile_for;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Writes `text` as `file` in a fresh directory and loads it with the test profile (pinned
/// to `sha256`, or to the file's own hash), then builds the IR.
fn load(
    file: &str,
    text: &str,
    sha256: Option<&str>,
) -> Result<(tempfile::TempDir, Result<Ir, SpecError>), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join(file), text)?;
    let result = profile_for(dir.path(), file, sha256)
        .and_then(|profile| LoadedSpec::load_profile(profile, dir.path()))
        .and_then(|spec| Ir::build(&spec));
    Ok((dir, result))
}

fn error_of(result: Result<Ir, SpecError>) -> Result<SpecError, Box<dyn std::error::Error>> {
    match result {
        Ok(_) => Err("the bad spec loaded".into()),
        Err(error) => Ok(error),
    }
}

const VALID: &str = r#"
openapi: 3.0.0
info: {title: TestPay, version: 2024-01-01}
paths: {}
"#;

#[test]
fn a_missing_file_is_named() -> TestResult {
    let dir = tempfile::tempdir()?;
    let profile = profile_for(dir.path(), "absent.yaml", Some("00"))?;
    let error = LoadedSpec::load_profile(profile, dir.path())
        .err()
        .ok_or("an absent file loaded")?;
    assert!(
        matches!(&error, SpecError::Read { file, .. } if file.ends_with("absent.yaml")),
        "{error:?}"
    );
    assert!(error.to_string().contains("absent.yaml"), "{error}");
    Ok(())
}

#[test]
fn a_hash_mismatch_names_the_file_and_both_hashes() -> TestResult {
    let (_dir, result) = load("spec.yaml", VALID, Some("0000"))?;
    let error = error_of(result)?;
    let SpecError::HashMismatch {
        file,
        expected,
        actual,
    } = &error
    else {
        return Err(format!("{error:?}").into());
    };
    assert!(file.ends_with("spec.yaml"));
    assert_eq!(expected, "0000");
    assert_eq!(actual.len(), 64);
    Ok(())
}

/// Each bad spec, the error variant it must produce, and the pointer it must name.
#[test]
fn bad_specs_name_the_file_and_the_json_pointer() -> TestResult {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "yaml parse error",
            "spec.yaml",
            r#"
openapi: 3.0.0
info: {title: TestPay, version: 2024-01-01}
paths:
  /v1/things:
    get:
      parameters: 7
"#,
            "/paths/~1v1~1things/get/parameters",
        ),
        (
            "json parse error",
            "spec.json",
            r#"{"openapi": "3.0.0", "info": {"title": "TestPay", "version": "1"}, "components": {"schemas": {"a": {"required": "id"}}}}"#,
            "/components/schemas/a/required",
        ),
    ];
    for (what, file, text, pointer) in cases {
        let (_dir, result) = load(file, text, None)?;
        let error = error_of(result)?;
        let (named_file, named_pointer) = match &error {
            SpecError::Parse { file, pointer, .. }
            | SpecError::DanglingRef { file, pointer, .. }
            | SpecError::Unsupported { file, pointer, .. } => (file.clone(), pointer.clone()),
            other => return Err(format!("{what}: unexpected error {other:?}").into()),
        };
        assert!(named_file.ends_with(Path::new(file)), "{what}: {error}");
        assert_eq!(&named_pointer, pointer, "{what}: {error}");
        assert!(
            error.to_string().contains(pointer),
            "{what}: the message names the pointer: {error}"
        );
    }
    Ok(())
}

/// An unsupported construct or a dangling `$ref` costs its schema, a coverage skip naming
/// the pointer and the construct (declared as raw JSON, so what refers to it still
/// compiles); everything else is generated.
#[test]
fn an_unsupported_schema_is_skipped_with_its_reason() -> TestResult {
    let spec = r#"
openapi: 3.1.0
info: {title: TestPay, version: 2024-01-01}
paths: {}
components:
  schemas:
    charge:
      type: object
      properties:
        amount:
          type: array
          prefixItems: [{type: integer}]
    refund:
      type: object
      properties:
        charge: {$ref: '#/components/schemas/charge'}
    payout:
      type: object
      properties:
        amount: {type: integer}
        customer: {$ref: '#/components/schemas/customer'}
"#;
    let (_dir, result) = load("spec.yaml", spec, None)?;
    let ir = result?;
    let c = &ir.coverage;
    assert_eq!((c.schemas_generated, c.schemas_total), (1, 3));
    let skipped: Vec<&str> = c.skipped.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(skipped, ["schema `charge`", "schema `payout`"]);
    let why = &c.skipped[0].1;
    assert!(
        why.contains("/components/schemas/charge/properties/amount") && why.contains("prefixItems"),
        "{why}"
    );
    let why = &c.skipped[1].1;
    assert!(
        why.contains("dangling $ref `#/components/schemas/customer`")
            && why.contains("/components/schemas/payout/properties/customer"),
        "{why}"
    );
    Ok(())
}

#[test]
fn an_unsupported_operation_is_skipped_with_its_reason() -> TestResult {
    let spec = r#"
openapi: 3.0.0
info: {title: TestPay, version: 2024-01-01}
paths:
  /v1/things:
    get:
      parameters:
      - {name: session, in: cookie, schema: {type: string}}
      responses:
        '200': {description: OK}
"#;
    let (_dir, result) = load("spec.yaml", spec, None)?;
    let ir = result?;
    assert_eq!(
        (
            ir.coverage.operations_generated,
            ir.coverage.operations_total
        ),
        (0, 1)
    );
    let (what, why) = ir.coverage.skipped.first().ok_or("nothing skipped")?;
    assert_eq!(what, "operation `GET /v1/things`");
    assert!(
        why.contains("/paths/~1v1~1things/get/parameters/0") && why.contains("cookie"),
        "{why}"
    );
    Ok(())
}

#[test]
fn a_profile_resource_naming_no_schema_is_refused_naming_the_entry() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("resources.yaml"),
        "openapi: 3.0.3\ninfo: {title: TestPay, version: '2'}\npaths: {}\ncomponents:\n  schemas:\n    order: {type: object}\n",
    )?;
    std::fs::write(
        dir.path().join("resources.events.toml"),
        "[events]\nsource = \"profile\"\n[events.types]\n\"CHECKOUT.ORDER.APPROVED\" = \"\"\n[events.resources]\n\"checkout-order\" = \"order\"\n\"capture\" = \"capture-2\"\n",
    )?;
    let result = profile_for(dir.path(), "resources.yaml", None)
        .and_then(|profile| LoadedSpec::load_profile(profile, dir.path()))
        .and_then(|spec| Ir::build(&spec));
    match error_of(result)? {
        SpecError::DanglingRef {
            pointer, reference, ..
        } => {
            assert_eq!(pointer, "/components/schemas/capture-2");
            assert_eq!(
                reference,
                "[events.resources] \"capture\" of the provider profile"
            );
        }
        other => return Err(format!("unexpected error: {other}").into()),
    }
    Ok(())
}
