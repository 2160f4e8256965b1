//! Extracts from the pinned Stripe spec the two tables the sandbox validates requests
//! against, so neither is a hand-written list that drifts from the spec:
//!
//! - `L` lines: the `maxLength` of every string parameter of every operation (query
//!   parameters and form-body fields, nested as `product_data[name]`, `items[][price]`, a
//!   map's values as `metadata[*]`);
//! - `S`, `P` and `R` lines: the expansion graph, that is each schema's
//!   `x-expandableFields` (`S`), the schemas each property leads to (`P`, through `$ref`,
//!   `anyOf` and `x-expansionResources`), and each operation's response schemas (`R`).
//!
//! The spec is read through the generator's own reader (`read_pinned_from_env`): from
//! `$PAYFORGE_SPECS_DIR` (set by `.cargo/config.toml`), checked against the sha256 that
//! `specs/stripe/provider.toml` pins, exactly as the SDK's build reads it; the
//! tables are written to `OUT_DIR/spec_tables.tsv`, which `src/spec_tables.rs` embeds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

/// How deep request schemas are followed (they nest at most a handful of levels).
const MAX_DEPTH: usize = 12;

fn main() {
    if let Err(error) = run() {
        eprintln!("payforge-sandbox: cannot read the pinned Stripe spec: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let profile_path = manifest.join("../specs/stripe/provider.toml");
    println!("cargo::rerun-if-changed={}", profile_path.display());
    println!(
        "cargo::rerun-if-env-changed={}",
        payforge_generator::spec::SPECS_DIR_ENV
    );
    // The generator's own reader: the same profile parsing, pin check and errors as the
    // SDK's build, so the two can never read different specs.
    let (spec_path, bytes) = payforge_generator::spec::read_pinned_from_env(&profile_path)
        .map_err(|error| error.to_string())?;
    println!("cargo::rerun-if-changed={}", spec_path.display());
    let spec: Value = serde_yaml::from_slice(&bytes)
        .map_err(|error| format!("{}: {error}", spec_path.display()))?;
    let mut tables = Tables::new(&spec);
    tables.operations()?;
    tables.components();
    let out = PathBuf::from(env("OUT_DIR")?).join("spec_tables.tsv");
    std::fs::write(&out, tables.render()).map_err(|error| format!("{}: {error}", out.display()))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

/// The tables being extracted, keyed so the output is deterministic.
struct Tables<'a> {
    spec: &'a Value,
    /// `(method, path, parameter path)` to its largest `maxLength`.
    lengths: BTreeMap<(String, String, String), u64>,
    /// Schema id to its expandable fields.
    expandable: BTreeMap<String, Vec<String>>,
    /// `(schema id, property)` to the schema ids it leads to.
    properties: BTreeMap<(String, String), Vec<String>>,
    /// `(method, path)` to its response schema ids.
    responses: BTreeMap<(String, String), Vec<String>>,
}

impl<'a> Tables<'a> {
    fn new(spec: &'a Value) -> Self {
        Self {
            spec,
            lengths: BTreeMap::new(),
            expandable: BTreeMap::new(),
            properties: BTreeMap::new(),
            responses: BTreeMap::new(),
        }
    }

    /// Follows a `$ref` to its component schema.
    fn resolve(&self, node: &'a Value) -> &'a Value {
        match node["$ref"].as_str() {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                &self.spec["components"]["schemas"][name]
            }
            None => node,
        }
    }

    /// Every operation's parameter lengths and response schemas.
    fn operations(&mut self) -> Result<(), String> {
        let spec: &'a Value = self.spec;
        let paths = spec["paths"].as_object().ok_or("the spec has no paths")?;
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, operation) in item {
                let method = method.to_ascii_uppercase();
                if !["GET", "POST", "DELETE"].contains(&method.as_str()) {
                    continue;
                }
                let key = (method, path.clone());
                self.operation_lengths(&key, operation);
                let response = &operation["responses"]["200"]["content"]["application/json"];
                let id = format!("{} {}", key.0, key.1);
                let targets = self.targets(&response["schema"], &id);
                self.responses.insert(key, targets);
            }
        }
        Ok(())
    }

    fn operation_lengths(&mut self, key: &(String, String), operation: &'a Value) {
        let mut found = BTreeMap::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "query"
                && let Some(name) = parameter["name"].as_str()
            {
                lengths(self, &parameter["schema"], name, 0, &mut found);
            }
        }
        let body = &operation["requestBody"]["content"]["application/x-www-form-urlencoded"];
        let schema = self.resolve(&body["schema"]);
        for (name, field) in schema["properties"].as_object().into_iter().flatten() {
            lengths(self, field, name, 0, &mut found);
        }
        for (param, max) in found {
            self.lengths
                .insert((key.0.clone(), key.1.clone(), param), max);
        }
    }

    /// The schema ids a node leads to, registering inline object schemas under `hint`.
    fn targets(&mut self, node: &'a Value, hint: &str) -> Vec<String> {
        if let Some(reference) = node["$ref"].as_str() {
            return vec![reference.rsplit('/').next().unwrap_or_default().to_owned()];
        }
        let mut found = Vec::new();
        for union in ["anyOf", "oneOf", "allOf"] {
            for variant in node[union].as_array().into_iter().flatten() {
                found.extend(self.targets(variant, hint));
            }
        }
        for variant in node["x-expansionResources"]["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
        {
            found.extend(self.targets(variant, hint));
        }
        if node["type"] == "array" {
            found.extend(self.targets(&node["items"], hint));
        }
        if node["properties"].is_object() && !self.expandable.contains_key(hint) {
            self.schema(hint, node);
            found.push(hint.to_owned());
        }
        found.sort();
        found.dedup();
        found
    }

    /// Registers one object schema: its expandable fields and where its properties lead.
    fn schema(&mut self, id: &str, node: &'a Value) {
        let expandable: Vec<String> = node["x-expandableFields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|field| field.as_str().map(str::to_owned))
            .collect();
        self.expandable.insert(id.to_owned(), expandable);
        for (name, property) in node["properties"].as_object().into_iter().flatten() {
            let targets = self.targets(property, &format!("{id}.{name}"));
            if !targets.is_empty() {
                self.properties
                    .insert((id.to_owned(), name.clone()), targets);
            }
        }
    }

    /// Every component schema with properties.
    fn components(&mut self) {
        let spec: &'a Value = self.spec;
        let Some(schemas) = spec["components"]["schemas"].as_object() else {
            return;
        };
        for (name, node) in schemas {
            if node["properties"].is_object() && !self.expandable.contains_key(name) {
                self.schema(name, node);
            }
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for ((method, path, param), max) in &self.lengths {
            let _ = writeln!(out, "L\t{method}\t{path}\t{param}\t{max}");
        }
        for (id, fields) in &self.expandable {
            let _ = writeln!(out, "S\t{id}\t{}", fields.join(","));
        }
        for ((id, property), targets) in &self.properties {
            let _ = writeln!(out, "P\t{id}\t{property}\t{}", targets.join(","));
        }
        for ((method, path), targets) in &self.responses {
            let _ = writeln!(out, "R\t{method}\t{path}\t{}", targets.join(","));
        }
        out
    }
}

/// Collects the `maxLength` of every string under `node`, named in bracket form from
/// `name`; the largest wins where union variants disagree.
fn lengths<'a>(
    tables: &Tables<'a>,
    node: &'a Value,
    name: &str,
    depth: usize,
    found: &mut BTreeMap<String, u64>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let node = tables.resolve(node);
    if let Some(max) = node["maxLength"].as_u64() {
        let entry = found.entry(name.to_owned()).or_insert(0);
        *entry = (*entry).max(max);
    }
    for union in ["anyOf", "oneOf", "allOf"] {
        for variant in node[union].as_array().into_iter().flatten() {
            lengths(tables, variant, name, depth + 1, found);
        }
    }
    if node["type"] == "array" {
        lengths(
            tables,
            &node["items"],
            &format!("{name}[]"),
            depth + 1,
            found,
        );
    }
    for (field, property) in node["properties"].as_object().into_iter().flatten() {
        lengths(
            tables,
            property,
            &format!("{name}[{field}]"),
            depth + 1,
            found,
        );
    }
    if node["additionalProperties"].is_object() {
        let values = &node["additionalProperties"];
        lengths(tables, values, &format!("{name}[*]"), depth + 1, found);
    }
}
