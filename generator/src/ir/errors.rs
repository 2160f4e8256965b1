//! The error catalogue and the profile's error conventions -> the IR of the errors module:
//! catalogue enums, the envelope, and the refusal variant.

use std::collections::BTreeSet;
use std::path::Path;

use super::error_facts::{self, RecordModel};
use super::names::{NameRegistry, field_name, type_name};
use crate::spec::catalogue::{Catalogue, Facts, FieldKind};
use crate::spec::profile::{ErrorRules, RefusalRules};
use crate::spec::{ErrorCatalogueFile, LoadedSpec, SpecError};

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

/// The provider-neutral decline categories a code may map to (`payforge::DeclineCategory`
/// in snake case), the fallback `unknown` excepted: it is what an unmapped code gets.
pub const DECLINE_CATEGORIES: &[&str] = &[
    "insufficient_funds",
    "expired_card",
    "incorrect_cvc",
    "incorrect_number",
    "incorrect_expiry",
    "incorrect_pin",
    "incorrect_address",
    "lost_or_stolen",
    "fraud_suspected",
    "generic",
    "try_again_later",
    "authentication_required",
    "processing_error",
    "card_not_supported",
    "restricted_card",
    "limit_exceeded",
    "invalid_amount",
    "invalid_account",
    "do_not_retry",
    "duplicate_transaction",
    "cancelled",
];

/// The errors module of an SDK.
#[derive(Clone, Debug)]
pub struct ErrorModel {
    /// The envelope enum's name (`StripeError`).
    pub envelope_name: String,
    /// The response key holding the error object; `None`: the body is the error object.
    pub wrapper: Option<String>,
    /// The field naming the error type.
    pub tag: String,
    /// The envelope's doc.
    pub doc: String,
    /// The envelope's common fields.
    pub fields: Vec<ErrorField>,
    /// One variant per error type.
    pub variants: Vec<ErrorVariant>,
    /// The variant of a refusal reported in a success response, if the provider has one.
    pub refusal: Option<RefusalVariant>,
    /// The catalogue enums.
    pub catalogues: Vec<CatalogueEnum>,
    /// The records held in list fields of the error object.
    pub records: Vec<RecordModel>,
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
    /// The type of a field with no catalogue.
    pub kind: FieldKind,
    /// For a list field, the record struct its items are.
    pub item: Option<String>,
    /// For the details list (`[errors] details_field`), the record field holding the
    /// error's code and its catalogue enum: `(rust field name, enum name)`.
    pub detail_code: Option<(String, String)>,
    /// Its doc.
    pub doc: String,
    /// What the runtime reads it as, besides its value.
    pub role: FieldRole,
}

/// What the runtime reads a field as (the field attributes of docs/generated-code.md,
/// "Envelope rules").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FieldRole {
    /// A catalogue code refining the error's class (`classify`).
    pub classify: bool,
    /// A decline code, read first for the decline view (`decline`).
    pub decline: bool,
    /// The message (`message`).
    pub message: bool,
    /// The provider's reference (`reference`).
    pub reference: bool,
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

/// The variant of a refused payment reported in a success response.
#[derive(Clone, Debug)]
pub struct RefusalVariant {
    /// The Rust variant (`Refused`).
    pub variant: String,
    /// The success statuses a refusal comes with; empty: any.
    pub statuses: Vec<u16>,
    /// JSON pointers (`*` for every array index) of the objects that may report the
    /// refusal; empty: the body itself.
    pub objects: Vec<String>,
    /// The success-body field holding the result (`resultCode`).
    pub result_field: String,
    /// Its values that mean refused.
    pub refused: Vec<String>,
    /// Its fields: the result (required), the reason code, the reason, the reference.
    pub fields: Vec<ErrorField>,
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
    /// For a resource group's enum of a facts catalogue, the provider-wide enum it is a
    /// view of.
    pub view_of: Option<String>,
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
    /// The decline category, for a code that is a decline.
    pub category: Option<String>,
    /// Its doc.
    pub doc: String,
    /// Whether the code is unverified against the provider's documentation.
    pub unverified: bool,
    /// A customer-safe message.
    pub user_message: Option<String>,
}

/// Builds errors that name the catalogue file and a pointer into it.
pub(super) struct Checker<'a> {
    path: &'a Path,
}

