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
use crate::spec::catalogue::{Catalogue, CatalogueEntry, FactCode, Facts, FieldKind, Record};

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
    // Every code of every group, with the groups that list it.
    let mut listed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (group, codes) in &facts.groups {
        for code in codes {
            listed.entry(&code.code).or_default().push(group);
        }
    }
    let mut classified = BTreeMap::new();
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
        classified.insert(entry.code.as_str(), (entry_index, entry));
    }
    let classifier = Classifier {
        check,
        catalogue,
        pointer,
        classified,
    };
    let mut names = Classifier::registry();
    let mut entries = Vec::new();
    for (code, groups) in &listed {
        let facts = format!("listed for {}", groups.join(", "));
        entries.push(classifier.code(&mut names, code, facts)?);
    }
    let mut enums = vec![CatalogueEnum {
        key: catalogue.name.clone(),
        name: catalogue.rust_name.clone(),
        doc: catalogue.meaning.clone(),
        entries,
        view_of: None,
    }];
    if let Some(template) = &catalogue.group_enum {
        for (group, codes) in &facts.groups {
            enums.push(classifier.group_enum(template, group, codes)?);
        }
    }
    Ok(enums)
}

/// Classifies the codes of a facts catalogue by its `entries` (by code) or its default.
struct Classifier<'a> {
    check: &'a Checker<'a>,
    catalogue: &'a Catalogue,
    /// The catalogue's pointer in the file.
    pointer: String,
    /// The entries by code, with their index.
    classified: BTreeMap<&'a str, (usize, &'a CatalogueEntry)>,
}

impl Classifier<'_> {
    /// A registry of variant names with `Unknown` taken.
    fn registry() -> NameRegistry {
        let mut registry = NameRegistry::default();
        registry.claim(&["Unknown".to_owned()]);
        registry
    }

    /// The enum of one group: its codes, each once, sorted.
    fn group_enum(
        &self,
        template: &str,
        group: &str,
        codes: &[FactCode],
    ) -> Result<CatalogueEnum, SpecError> {
        let mut names = Self::registry();
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        for fact in codes.iter().filter(|fact| seen.insert(fact.code.as_str())) {
            entries.push(self.code(&mut names, &fact.code, fact.facts.clone())?);
        }
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        let (wide, meaning) = (&self.catalogue.rust_name, &self.catalogue.meaning);
        Ok(CatalogueEnum {
            key: format!("{}.{group}", self.catalogue.name),
            name: template.replace("{Group}", &type_name(group)),
            doc: format!(
                "{meaning} Only the codes the `{group}` API lists; `{wide}::view` reads any \
                 code as one."
            ),
            entries,
            view_of: Some(wide.clone()),
        })
    }

    /// One code, classified, its doc the entry's meaning and `facts` (what the facts say).
    fn code(
        &self,
        names: &mut NameRegistry,
        code: &str,
        facts: String,
    ) -> Result<CatalogueCode, SpecError> {
        let default_class = &self.catalogue.default_class;
        let Some((index, entry)) = self.classified.get(code) else {
            let pointer = format!("{}/default_class", self.pointer);
            return Ok(CatalogueCode {
                code: code.to_owned(),
                variant: names.claim(&[type_name(code)]),
                class: self.check.class(default_class, pointer)?,
                category: None,
                doc: format!("`{code}` ({facts})."),
                unverified: false,
                user_message: None,
            });
        };
        let pointer = format!("{}/entries/{index}", self.pointer);
        let class = entry.class.as_deref().unwrap_or(default_class);
        let class = self.check.class(class, format!("{pointer}/class"))?;
        let category = entry.category.as_deref();
        let category =
            self.check
                .category(category, &class, code, format!("{pointer}/category"))?;
        let doc = match entry.meaning.trim_end_matches('.') {
            "" => format!("`{code}` ({facts})."),
            meaning if facts.is_empty() => format!("{meaning}."),
            meaning => format!("{meaning} ({facts})."),
        };
        Ok(CatalogueCode {
            code: code.to_owned(),
            variant: names.claim(&[type_name(entry.name.as_deref().unwrap_or(code))]),
            class,
            category,
            doc,
            unverified: false,
            user_message: entry.user_message.clone(),
        })
    }
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
