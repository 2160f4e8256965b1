//! Stage 2, **IR**: our own model of an SDK, built once from a [`LoadedSpec`] and read by
//! the emitters, which never see the spec.
//!
//! [`Ir::build`] converts every component schema and operation ([`type_space`],
//! [`operations`]), finds webhook event payloads ([`events`]), settles union tagging and
//! recursion ([`passes`]), and computes which cargo features need each type. Every table
//! that reaches output is a `BTreeMap` or a sorted `Vec`, so output order follows the data.

mod all_of;
pub mod error_facts;
pub mod errors;
pub mod events;
mod expand;
mod ids;
mod leniency;
pub mod names;
mod operation_names;
pub mod operations;
pub mod paging;
mod passes;
mod request;
mod servers;
mod tagging;
pub(crate) mod type_space;
pub mod types;

use std::collections::{BTreeMap, BTreeSet};

pub use errors::ErrorModel;
pub use events::EventDef;
pub use operations::{Encoding, Operation, Pagination, Param, ParamLocation};
pub use types::{
    ExpandDef, ExpandStep, Field, Scalar, StructDef, TypeDef, TypeId, TypeKind, TypeRef, UnionDef,
    UnionMember,
};

use crate::spec::{LoadedSpec, SpecError};
use type_space::TypeSpace;

/// The cargo feature that enables every resource group.
pub const FULL_FEATURE: &str = "full";
/// The cargo feature (and module) of typed webhook events.
pub const EVENTS_FEATURE: &str = "events";

/// A provider SDK, ready to emit.
#[derive(Debug)]
pub struct Ir {
    /// The provider profile's facts.
    pub profile: crate::spec::ProviderProfile,
    /// The spec file name and hash, for `@generated` headers.
    pub spec_file: String,
    /// The spec's sha256.
    pub spec_sha256: String,
    /// The spec's title.
    pub title: String,
    /// Every declared type.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// The API resources (component schemas with a resource id, the objects the provider's
    /// fixtures describe), by schema name.
    pub resources: BTreeMap<String, TypeId>,
    /// Every typed id, by Rust name (`CustomerId`), with the object constant it names.
    pub ids: BTreeMap<String, String>,
    /// Every operation, by Rust name.
    pub operations: BTreeMap<String, Operation>,
    /// Webhook event types, by wire name.
    pub events: BTreeMap<String, EventDef>,
    /// The error catalogue.
    pub errors: ErrorModel,
    /// Every resource-group feature (not `full`), sorted.
    pub features: BTreeSet<String>,
    /// What the spec has and what was generated.
    pub coverage: Coverage,
}

/// Counts of what the spec has and what was generated, and what was skipped and why.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// Operations in the spec.
    pub operations_total: usize,
    /// Operations generated.
    pub operations_generated: usize,
    /// Component schemas in the spec.
    pub schemas_total: usize,
    /// Component schemas generated.
    pub schemas_generated: usize,
    /// Event types the spec lists.
    pub events_total: usize,
    /// Event types whose object is a generated type (the others carry raw JSON).
    pub events_typed: usize,
    /// What was generated with less than a full type: (what, how).
    pub notes: Vec<(String, String)>,
    /// Everything not generated: (what, reason).
    pub skipped: Vec<(String, String)>,
}

