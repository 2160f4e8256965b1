//! The naming rules of `docs/generated-code.md` ("Names"), checked on Stripe's whole spec:
//! every operation has a REST name, and no type name reaches users under two unrelated
//! resources. Reads the pinned spec from `$PAYFORGE_SPECS_DIR` (set by `.cargo/config.toml`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use heck::ToUpperCamelCase;
use payforge_generator::ir::{TypeKind, TypeRef};
use payforge_generator::{Ir, LoadedSpec};

/// Stripe's IR, built once for every test of this file.
fn stripe() -> &'static Ir {
    static IR: OnceLock<Ir> = OnceLock::new();
    IR.get_or_init(|| {
        let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/stripe/provider.toml");
        let built = LoadedSpec::load_from_env(&profile)
            .and_then(|spec| Ir::build(&spec))
            .map_err(|error| error.to_string());
        match built {
            Ok(ir) => ir,
            Err(error) => panic!("Stripe's spec does not build: {error}"),
        }
    })
}

/// The verbs of the REST rule.
const VERBS: &[&str] = &["List", "Retrieve", "Create", "Update", "Delete", "Search"];

#[test]
fn every_operation_is_named_by_a_rest_verb_or_its_action() {
    let ir = stripe();
    let named_in_profile: BTreeSet<&String> = ir.profile.operations.names.values().collect();
    let mut raw = Vec::new();
    for op in ir.operations.values() {
        let action = op
            .path
            .rsplit('/')
            .find(|segment| !segment.starts_with('{'))
            .unwrap_or_default()
            .to_upper_camel_case();
        let rest = VERBS.iter().any(|verb| op.name.starts_with(verb))
            || op.name.starts_with(&action)
            || named_in_profile.contains(&op.name);
        let from_operation_id = op.name == op.operation_id.to_upper_camel_case();
        if !rest || from_operation_id || op.name.ends_with(char::is_numeric) {
            raw.push(format!("{} {} is `{}`", op.method, op.path, op.name));
        }
    }
    assert!(
        raw.is_empty(),
        "operations without a REST name:\n{}",
        raw.join("\n")
    );
}

#[test]
fn no_string_enum_has_a_variant_of_option_or_result() {
    // The variant names come from `variant_name`, as the emitter spells them.
    let ir = stripe();
    let mut clashes = Vec::new();
    for def in ir.types.values() {
        if let TypeKind::StringEnum(values) = &def.kind {
            for value in values {
                let variant = payforge_generator::ir::names::variant_name(value);
                if ["None", "Some", "Ok", "Err"].contains(&variant.as_str()) {
                    clashes.push(format!("{}::{variant}", def.name));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}

/// The word a module's resource goes by in type names: `payment_intents` and
/// `payment_intent` are both `PaymentIntent`.
fn resource_word(module: &str) -> String {
    let singular = module
        .strip_suffix("ies")
        .map(|stem| format!("{stem}y"))
        .or_else(|| {
            module
                .strip_suffix('s')
                .filter(|stem| !stem.ends_with('s'))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| module.to_owned());
    singular.to_upper_camel_case()
}

/// Every declared type a reference names, looking through lists, maps and wrappers.
fn referenced(ty: &TypeRef) -> Vec<payforge_generator::ir::TypeId> {
    let mut out = Vec::new();
    ty.named(&mut out);
    out
}

/// Which resources (modules and operation groups) use each type name directly: as the
/// type of a struct field or union member, an operation's parameter or its output.
fn users(ir: &Ir) -> BTreeMap<String, BTreeSet<String>> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut record = |ty: &TypeRef, resource: &str| {
        for id in referenced(ty) {
            let Some(def) = ir.types.get(&id) else {
                continue;
            };
            // A component schema is named by the spec itself, and its name is the place.
            if id.0.starts_with("#/components/schemas/") {
                continue;
            }
            uses.entry(def.name.clone())
                .or_default()
                .insert(resource.to_owned());
        }
    };
    for def in ir.types.values() {
        match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().for_each(|f| record(&f.ty, &def.module)),
            TypeKind::Union(u) => u.members.iter().for_each(|m| record(&m.ty, &def.module)),
            _ => {}
        }
    }
    for op in ir.operations.values() {
        op.params.iter().for_each(|p| record(&p.ty, &op.group));
        record(&op.output, &op.group);
    }
    uses
}

/// Two resources are unrelated when neither's word contains the other's (`payment_intent`
/// and `payment_intents` are one resource; `checkout` and `checkout_session` are related).
fn related(a: &str, b: &str) -> bool {
    let (a, b) = (resource_word(a), resource_word(b));
    a.contains(&b) || b.contains(&a)
}

#[test]
fn no_type_name_is_used_under_two_unrelated_resources_it_does_not_name() {
    let ir = stripe();
    let common: BTreeSet<&String> = ir.profile.types.common_shapes.keys().collect();
    let mut found = Vec::new();
    for (name, resources) in users(ir) {
        if common.contains(&name) {
            continue;
        }
        let names_it = |resource: &str| name.contains(&resource_word(resource));
        let resources: Vec<&String> = resources.iter().collect();
        let unrelated = resources.iter().enumerate().find_map(|(i, a)| {
            resources[i + 1..]
                .iter()
                .find(|b| !related(a, b) && !names_it(a) && !names_it(b))
                .map(|b| (*a, *b))
        });
        if let Some((a, b)) = unrelated {
            found.push(format!("{name}: used under `{a}` and `{b}`"));
        }
    }
    assert!(
        found.is_empty(),
        "{} type names used under unrelated resources that they do not name:\n{}",
        found.len(),
        found.join("\n")
    );
}
