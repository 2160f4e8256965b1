//! Our error catalogue file (`specs/<provider>/errors.yaml`): the provider's error types,
//! codes and decline codes, each with payforge's classification.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::SpecError;
use super::profile::ErrorRules;

/// A parsed error catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCatalogueFile {
    /// Where the facts came from (kept for attribution, not used by the generator).
    pub source: serde_json::Value,
    /// The provider's error object and how it is wrapped.
    pub envelope: Envelope,
    /// The catalogues of codes (`ErrorType`, `ErrorCode`, `DeclineCode`), in file order.
    pub catalogues: Vec<Catalogue>,
    /// The objects a list field of the error object holds (PayPal's error details), by
    /// name; empty for a flat error object.
    #[serde(default)]
    pub records: Vec<Record>,
}

/// An object held in a list field of the error object: a struct of plain and catalogue
/// fields, every one optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The Rust struct name (`ErrorDetail`).
    pub name: String,
    /// What the object is, for its doc comment.
    pub meaning: String,
    /// Its fields, in order (no `list` fields).
    pub fields: Vec<EnvelopeField>,
}

/// The provider's error object. Where it sits in a body and which field is its type are
/// conventions of the profile's `[errors]` section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The Rust name of the envelope enum (`StripeError`).
    pub name: String,
    /// What the envelope is, for its doc comment.
    pub meaning: String,
    /// The fields every variant has besides the tag, in order.
    pub fields: Vec<EnvelopeField>,
    /// One variant per error type.
    pub variants: Vec<EnvelopeVariant>,
}

/// A field of the error object.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeField {
    /// The wire name.
    pub name: String,
    /// The Rust field name, when it differs from the wire name.
    pub rust_name: Option<String>,
    /// The catalogue (by `name`) whose enum types this field; a plain value otherwise.
    pub catalogue: Option<String>,
    /// The type of a plain field (`string`, the default, `integer`, `json` or `list`).
    #[serde(default, rename = "type")]
    pub kind: FieldKind,
    /// For a `list` field, the record (by `name` in `records`) its items are.
    pub item: Option<String>,
    /// What the field holds.
    pub meaning: String,
}

/// The type of a plain (non-catalogue) field of the error object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// `String`.
    #[default]
    String,
    /// `i64` (Adyen's `status`).
    Integer,
    /// Any JSON value, kept as received (`serde_json::Value`).
    Json,
    /// A list of records (`Vec<Record>`), named by the field's `item`.
    List,
}

/// One error type of the envelope.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeVariant {
    /// The wire value of the tag (`card_error`).
    pub tag: String,
    /// The Rust variant name (`Card`).
    pub variant: String,
    /// The payforge error class (`card_decline`).
    pub class: String,
    /// What the error type means.
    pub meaning: String,
    /// Fields (by wire name) that this type always carries: typed without `Option`.
    #[serde(default)]
    pub required: Vec<String>,
}

/// One catalogue of codes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The catalogue's key (`codes`), referenced by envelope fields.
    pub name: String,
    /// The Rust enum name (`ErrorCode`).
    pub rust_name: String,
    /// What the codes are.
    pub meaning: String,
    /// The class of a code that names none.
    pub default_class: String,
    /// The codes come from the profile's pinned facts file (`[errors.facts]`): every code
    /// any resource group lists, and `entries` only classify some of them (the
    /// facts-catalogue convention).
    #[serde(default)]
    pub from_facts: bool,
    /// With `from_facts`, the Rust name of each resource group's own enum, `{Group}`
    /// standing for the group in UpperCamelCase (`{Group}Issue`: `OrdersIssue`).
    pub group_enum: Option<String>,
    /// The codes (with `from_facts`, the classification of some of them).
    #[serde(default)]
    pub entries: Vec<CatalogueEntry>,
}

/// One code.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The wire value.
    pub code: String,
    /// What it means; with `from_facts`, what the facts say when absent.
    #[serde(default)]
    pub meaning: String,
    /// The payforge class, when it differs from the catalogue's default.
    pub class: Option<String>,
    /// The provider-neutral decline category (`payforge::DeclineCategory` in snake case);
    /// required for every code of class `card_decline`.
    pub category: Option<String>,
    /// The name the Rust variant is made from, when the code makes a poor one (Adyen's
    /// refusal reason `12` is `Not enough balance`, so `NotEnoughBalance`).
    pub name: Option<String>,
    /// The code is not verified against the provider's documentation: the doc comment and
    /// the docs say so.
    #[serde(default)]
    pub unverified: bool,
    /// A message safe to show the customer.
    pub user_message: Option<String>,
}

impl ErrorCatalogueFile {
    /// Reads and parses a catalogue (YAML or JSON).
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let bytes = super::read(path)?;
        super::parse_document(path, &bytes)
    }
}

/// The codes of a pinned facts file (`[errors.facts]`), per resource group.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The facts file, for errors.
    pub file: PathBuf,
    /// Per group (in name order), its codes in file order.
    pub groups: BTreeMap<String, Vec<FactCode>>,
}

/// One code of the facts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactCode {
    /// The code.
    pub code: String,
    /// What the facts say of it (the profile's `doc_keys`, `key: value; …`), possibly empty.
    pub facts: String,
}

impl Facts {
    /// Reads the facts file the `[errors]` rules pin, from `specs_dir`, checking its hash;
    /// no facts when the rules pin none.
    pub fn load(rules: &ErrorRules, specs_dir: &Path) -> Result<Self, SpecError> {
        let Some(pin) = &rules.facts else {
            return Ok(Self::default());
        };
        let file = specs_dir.join(&pin.file);
        let bytes = super::read(&file)?;
        super::check_pin(&file, &bytes, &pin.sha256)?;
        let root: serde_json::Value = super::parse_document(&file, &bytes)?;
        let parse_error = |pointer: &str, message: String| SpecError::Parse {
            file: file.clone(),
            pointer: pointer.to_owned(),
            message,
        };
        let mut groups = BTreeMap::new();
        for (group, pointer) in &pin.groups {
            let Some(serde_json::Value::Array(items)) = root.pointer(pointer) else {
                return Err(parse_error(
                    pointer,
                    format!("expected the list of codes of group `{group}`"),
                ));
            };
            let mut codes = Vec::new();
            for (index, item) in items.iter().enumerate() {
                let Some(code) = item.get(&pin.code_key).and_then(serde_json::Value::as_str) else {
                    return Err(parse_error(
                        &format!("{pointer}/{index}"),
                        format!("expected a string under `{}`", pin.code_key),
                    ));
                };
                codes.push(FactCode {
                    code: code.to_owned(),
                    facts: quoted_facts(item, &pin.doc_keys),
                });
            }
            groups.insert(group.clone(), codes);
        }
        Ok(Self { file, groups })
    }
}

/// `key: value; …` for each of `keys` the item has (a list's items joined with `, `).
fn quoted_facts(item: &serde_json::Value, keys: &[String]) -> String {
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    keys.iter()
        .filter_map(|key| {
            let value = match item.get(key)? {
                serde_json::Value::Array(values) => {
                    values.iter().map(text).collect::<Vec<_>>().join(", ")
                }
                value => text(value),
            };
            Some(format!("{key}: {value}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
