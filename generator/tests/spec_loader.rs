//! The loader's contract (docs/generated-code.md, "Spec files"): OpenAPI 3.0.x and 3.1.x
//! only, 3.1 forms folded, unknown and unsupported schema keywords refused with their JSON
//! pointers (never fatal), shared parameters, bodies, responses, headers and examples
//! resolved, and several pinned files combined. The last tests load the real pinned specs
//! from `$PAYFORGE_SPECS_DIR` (set by `.cargo/config.toml`).

mod support;

use std::path::{Path, PathBuf};

use payforge_generator::ir::TypeRef;
use payforge_generator::spec::profile::SpecPin;
use payforge_generator::{Ir, LoadedSpec, SpecError};
use support::{profile_for, testdata};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Loads `text` as `spec.yaml` in a fresh directory with the test profile.
fn load_text(text: &str) -> Result<(tempfile::TempDir, LoadedSpec), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("spec.yaml"), text)?;
    let profile = profile_for(dir.path(), "spec.yaml", None)?;
    let spec = LoadedSpec::load_profile(profile, dir.path())?;
    Ok((dir, spec))
}

/// A 3.1 document whose one component schema `Thing` has `property` as its `p` property.
fn with_property(property: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        p: {property}\n"
    )
}

#[test]
fn an_openapi_30_ref_ignores_its_siblings_as_30_says() -> TestResult {
    // 3.0: "This object cannot be extended with additional properties and any properties
    // added SHALL be ignored." 3.1 refuses them (the case below).
    let text = with_property(
        "{$ref: '#/components/schemas/Thing', type: object, format: uri, maxLength: 4}",
    )
    .replace("openapi: 3.1.0", "openapi: 3.0.3");
    let (_dir, spec) = load_text(&text)?;
    assert!(spec.refusals.is_empty(), "{:?}", spec.refusals);
    let thing = &spec.document.components.schemas["Thing"];
    let p = thing
        .properties
        .as_ref()
        .and_then(|properties| properties.get("p"))
        .ok_or("no property p")?;
    assert_eq!(p.reference.as_deref(), Some("#/components/schemas/Thing"));
    assert_eq!(
        (p.kind.as_deref(), p.format.as_deref(), p.max_length),
        (None, None, None)
    );
    Ok(())
}

#[test]
fn refused_keywords_are_named_with_their_json_pointer() -> TestResult {
    let cases: &[(&str, &str, &str)] = &[
        (
            "{type: array, prefixItems: [{type: string}]}",
            "/p/prefixItems",
            "JSON Schema keyword",
        ),
        (
            "{if: {type: string}, then: {type: string}}",
            "/p/if",
            "JSON Schema keyword",
        ),
        (
            "{type: object, $defs: {a: {type: string}}}",
            "/p/$defs",
            "JSON Schema keyword",
        ),
        (
            "{type: object, unevaluatedProperties: false}",
            "/p/unevaluatedProperties",
            "JSON Schema keyword",
        ),
        (
            "{type: object, patternProperties: {'^a': {type: string}}}",
            "/p/patternProperties",
            "JSON Schema keyword",
        ),
        (
            "{type: object, dependentSchemas: {}}",
            "/p/dependentSchemas",
            "JSON Schema keyword",
        ),
        ("{not: {type: string}}", "/p/not", "JSON Schema keyword"),
        (
            "{type: string, colour: red}",
            "/p/colour",
            "not a schema keyword",
        ),
        (
            "{type: string, x-secret-meaning: 1}",
            "/p/x-secret-meaning",
            "ignored_extensions",
        ),
        ("{type: [string, integer]}", "/p/type", "several types"),
        ("{type: 'null'}", "/p/type", "only `null`"),
        (
            "{type: string, enum: [a], const: b}",
            "/p/const",
            "`const` beside an `enum`",
        ),
        (
            "{$ref: '#/components/schemas/Thing', type: object}",
            "/p/type",
            "beside a `$ref`",
        ),
        (
            "{type: object, properties: {q: {type: string, minContains: 1}}}",
            "/p/properties/q/minContains",
            "JSON Schema keyword",
        ),
    ];
    for (property, pointer, reason) in cases {
        let (_dir, spec) = load_text(&with_property(property))?;
        let pointer = format!("/components/schemas/Thing/properties{pointer}");
        let refusal = spec
            .refusals
            .iter()
            .map(|(_, refusal)| refusal)
            .find(|refusal| refusal.pointer == pointer)
            .ok_or_else(|| format!("{property}: no refusal at {pointer}: {:?}", spec.refusals))?;
        assert!(
            refusal.reason.contains(reason),
            "{property}: {}",
            refusal.reason
        );
    }
    Ok(())
}

