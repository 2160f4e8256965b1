//! Our error catalogue file (`specs/<provider>/errors.yaml`): the provider's error types,
//! codes and decline codes, each with payforge's classification.

use std::path::Path;

use serde::Deserialize;

use super::SpecError;

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
    /// The type of a plain field (`string`, the default, or `integer`).
    #[serde(default, rename = "type")]
    pub kind: FieldKind,
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
    /// The codes.
    pub entries: Vec<CatalogueEntry>,
}

/// One code.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The wire value.
    pub code: String,
    /// What it means.
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