impl Checker<'_> {
    pub(super) fn invalid(&self, pointer: String, construct: String) -> SpecError {
        SpecError::Unsupported {
            file: self.path.to_path_buf(),
            pointer,
            construct,
        }
    }

    pub(super) fn class(&self, class: &str, pointer: String) -> Result<String, SpecError> {
        if CLASSES.contains(&class) {
            Ok(class.to_owned())
        } else {
            Err(self.invalid(
                pointer,
                format!(
                    "error class `{class}` (expected one of {})",
                    CLASSES.join(", ")
                ),
            ))
        }
    }

    /// A code's category: one of [`DECLINE_CATEGORIES`], and present for every card decline.
    pub(super) fn category(
        &self,
        category: Option<&str>,
        class: &str,
        code: &str,
        pointer: String,
    ) -> Result<Option<String>, SpecError> {
        match category {
            Some(category) if DECLINE_CATEGORIES.contains(&category) => {
                Ok(Some(category.to_owned()))
            }
            Some(category) => Err(self.invalid(
                pointer,
                format!(
                    "decline category `{category}` (expected one of {})",
                    DECLINE_CATEGORIES.join(", ")
                ),
            )),
            None if class == "card_decline" => Err(self.invalid(
                pointer,
                format!("the card decline `{code}` names no decline category"),
            )),
            None => Ok(None),
        }
    }
}

impl ErrorModel {
    /// Builds the model from the loaded catalogue and the profile's error conventions.
    pub fn build(spec: &LoadedSpec) -> Result<Self, SpecError> {
        let groups = &spec.profile.operations.groups;
        let unknown_group = spec
            .facts
            .groups
            .keys()
            .find(|group| !groups.is_empty() && !groups.values().any(|known| known == *group));
        if let Some(group) = unknown_group {
            return Err(SpecError::Profile {
                file: spec.profile.dir.join("provider.toml"),
                message: format!(
                    "`[errors.facts.groups]` names `{group}`, which `[operations.groups]` does not"
                ),
            });
        }
        Self::from_catalogue(
            &spec.profile.errors,
            &spec.catalogue,
            &spec.facts,
            &spec.profile.catalogue_path(),
        )
    }

    /// Builds the model from a catalogue file (read from `path`) and the `[errors]` rules,
    /// checking classes, decline categories, catalogue names and the rules' fields.
    /// `facts` are the codes of the pinned facts file, for catalogues marked `from_facts`.
    pub fn from_catalogue(
        rules: &ErrorRules,
        file: &ErrorCatalogueFile,
        facts: &Facts,
        path: &Path,
    ) -> Result<Self, SpecError> {
        let check = Checker { path };
        let mut catalogues = Vec::new();
        for (index, catalogue) in file.catalogues.iter().enumerate() {
            if catalogue.from_facts {
                catalogues.extend(error_facts::facts_enums(&check, index, catalogue, facts)?);
            } else {
                catalogues.push(catalogue_enum(&check, index, catalogue)?);
            }
        }
        let records = error_facts::records(&check, &file.records, |key, pointer| {
            catalogue_name(&check, &catalogues, key, pointer)
        })?;
        let fields = envelope_fields(&check, rules, file, &catalogues, &records)?;
        let mut variants = Vec::new();
        for (index, variant) in file.envelope.variants.iter().enumerate() {
            variants.push(ErrorVariant {
                tag: variant.tag.clone(),
                variant: variant.variant.clone(),
                class: check.class(&variant.class, format!("/envelope/variants/{index}/class"))?,
                doc: variant.meaning.clone(),
                required: variant.required.iter().cloned().collect(),
            });
        }
        let refusal = match &rules.refusals {
            Some(refusals) => Some(refusal_variant(&check, refusals, rules, &catalogues)?),
            None => None,
        };
        Ok(Self {
            envelope_name: file.envelope.name.clone(),
            wrapper: rules.wrapper.clone(),
            tag: rules.type_field.clone(),
            doc: file.envelope.meaning.clone(),
            fields,
            variants,
            refusal,
            catalogues,
            records,
        })
    }
}