#[test]
fn a_refused_keyword_is_not_fatal_and_a_listed_extension_is_ignored() -> TestResult {
    let (_dir, spec) = load_text(&with_property(
        "{type: string, x-addedInVersion: '2', prefixItems: []}",
    ))?;
    let refused: Vec<&str> = spec
        .refusals
        .iter()
        .map(|(_, r)| r.pointer.as_str())
        .collect();
    assert_eq!(
        refused,
        ["/components/schemas/Thing/properties/p/prefixItems"]
    );
    let thing = spec
        .document
        .components
        .schemas
        .get("Thing")
        .ok_or("no Thing")?;
    let p = thing
        .properties
        .as_ref()
        .and_then(|p| p.get("p"))
        .ok_or("no p")?;
    assert!(p.refusal().is_some_and(|k| k.contains("prefixItems")));
    Ok(())
}

#[test]
fn the_openapi_version_must_be_3_0_or_3_1() -> TestResult {
    for (version, accepted) in [
        ("3.0.0", true),
        ("3.0.3", true),
        ("3.1.0", true),
        ("3.2.0", false),
        ("2.0", false),
        ("3.1", false),
        ("4.0.0", false),
    ] {
        let text = format!("openapi: '{version}'\ninfo: {{title: T, version: '1'}}\n");
        match load_text(&text) {
            Ok(_) => assert!(accepted, "{version} was accepted"),
            Err(error) => {
                let error = error.downcast::<SpecError>()?;
                assert!(
                    !accepted && matches!(*error, SpecError::Version { .. }),
                    "{version}: {error}"
                );
                assert!(error.to_string().contains(version), "{error}");
            }
        }
    }
    Ok(())
}

#[test]
fn the_3_1_forms_are_folded_into_the_3_0_ones() -> TestResult {
    let spec = support::load_case("oas31_forms")?;
    assert!(spec.refusals.is_empty(), "{:?}", spec.refusals);
    let refund = spec
        .document
        .components
        .schemas
        .get("Refund")
        .ok_or("no Refund")?;
    let property = |name: &str| refund.properties.as_ref().and_then(|p| p.get(name));
    let reason = property("reason").ok_or("no reason")?;
    assert_eq!(
        (reason.kind.as_deref(), reason.nullable),
        (Some("string"), true)
    );
    let kind = property("kind").ok_or("no kind")?;
    assert_eq!(kind.values, Some(vec![serde_json::json!("refund")]));
    let amount = property("amount").ok_or("no amount")?;
    assert_eq!(
        amount.description.as_deref(),
        Some("The refunded amount, in minor units.")
    );
    Ok(())
}