impl Ir {
    /// Builds the IR of a loaded spec.
    pub fn build(spec: &LoadedSpec) -> Result<Self, SpecError> {
        let mut space = TypeSpace::new(spec);
        let modules = passes::component_modules(spec);
        let mut components: Vec<_> = spec.document.components.schemas.iter().collect();
        components.sort_by(|a, b| a.0.cmp(b.0));
        let mut skipped = Vec::new();
        // A component the generator cannot convert is a coverage skip, not the end of the
        // provider: it is declared as raw JSON so that what refers to it still compiles.
        let mut opaque = BTreeSet::new();
        for (name, schema) in &components {
            let module = modules.get(name.as_str()).map_or("shared", String::as_str);
            if let Err(error) = space.add_component(name, schema, module) {
                space.add_opaque_component(name, module, &reason_of(&error));
                skipped.push((format!("schema `{name}`"), error.to_string()));
                opaque.insert(type_space::component_id(name));
            }
        }
        let mut operations = operations::operations(spec, &mut space, &mut skipped);
        let (mut events, mut notes) = events::events(spec)?;
        let errors = ErrorModel::build(spec)?;
        let roots = operations
            .iter()
            .flat_map(|op| op.params.iter().map(|p| &p.ty).chain([&op.output]));
        let (mut types, mut names) = space.declare_aliases(roots);
        notes.extend(events::untype_undeclared(&mut events, &types));
        notes.extend(
            spec.conflicts
                .iter()
                .map(|c| (c.what.clone(), c.resolution.clone())),
        );
        passes::settle_unions(&mut types, &spec.profile.types.object_tag);
        tagging::tag_by_property(&mut types);
        // Empty unless the profile's leniency policy reads the provider's fixtures.
        notes.extend(leniency::relax_omitted_required(
            &mut types,
            &spec.fixtures,
            &spec.profile.types.object_tag,
        ));
        passes::box_recursion(&mut types);
        let ids = ids::typed_ids(&mut types, &mut operations, &spec.profile.operations);
        // A profile that turns the convention on names its parameter (checked on load).
        if let (true, Some(expand_param)) = (
            spec.profile.conventions.expansion_resources,
            &spec.profile.operations.expand_param,
        ) {
            expand::typed_expand(&mut types, &mut names, &mut operations, expand_param);
        }
        let features: BTreeSet<String> = operations
            .iter()
            .map(|op| op.group.clone())
            .chain((!events.is_empty()).then(|| EVENTS_FEATURE.to_owned()))
            .collect();
        passes::feature_closure(&mut types, &operations, &events);
        let operations_total = spec
            .document
            .paths
            .values()
            .map(|item| item.operations().count())
            .sum();
        let schemas_generated = components
            .iter()
            .map(|(name, _)| type_space::component_id(name))
            .filter(|id| types.contains_key(id) && !opaque.contains(id))
            .count();
        let events_total = events.len();
        let coverage = Coverage {
            operations_total,
            operations_generated: operations.len(),
            schemas_total: components.len(),
            schemas_generated,
            events_total,
            events_typed: events
                .values()
                .filter(|e| e.object != TypeRef::Scalar(Scalar::Json))
                .count(),
            notes,
            skipped,
        };
        Ok(Self {
            profile: spec.profile.clone(),
            spec_file: spec.file_name(),
            spec_sha256: spec.sha256.clone(),
            title: spec.document.info.title.clone(),
            resources: components
                .iter()
                .filter(|(name, schema)| {
                    schema.resource_id.is_some()
                        && types.contains_key(&type_space::component_id(name))
                })
                .filter(|_| spec.profile.conventions.resource_id_modules)
                .map(|(name, _)| ((*name).clone(), type_space::component_id(name)))
                .collect(),
            types,
            ids,
            operations: operations
                .into_iter()
                .map(|op| (op.name.clone(), op))
                .collect(),
            events,
            errors,
            features,
            coverage,
        })
    }

    /// The Rust name of a declared type.
    pub fn name_of<'a>(&'a self, id: &'a TypeId) -> &'a str {
        self.types
            .get(id)
            .map_or(id.0.as_str(), |def| def.name.as_str())
    }
}

/// Why a schema was not converted, without the spec file's path (a generated doc must read
/// the same on every machine).
fn reason_of(error: &SpecError) -> String {
    match error {
        SpecError::Unsupported {
            pointer, construct, ..
        } => format!("{construct}, at {pointer}"),
        other => other.to_string(),
    }
}