fn catalogue_enum(
    check: &Checker<'_>,
    index: usize,
    catalogue: &Catalogue,
) -> Result<CatalogueEnum, SpecError> {
    let mut variants = NameRegistry::default();
    variants.claim(&["Unknown".to_owned()]);
    let mut entries = Vec::new();
    for (entry_index, entry) in catalogue.entries.iter().enumerate() {
        let pointer = format!("/catalogues/{index}/entries/{entry_index}");
        let class = check.class(
            entry.class.as_deref().unwrap_or(&catalogue.default_class),
            format!("{pointer}/class"),
        )?;
        let category = check.category(
            entry.category.as_deref(),
            &class,
            &entry.code,
            format!("{pointer}/category"),
        )?;
        let doc = if entry.unverified {
            format!(
                "{} (Code unverified: re-check it against the provider's documentation.)",
                entry.meaning
            )
        } else {
            entry.meaning.clone()
        };
        entries.push(CatalogueCode {
            code: entry.code.clone(),
            variant: variants.claim(&[type_name(entry.name.as_deref().unwrap_or(&entry.code))]),
            class,
            category,
            doc,
            unverified: entry.unverified,
            user_message: entry.user_message.clone(),
        });
    }
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(CatalogueEnum {
        key: catalogue.name.clone(),
        name: catalogue.rust_name.clone(),
        doc: catalogue.meaning.clone(),
        entries,
        view_of: None,
    })
}

/// The Rust name of the catalogue `key`, or an error at `pointer`.
fn catalogue_name(
    check: &Checker<'_>,
    catalogues: &[CatalogueEnum],
    key: &str,
    pointer: String,
) -> Result<String, SpecError> {
    catalogues
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.name.clone())
        .ok_or_else(|| check.invalid(pointer, format!("unknown catalogue `{key}`")))
}

/// The envelope's fields with their roles, checking that the rules' fields exist: the code
/// and the decline code are catalogue fields (the code a catalogue field of the detail
/// record, with `details_field`), the type field is none of them.
fn envelope_fields(
    check: &Checker<'_>,
    rules: &ErrorRules,
    file: &ErrorCatalogueFile,
    catalogues: &[CatalogueEnum],
    records: &[RecordModel],
) -> Result<Vec<ErrorField>, SpecError> {
    let mut fields = Vec::new();
    for (index, field) in file.envelope.fields.iter().enumerate() {
        let catalogue = match &field.catalogue {
            Some(key) => Some(catalogue_name(
                check,
                catalogues,
                key,
                format!("/envelope/fields/{index}/catalogue"),
            )?),
            None => None,
        };
        let record = list_item(check, field, records, index)?;
        let is = |rule: Option<&String>| rule.is_some_and(|name| *name == field.name);
        let detail_code = match record {
            Some(record) if is(rules.details_field.as_ref()) => {
                Some(error_facts::detail_code(check, record, &rules.code_field)?)
            }
            _ => None,
        };
        fields.push(ErrorField {
            wire_name: field.name.clone(),
            rust_name: field
                .rust_name
                .clone()
                .unwrap_or_else(|| field_name(&field.name)),
            role: FieldRole {
                classify: catalogue.is_some() || detail_code.is_some(),
                decline: is(rules.decline_code_field.as_ref()),
                message: field.name == rules.message_field,
                reference: is(rules.reference_field.as_ref()),
            },
            catalogue,
            kind: field.kind,
            item: record.map(|record| record.name.clone()),
            detail_code,
            doc: field.meaning.clone(),
        });
    }
    check_rule_fields(check, rules, &fields)?;
    Ok(fields)
}

/// The record a `list` field holds; `None` for any other field.
fn list_item<'a>(
    check: &Checker<'_>,
    field: &crate::spec::catalogue::EnvelopeField,
    records: &'a [RecordModel],
    index: usize,
) -> Result<Option<&'a RecordModel>, SpecError> {
    let pointer = format!("/envelope/fields/{index}/item");
    match (field.kind, &field.item) {
        (FieldKind::List, Some(item)) => records
            .iter()
            .find(|record| record.name == *item)
            .map(Some)
            .ok_or_else(|| check.invalid(pointer, format!("unknown record `{item}`"))),
        (FieldKind::List, None) => Err(check.invalid(
            pointer,
            "a `list` field names its record in `item`".to_owned(),
        )),
        (_, Some(_)) => Err(check.invalid(pointer, "`item` is for `list` fields".to_owned())),
        (_, None) => Ok(None),
    }
}