#[test]
fn shared_parameters_bodies_responses_headers_and_examples_are_resolved() -> TestResult {
    let spec = support::load_case("ref_components")?;
    let refunds = spec
        .document
        .paths
        .get("/v1/refunds/{refund}")
        .ok_or("no path")?;
    assert_eq!(refunds.parameters[0].name, "refund");
    let get = refunds.get.as_ref().ok_or("no get")?;
    let limit = &get.parameters[0];
    assert_eq!(
        (limit.reference.as_deref(), limit.name.as_str()),
        (None, "limit")
    );
    assert_eq!(
        limit.description.as_deref(),
        Some("Ignored for a single refund; kept to show the override.")
    );
    let response = get.responses.get("200").ok_or("no 200")?;
    assert_eq!(response.description.as_deref(), Some("The refund."));
    let header = response.headers.get("Request-Id").ok_or("no header")?;
    assert_eq!(header.description.as_deref(), Some("The request's id."));
    let post = spec
        .document
        .paths
        .get("/v1/refunds")
        .and_then(|p| p.post.as_ref());
    let body = post
        .and_then(|op| op.request_body.as_ref())
        .ok_or("no body")?;
    assert!(body.reference.is_none() && body.required && !body.content.is_empty());
    Ok(())
}

/// The specs directory of `.cargo/config.toml`.
fn specs_dir() -> Result<PathBuf, Box<dyn std::error::Error>> {
    Ok(PathBuf::from(std::env::var(
        payforge_generator::spec::SPECS_DIR_ENV,
    )?))
}

/// The test profile with the `[spec]` pins of `specs/<provider>/provider.toml`.
fn pins_of(
    provider: &str,
) -> Result<payforge_generator::spec::ProviderProfile, Box<dyn std::error::Error>> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../specs/{provider}/provider.toml"));
    let table: toml::Table = std::fs::read_to_string(path)?.parse()?;
    let spec: SpecPin = table.get("spec").cloned().ok_or("no [spec]")?.try_into()?;
    let mut profile =
        payforge_generator::spec::ProviderProfile::load(&testdata().join("test-profile.toml"))?;
    profile.spec = spec;
    profile.events.event_types_pointer = None;
    Ok(profile)
}

#[test]
fn all_four_pinned_adyen_files_load_and_combine() -> TestResult {
    let spec = LoadedSpec::load_profile(pins_of("adyen")?, &specs_dir()?)?;
    assert_eq!(spec.sources.len(), 4);
    assert!(spec.refusals.is_empty(), "{:?}", spec.refusals);
    assert!(spec.conflicts.is_empty(), "{:?}", spec.conflicts);
    assert_eq!(spec.document.info.title, "Adyen Checkout API");
    assert_eq!(spec.document.webhooks.len(), 48 + 8 + 4);
    // 250 + 115 + 25 + 7, less `Amount`, which Checkout and Webhooks define alike.
    assert_eq!(spec.document.components.schemas.len(), 396);
    let mut idempotency_params = 0;
    for item in spec
        .document
        .paths
        .values()
        .chain(spec.document.webhooks.values())
    {
        for (_, operation) in item.operations() {
            for parameter in &operation.parameters {
                assert!(parameter.reference.is_none(), "{:?}", parameter.reference);
                idempotency_params += usize::from(parameter.name == "Idempotency-Key");
            }
            for response in operation.responses.values() {
                assert!(response.headers.values().all(|h| h.reference.is_none()));
                for media in response.content.values() {
                    assert!(
                        media
                            .examples
                            .values()
                            .all(|e| e.reference.is_none() && e.value.is_some())
                    );
                }
            }
        }
    }
    assert_eq!(idempotency_params, 22);
    let origin = spec.file_of("/webhooks/~1AUTHORISATION/post");
    assert!(
        origin.ends_with("adyen/Webhooks-v1.json"),
        "{}",
        origin.display()
    );
    let origin = spec.file_of("/components/schemas/Amount");
    assert!(
        origin.ends_with("adyen/CheckoutService-v72.json"),
        "{}",
        origin.display()
    );
    Ok(())
}

#[test]
fn the_stripe_spec_loads_with_nothing_refused() -> TestResult {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/stripe/provider.toml");
    let spec = LoadedSpec::load_from_env(&profile)?;
    assert!(spec.refusals.is_empty(), "{:?}", spec.refusals);
    assert_eq!(spec.file_name(), "stripe/spec3.yaml");
    assert_eq!(spec.sha256.len(), 64);
    Ok(())
}

