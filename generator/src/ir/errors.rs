//! The error catalogue -> the IR of the errors module: catalogue enums and the envelope.

use std::collections::BTreeSet;

use super::names::{NameRegistry, field_name, type_name};
use crate::spec::{LoadedSpec, SpecError};

/// The payforge error classes (`payforge::ErrorClass` in snake case).
const CLASSES: &[&str] = &[
    "card_decline",
    "invalid_request",
    "idempotency",
    "authentication",
    "rate_limited",
    "conflict",
    "provider_fault",
    "unknown",
];

/// The errors module of an SDK.
#[derive(Clone, Debug)]
pub struct ErrorModel {
    /// The envelope enum's name (`StripeError`).
    pub envelope_name: String,
    /// The response key holding the error object.
    pub wrapper: String,
    /// The field naming the error type.
    pub tag: String,
    /// The envelope's doc.
    pub doc: String,
    /// The envelope's common fields.
    pub fields: Vec<ErrorField>,
    /// One variant per error type.
    pub variants: Vec<ErrorVariant>,
    /// The catalogue enums.
    pub catalogues: Vec<CatalogueEnum>,
}

/// A field of the error object.
#[derive(Clone, Debug)]
pub struct ErrorField {
    /// The wire name.
    pub wire_name: String,
    /// The Rust name.
    pub rust_name: String,
    /// The catalogue enum typing it, if any.
    pub catalogue: Option<String>,
    /// Its doc.
    pub doc: String,
}

/// A variant of the envelope.
#[derive(Clone, Debug)]
pub struct ErrorVariant {
    /// The tag value.
    pub tag: String,
    /// The Rust variant.
    pub variant: String,
    /// The payforge class.
    pub class: String,
    /// Its doc.
    pub doc: String,
    /// Wire names of the fields it always carries.
    pub required: BTreeSet<String>,
}

/// A catalogue enum.
#[derive(Clone, Debug)]
pub struct CatalogueEnum {
    /// The catalogue key.
    pub key: String,
    /// The Rust enum name.
    pub name: String,
    /// Its doc.
    pub doc: String,
    /// Its codes, sorted by code.
    pub entries: Vec<CatalogueCode>,
}

/// One code of a catalogue.
#[derive(Clone, Debug)]
pub struct CatalogueCode {
    /// The wire code.
    pub code: String,
    /// The Rust variant.
    pub variant: String,
    /// The class.
    pub class: String,
    /// Its doc.
    pub doc: String,
    /// A customer-safe message.
    pub user_message: Option<String>,
}

impl ErrorModel {
    /// Builds the model from the loaded catalogue, checking classes and catalogue names.
    pub fn build(spec: &LoadedSpec) -> Result<Self, SpecError> {
        let file = &spec.catalogue;
        let path = spec.profile.catalogue_path();
        let invalid = |pointer: String, construct: String| SpecError::Unsupported {
            file: path.clone(),
            pointer,
            construct,
        };
        let check_class = |class: &str, pointer: String| {
            if CLASSES.contains(&class) {
                Ok(class.to_owned())
            } else {
                Err(invalid(
                    pointer,
                    format!(
                        "error class `{class}` (expected one of {})",
                        CLASSES.join(", ")
                    ),
                ))
            }
        };
        let mut catalogues = Vec::new();
        for (index, catalogue) in file.catalogues.iter().enumerate() {
            let mut variants = NameRegistry::default();
            variants.claim(&["Unknown".to_owned()]);
            let mut entries = Vec::new();
            for (entry_index, entry) in catalogue.entries.iter().enumerate() {
                let class = entry.class.as_deref().unwrap_or(&catalogue.default_class);
                entries.push(CatalogueCode {
                    code: entry.code.clone(),
                    variant: variants.claim(&[type_name(&entry.code)]),
                    class: check_class(
                        class,
                        format!("/catalogues/{index}/entries/{entry_index}/class"),
                    )?,
                    doc: entry.meaning.clone(),
                    user_message: entry.user_message.clone(),
                });
            }
            entries.sort_by(|a, b| a.code.cmp(&b.code));
            catalogues.push(CatalogueEnum {
                key: catalogue.name.clone(),
                name: catalogue.rust_name.clone(),
                doc: catalogue.meaning.clone(),
                entries,
            });
        }
        let envelope = &file.envelope;
        let mut fields = Vec::new();
        for (index, field) in envelope.fields.iter().enumerate() {
            let catalogue = match &field.catalogue {
                Some(key) => Some(
                    catalogues
                        .iter()
                        .find(|c| &c.key == key)
                        .map(|c| c.name.clone())
                        .ok_or_else(|| {
                            invalid(
                                format!("/envelope/fields/{index}/catalogue"),
                                format!("unknown catalogue `{key}`"),
                            )
                        })?,
                ),
                None => None,
            };
            fields.push(ErrorField {
                wire_name: field.name.clone(),
                rust_name: field
                    .rust_name
                    .clone()
                    .unwrap_or_else(|| field_name(&field.name)),
                catalogue,
                doc: field.meaning.clone(),
            });
        }
        let mut variants = Vec::new();
        for (index, variant) in envelope.variants.iter().enumerate() {
            variants.push(ErrorVariant {
                tag: variant.tag.clone(),
                variant: variant.variant.clone(),
                class: check_class(&variant.class, format!("/envelope/variants/{index}/class"))?,
                doc: variant.meaning.clone(),
                required: variant.required.iter().cloned().collect(),
            });
        }
        Ok(Self {
            envelope_name: envelope.name.clone(),
            wrapper: envelope.wrapper.clone(),
            tag: envelope.tag.clone(),
            doc: envelope.meaning.clone(),
            fields,
            variants,
            catalogues,
        })
    }
}