/// The rules' fields exist with the right kind: the code (unless read from the details)
/// and the decline code are catalogue fields, the details a list, the message and the
/// reference fields, and the type field is none of them.
fn check_rule_fields(
    check: &Checker<'_>,
    rules: &ErrorRules,
    fields: &[ErrorField],
) -> Result<(), SpecError> {
    let find = |name: &str| fields.iter().find(|field| field.wire_name == name);
    let invalid = |message: String| Err(check.invalid("/envelope/fields".to_owned(), message));
    if let Some(details) = &rules.details_field
        && find(details).is_none_or(|field| field.detail_code.is_none())
    {
        return invalid(format!(
            "the profile's `[errors] details_field` names `{details}`, which is no `list` field \
             of the envelope"
        ));
    }
    let code = Some(&rules.code_field).filter(|_| rules.details_field.is_none());
    for name in [code, rules.decline_code_field.as_ref()]
        .into_iter()
        .flatten()
    {
        if find(name.as_str()).is_none_or(|field| field.catalogue.is_none()) {
            return invalid(format!(
                "the profile's `[errors]` names `{name}`, which is no catalogue field of the envelope"
            ));
        }
    }
    let plain_rules = [Some(&rules.message_field), rules.reference_field.as_ref()];
    for name in plain_rules.into_iter().flatten() {
        if find(name.as_str()).is_none() {
            return invalid(format!(
                "the profile's `[errors]` names `{name}`, which is no field of the envelope"
            ));
        }
    }
    if find(rules.type_field.as_str()).is_some() {
        return invalid(format!(
            "`{}` is the type field (the tag); it is not listed among the fields",
            rules.type_field
        ));
    }
    Ok(())
}

/// The refusal variant: the result (typed by its catalogue, always present), the reason
/// code (a decline code), the reason (the message) and the envelope's reference field.
fn refusal_variant(
    check: &Checker<'_>,
    refusals: &RefusalRules,
    rules: &ErrorRules,
    catalogues: &[CatalogueEnum],
) -> Result<RefusalVariant, SpecError> {
    let pointer = || "(profile) /errors/refusals".to_owned();
    let result = catalogue_name(check, catalogues, &refusals.result_catalogue, pointer())?;
    let reason = catalogue_name(check, catalogues, &refusals.reason_catalogue, pointer())?;
    if refusals.refused.is_empty() {
        return Err(check.invalid(pointer(), "`refused` lists no result value".to_owned()));
    }
    let field = |wire: &str, catalogue: Option<String>, doc: String, role: FieldRole| ErrorField {
        wire_name: wire.to_owned(),
        // A JSON pointer inside the object (`/processor_response/response_code`) is named
        // after its segments.
        rust_name: field_name(&wire.trim_start_matches('/').replace('/', "_")),
        catalogue,
        kind: FieldKind::String,
        item: None,
        detail_code: None,
        doc,
        role,
    };
    let mut fields = vec![
        field(
            &refusals.result_field,
            Some(result),
            "The result, one of the refused values.".to_owned(),
            FieldRole::default(),
        ),
        field(
            &refusals.reason_code_field,
            Some(reason),
            "The code of the refusal reason.".to_owned(),
            FieldRole {
                classify: true,
                decline: true,
                ..FieldRole::default()
            },
        ),
    ];
    if let Some(reason_field) = &refusals.reason_field {
        fields.push(field(
            reason_field,
            None,
            "The refusal reason, as text.".to_owned(),
            FieldRole {
                message: true,
                ..FieldRole::default()
            },
        ));
    }
    if let Some(reference) = &rules.reference_field {
        fields.push(field(
            reference,
            None,
            "The provider's reference of the payment.".to_owned(),
            FieldRole {
                reference: true,
                ..FieldRole::default()
            },
        ));
    }
    Ok(RefusalVariant {
        variant: refusals.variant.clone(),
        statuses: refusals.statuses.clone(),
        objects: refusals.objects.clone(),
        result_field: refusals.result_field.clone(),
        refused: refusals.refused.clone(),
        fields,
    })
}