#[test]
fn adyen_webhook_event_codes_come_from_the_three_webhooks_maps() -> TestResult {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/adyen/provider.toml");
    let ir = Ir::build(&LoadedSpec::load_from_env(&profile)?)?;
    assert_eq!(ir.events.len(), 48 + 8 + 4);
    for code in [
        "AUTHORISATION",
        "CANCEL_OR_REFUND",
        "merchant.created",
        "recurring.token.created",
    ] {
        assert!(ir.events.contains_key(code), "{code}");
    }
    let authorisation = ir.events.get("AUTHORISATION").ok_or("no AUTHORISATION")?;
    assert_eq!(authorisation.variant, "Authorisation");
    // A classic notification's event is one item of its batch (`payload_path`); a
    // Management event is its whole body.
    let payload = |code: &str| match ir.events.get(code).map(|e| &e.object) {
        Some(TypeRef::Named(id)) => id.0.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(
        payload("AUTHORISATION"),
        "#/components/schemas/AuthorisationNotificationRequestItem"
    );
    assert_eq!(
        payload("merchant.created"),
        "#/components/schemas/MerchantCreatedNotificationRequest"
    );
    // Every payload schema converts (whatever the IR does with allOf and discriminators,
    // which no payload uses).
    assert_eq!(ir.coverage.events_typed, 60);
    assert!(
        ir.coverage.schemas_generated >= 392,
        "{:?}",
        ir.coverage.skipped
    );
    Ok(())
}

#[test]
fn an_unknown_key_of_an_operation_or_its_parameters_skips_the_operation() -> TestResult {
    let (_dir, spec) = load_text(
        r#"
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/things:
    get:
      callbacks: {}
      parameters:
      - {name: limit, in: query, schema: {type: integer}, style: form, x-addedInVersion: '2', allowReserved: true}
      responses:
        '200': {description: OK, links: {}}
"#,
    )?;
    let refused: Vec<&str> = spec
        .refusals
        .iter()
        .map(|(_, r)| r.pointer.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "/paths/~1v1~1things/get/callbacks",
            "/paths/~1v1~1things/get/parameters/0/allowReserved",
            "/paths/~1v1~1things/get/responses/200/links",
        ]
    );
    let ir = Ir::build(&spec)?;
    let (what, why) = ir.coverage.skipped.first().ok_or("nothing skipped")?;
    assert_eq!(what, "operation `GET /v1/things`");
    assert!(
        why.contains("`callbacks`: not a key of an operation"),
        "{why}"
    );
    Ok(())
}

#[test]
fn an_unresolvable_shared_parameter_stays_a_reference_and_skips_its_operation() -> TestResult {
    let (_dir, spec) = load_text(
        r#"
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/things:
    get:
      parameters:
      - $ref: '#/components/parameters/Missing'
      responses:
        '200': {description: OK}
"#,
    )?;
    let ir = Ir::build(&spec)?;
    let (what, why) = ir.coverage.skipped.first().ok_or("nothing skipped")?;
    assert_eq!(what, "operation `GET /v1/things`");
    assert!(
        why.contains("/paths/~1v1~1things/get/parameters/0") && why.contains("$ref"),
        "{why}"
    );
    Ok(())
}

#[test]
fn an_event_code_never_takes_the_unknown_variant() -> TestResult {
    let (_dir, spec) = load_text(
        r#"
openapi: 3.1.0
info: {title: T, version: '1'}
webhooks:
  /UNKNOWN:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses:
        '200': {description: OK}
"#,
    )?;
    let ir = Ir::build(&spec)?;
    let event = ir.events.get("UNKNOWN").ok_or("no UNKNOWN event")?;
    assert_eq!(event.variant, "Unknown2");
    Ok(())
}
