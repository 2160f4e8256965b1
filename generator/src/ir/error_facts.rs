//! The two conventions of an error catalogue beyond a flat list of codes
//! (docs/generated-code.md, "Errors"):
//!
//! - *facts catalogues*: a catalogue marked `from_facts` takes its codes from the profile's
//!   pinned facts file (`[errors.facts]`), listed per resource group: one provider-wide enum
//!   with every code, and one enum per group with the group's codes (`{Group}Issue`), each
//!   code classified by the catalogue's `entries` or its default class;
//! - *records*: objects held in a list field of the error object (PayPal's `details`), one
//!   of whose fields may hold the error's code (`[errors] details_field`).

use std::collections::{BTreeMap, BTreeSet};

use super::errors::{CatalogueCode, CatalogueEnum, Checker, ErrorField, FieldRole};
use super::names::{NameRegistry, field_name, type_name};
use crate::spec::SpecError;
use crate::spec::catalogue::{Catalogue, CatalogueEntry, Facts, FieldKind, Record};

/// A record: an object held in a list field of the error object.
#[derive(Clone, Debug)]
pub struct RecordModel {
    /// The Rust struct name.
    pub name: String,
    /// Its doc.
    pub doc: String,
    /// Its fields, every one optional.
    pub fields: Vec<ErrorField>,
}

/// The enums of a facts catalogue: the provider-wide one first, then one per group.
pub(super) fn facts_enums(
    check: &Checker<'_>,
    index: usize,
    catalogue: &Catalogue,
    facts: &Facts,
) -> Result<Vec<CatalogueEnum>, SpecError> {
    let pointer = format!("/catalogues/{index}");
    if facts.groups.is_empty() {
        return Err(check.invalid(
            format!("{pointer}/from_facts"),
            "`from_facts` needs the profile's `[errors.facts]` (file, sha256, groups)".to_owned(),
        ));
    }
    // Every code of every group, with the groups that list it (and what the first says).
    let mut listed: BTreeMap<&str, (Vec<&str>, &str)> = BTreeMap::new();
    for (group, codes) in &facts.groups {
        for code in codes {
            let entry = listed
                .entry(&code.code)
                .or_insert((Vec::new(), &code.facts));
            entry.0.push(group);
        }
    }
    let mut classified: BTreeMap<&str, (usize, &CatalogueEntry)> = BTreeMap::new();
    for (entry_index, entry) in catalogue.entries.iter().enumerate() {
        if !listed.contains_key(entry.code.as_str()) {
            return Err(check.invalid(
                format!("{pointer}/entries/{entry_index}/code"),
                format!(
                    "`{}` is classified but no group of {} lists it",
                    entry.code,
                    facts.file.display()
                ),
            ));
        }
        classified.insert(&entry.code, (entry_index, entry));
    }
    let code = |registry: &mut NameRegistry, code: &str, doc: String| {
        let entry_pointer = |entry_index: usize| format!("{pointer}/entries/{entry_index}");
        let (class, category, meaning, name, user_message) = match classified.get(code) {
            Some((entry_index, entry)) => {
                let class = check.class(
                    entry.class.as_deref().unwrap_or(&catalogue.default_class),
                    format!("{}/class", entry_pointer(*entry_index)),
                )?;
                let category = check.category(
                    entry.category.as_deref(),
                    &class,
                    code,
                    format!("{}/category", entry_pointer(*entry_index)),
                )?;
                let meaning = Some(entry.meaning.as_str()).filter(|m| !m.is_empty());
                (
                    class,
                    category,
                    meaning,
                    entry.name.as_deref(),
                    entry.user_message.clone(),
                )
            }
            None => (
                check.class(&catalogue.default_class, format!("{pointer}/default_class"))?,
                None,
                None,
                None,
                None,
            ),
        };
        let doc = match meaning {
            Some(meaning) if doc.is_empty() => meaning.to_owned(),
            Some(meaning) => format!("{} ({doc}).", meaning.trim_end_matches('.')),
            None => format!("`{code}` ({doc})."),
        };
        Ok::<_, SpecError>(CatalogueCode {
            code: code.to_owned(),
            variant: registry.claim(&[type_name(name.unwrap_or(code))]),
            class,
            category,
            doc,
            unverified: false,
            user_message,
        })
    };
    let registry = || {
        let mut registry = NameRegistry::default();
        registry.claim(&["Unknown".to_owned()]);
        registry
    };
    let mut all = registry();
    let mut entries = Vec::new();
    for (wire, (groups, _)) in &listed {
        entries.push(code(
            &mut all,
            wire,
            format!("listed for {}", groups.join(", ")),
        )?);
    }
    let mut enums = vec![CatalogueEnum {
        key: catalogue.name.clone(),
        name: catalogue.rust_name.clone(),
        doc: catalogue.meaning.clone(),
        entries,
        view_of: None,
    }];
    let Some(template) = &catalogue.group_enum else {
        return Ok(enums);
    };
    for (group, codes) in &facts.groups {
        let mut names = registry();
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        for fact in codes.iter().filter(|fact| seen.insert(fact.code.as_str())) {
            entries.push(code(&mut names, &fact.code, fact.facts.clone())?);
        }
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        enums.push(CatalogueEnum {
            key: format!("{}.{group}", catalogue.name),
            name: template.replace("{Group}", &type_name(group)),
            doc: format!(
                "{} Only the codes the `{group}` API lists; `{}::view` reads any code as one.",
                catalogue.meaning, catalogue.rust_name
            ),
            entries,
            view_of: Some(catalogue.rust_name.clone()),
        });
    }
    Ok(enums)
}

/// The records of the catalogue file, their catalogue fields resolved by `catalogue_name`.
pub(super) fn records(
    check: &Checker<'_>,
    records: &[Record],
    catalogue_name: impl Fn(&str, String) -> Result<String, SpecError>,
) -> Result<Vec<RecordModel>, SpecError> {
    let mut models = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let mut fields = Vec::new();
        for (field_index, field) in record.fields.iter().enumerate() {
            let pointer = format!("/records/{index}/fields/{field_index}");
            if field.kind == FieldKind::List {
                return Err(check.invalid(pointer, "a record holds no list".to_owned()));
            }
            let catalogue = match &field.catalogue {
                Some(key) => Some(catalogue_name(key, format!("{pointer}/catalogue"))?),
                None => None,
            };
            fields.push(ErrorField {
                wire_name: field.name.clone(),
                rust_name: field
                    .rust_name
                    .clone()
                    .unwrap_or_else(|| field_name(&field.name)),
                catalogue,
                kind: field.kind,
                item: None,
                detail_code: None,
                doc: field.meaning.clone(),
                role: FieldRole::default(),
            });
        }
        models.push(RecordModel {
            name: record.name.clone(),
            doc: record.meaning.clone(),
            fields,
        });
    }
    Ok(models)
}

/// For the `details_field` of the rules, the record field holding the code (`code_field`)
/// and its catalogue: `(rust field name, catalogue enum name)`.
pub(super) fn detail_code(
    check: &Checker<'_>,
    record: &RecordModel,
    code_field: &str,
) -> Result<(String, String), SpecError> {
    record
        .fields
        .iter()
        .find(|field| field.wire_name == code_field)
        .and_then(|field| Some((field.rust_name.clone(), field.catalogue.clone()?)))
        .ok_or_else(|| {
            check.invalid(
                "/records".to_owned(),
                format!(
                    "the profile's `[errors] code_field` `{code_field}` is no catalogue field of \
                     the detail record `{}`",
                    record.name
                ),
            )
        })
}
