//! Schemas -> declared types: the conversion of every schema the spec uses into
//! [`TypeDef`]s, with names decided once and identical inline types deduplicated.

mod aliases;
mod objects;
mod shapes;
mod unions;

use unions::union_name;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aliases::SiteAlias;

use super::all_of;
use super::names::{NameRegistry, field_name, type_name};
use super::types::{Field, Scalar, StructDef, TypeDef, TypeId, TypeKind, TypeRef};
use crate::spec::document::AdditionalProperties;
use crate::spec::{LoadedSpec, Schema, SpecError, child};

/// Where a schema is being converted: what names, modules and wrappers it gets.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    /// The JSON pointer of the schema.
    pub pointer: String,
    /// The name an inline type declared here would get.
    pub hint: String,
    /// The module an inline type declared here goes to.
    pub module: String,
    /// Whether the schema describes request parameters (Serialize-only types, sensitive
    /// fields, unsettable values).
    pub request: bool,
    /// The property or parameter name this schema is the value of.
    pub field: Option<String>,
}

impl Site {
    /// The site of property `name` of a type named `parent`.
    pub fn property(&self, pointer: String, parent: &str, name: &str) -> Self {
        Self {
            pointer,
            hint: format!("{parent}{}", type_name(name)),
            module: self.module.clone(),
            request: self.request,
            field: Some(name.to_owned()),
        }
    }

    fn with(&self, pointer: String, hint: String) -> Self {
        Self {
            pointer,
            hint,
            module: self.module.clone(),
            request: self.request,
            field: self.field.clone(),
        }
    }
}

/// The module of the common shapes.
const COMMON_MODULE: &str = "shared";

/// Every declared type, with the names taken so far.
pub(crate) struct TypeSpace<'s> {
    spec: &'s LoadedSpec,
    /// The declared types.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// Type and operation names in use.
    pub names: NameRegistry,
    /// Component name -> its pre-claimed Rust name.
    component_names: BTreeMap<String, String>,
    /// Deduplication index: (request-only, shape without docs and aliases) -> the type
    /// declared first.
    shapes: HashMap<(bool, TypeKind), TypeId>,
    /// Types whose declared name does not come from a place (a union named by its component
    /// members, a common shape): never moved to a place's name.
    context_free: BTreeSet<TypeId>,
    /// Later use sites of a deduplicated type, by their own id: each becomes a
    /// `pub type <SiteName> = <Canonical>;` if something still refers to it at the end.
    aliases: BTreeMap<TypeId, SiteAlias>,
    /// The declared common shapes (the profile's `common_shapes`), by (request-only, name),
    /// with the position of the signature that gave the declaration.
    common: BTreeMap<(bool, String), (TypeId, usize)>,
    /// The ids of `common`'s types.
    common_ids: BTreeSet<TypeId>,
}

/// The id of component schema `name`.
pub(crate) fn component_id(name: &str) -> TypeId {
    TypeId(format!("#/components/schemas/{name}"))
}

impl<'s> TypeSpace<'s> {
    /// Claims the names of every component schema, in sorted order, before anything inline
    /// can take them.
    pub fn new(spec: &'s LoadedSpec) -> Self {
        let mut names = NameRegistry::default();
        let mut keys: Vec<&String> = spec.document.components.schemas.keys().collect();
        keys.sort();
        let component_names = keys
            .into_iter()
            .map(|key| (key.clone(), names.claim(&[type_name(key)])))
            .collect();
        Self {
            spec,
            types: BTreeMap::new(),
            names,
            component_names,
            shapes: HashMap::new(),
            context_free: BTreeSet::new(),
            aliases: BTreeMap::new(),
            common: BTreeMap::new(),
            common_ids: BTreeSet::new(),
        }
    }

    /// Converts component schema `name` (idempotent: a second call does nothing).
    pub fn add_component(
        &mut self,
        name: &str,
        schema: &Schema,
        module: &str,
    ) -> Result<(), SpecError> {
        let id = component_id(name);
        if self.types.contains_key(&id) {
            return Ok(());
        }
        let rust_name = self
            .component_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| type_name(name));
        let site = Site {
            pointer: format!(
                "/components/schemas/{}",
                crate::spec::escape_pointer_token(name)
            ),
            hint: rust_name.clone(),
            module: module.to_owned(),
            request: false,
            field: None,
        };
        // A schema the loader refused is not declared from what it could read. `allOf` (with
        // or without `properties`) is merged by `struct_def`; a `discriminator` tags a union
        // and is documentation on an object (the members that `allOf` it are structs).
        if let Some(refusal) = schema.refusal() {
            return Err(self.spec.unsupported(&site.pointer, refusal));
        }
        let runtime = self.spec.profile.types.runtime_types.get(name);
        let kind = if let Some(path) = runtime {
            TypeKind::Runtime(path.clone())
        } else if is_object(schema) {
            TypeKind::Struct(self.struct_def(schema, &rust_name, &site)?)
        } else if let Some(members) = union_members(schema) {
            let mut def = self.union_def(members, &site)?;
            if let Some(discriminator) = &schema.discriminator {
                super::tagging::discriminate(&mut def, discriminator);
            }
            TypeKind::Union(def)
        } else if schema.values.is_some() && schema.kind.as_deref() == Some("string") {
            TypeKind::StringEnum(self.enum_values(schema, &site)?)
        } else {
            TypeKind::Alias(self.convert(schema, &site)?.0)
        };
        self.types.insert(
            id.clone(),
            TypeDef {
                id,
                name: rust_name,
                module: module.to_owned(),
                doc: schema.description.clone(),
                kind,
                request: false,
                features: Default::default(),
            },
        );
        Ok(())
    }

    /// The Rust name of a declared type (a component's name is known before it is converted).
    pub fn name_of(&self, id: &TypeId) -> String {
        if let Some(def) = self.types.get(id) {
            return def.name.clone();
        }
        if let Some(alias) = self.aliases.get(id) {
            return alias.hint.clone();
        }
        id.0.strip_prefix("#/components/schemas/")
            .and_then(|name| self.component_names.get(name))
            .cloned()
            .unwrap_or_else(|| id.0.clone())
    }

    /// Converts a schema used at `site` into a type reference and whether it is nullable.
    pub fn convert(&mut self, schema: &Schema, site: &Site) -> Result<(TypeRef, bool), SpecError> {
        if let Some(only) = all_of::single_part(schema) {
            let pointer = child(&child(&site.pointer, "allOf"), "0");
            let (ty, nullable) = self.convert(only, &site.with(pointer, site.hint.clone()))?;
            return Ok((ty, nullable || schema.nullable));
        }
        if let Some(refusal) = schema.refusal() {
            return Err(self.spec.unsupported(&site.pointer, refusal));
        }
        if let Some(reference) = &schema.reference {
            let (name, _) = self.spec.resolve(reference, &site.pointer)?;
            return Ok((TypeRef::Named(component_id(name)), schema.nullable));
        }
        if let Some(expansion) = &schema.expansion_resources
            && self.spec.profile.conventions.expansion_resources
        {
            let pointer = child(&site.pointer, "x-expansionResources");
            let target =
                self.members_type(&expansion.one_of, &site.with(pointer, site.hint.clone()))?;
            return Ok((TypeRef::Expandable(Box::new(target)), schema.nullable));
        }
        if let Some(members) = union_members(schema) {
            return self.convert_any_of(schema, members, site);
        }
        let ty = match schema.kind.as_deref() {
            Some("string") => self.string_type(schema, site)?,
            Some("integer")
                if schema.format.as_deref() == Some("unix-time")
                    && self.spec.profile.conventions.unix_time =>
            {
                TypeRef::Scalar(Scalar::Timestamp)
            }
            Some("integer") => TypeRef::Scalar(Scalar::Integer),
            Some("number") => TypeRef::Scalar(Scalar::Number),
            Some("boolean") => TypeRef::Scalar(Scalar::Boolean),
            Some("array") => {
                let pointer = child(&site.pointer, "items");
                let items = schema.items.as_deref().ok_or_else(|| {
                    self.spec
                        .unsupported(&site.pointer, "an array without `items`")
                })?;
                TypeRef::List(Box::new(
                    self.convert(items, &site.with(pointer, site.hint.clone()))?
                        .0,
                ))
            }
            Some("object") | None => self.object_type(schema, site)?,
            Some(other) => {
                return Err(self
                    .spec
                    .unsupported(&site.pointer, format!("type `{other}`")));
            }
        };
        Ok((ty, schema.nullable))
    }

    fn string_type(&mut self, schema: &Schema, site: &Site) -> Result<TypeRef, SpecError> {
        let rules = &self.spec.profile.types;
        let field = site.field.as_deref().unwrap_or_default();
        if schema.format.as_deref() == Some("binary") {
            let scalar = if site.request {
                Scalar::FileUpload
            } else {
                Scalar::Binary
            };
            return Ok(TypeRef::Scalar(scalar));
        }
        if let Some(values) = &schema.values {
            // The single constant naming an object's type stays a string: a one-variant enum
            // would say nothing the type's name does not.
            if field == rules.object_tag
                && values.len() == 1
                && self.spec.profile.conventions.object_tag
            {
                return Ok(TypeRef::Scalar(Scalar::String));
            }
            let values = self.enum_values(schema, site)?;
            let id = self.intern(TypeKind::StringEnum(values), false, None, schema, site);
            return Ok(TypeRef::Named(id));
        }
        Ok(TypeRef::Scalar(if rules.currency_fields.contains(field) {
            Scalar::Currency
        } else if rules.is_sensitive(field, site.request) {
            Scalar::Sensitive
        } else if schema.format.as_deref() == Some("decimal") {
            Scalar::Decimal
        } else {
            Scalar::String
        }))
    }

    fn object_type(&mut self, schema: &Schema, site: &Site) -> Result<TypeRef, SpecError> {
        let has_properties = schema.properties.as_ref().is_some_and(|p| !p.is_empty());
        match (&schema.additional_properties, has_properties) {
            (Some(AdditionalProperties::Schema(values)), false) => {
                let pointer = child(&site.pointer, "additionalProperties");
                let hint = format!("{}Value", site.hint);
                let value = self.convert(values, &site.with(pointer, hint))?.0;
                Ok(TypeRef::Map(Box::new(value)))
            }
            // An inline object is named after its place (its `title`, which the spec gives
            // the first of many places, is only a doc fallback): each later place sees it
            // through an alias of its own name.
            _ if schema.properties.is_some() || all_of::has_all_of(schema) => {
                let def = self.struct_def(schema, &site.hint, site)?;
                let id = self.intern(TypeKind::Struct(def), site.request, None, schema, site);
                Ok(TypeRef::Named(id))
            }
            _ => Ok(TypeRef::Scalar(Scalar::Json)),
        }
    }

    /// The fields of an object schema, its `allOf` parts merged, ordered by wire name.
    pub fn struct_def(
        &mut self,
        schema: &Schema,
        name: &str,
        site: &Site,
    ) -> Result<StructDef, SpecError> {
        let view = self.object_view(schema, &site.pointer)?;
        let mut def = StructDef::default();
        let mut field_names = NameRegistry::default();
        for (wire_name, (property, pointer)) in &view.properties {
            let property_site = site.property(pointer.clone(), name, wire_name);
            let (ty, nullable) = self.convert(property, &property_site)?;
            if *wire_name == self.spec.profile.types.object_tag
                && self.spec.profile.conventions.object_tag
                && let Some([serde_json::Value::String(value)]) = property.values.as_deref()
            {
                def.object_const = Some(value.clone());
            }
            def.fields.push(Field {
                wire_name: (*wire_name).to_owned(),
                rust_name: field_names.claim(&[field_name(wire_name)]),
                ty,
                required: view.required.contains(wire_name),
                nullable,
                doc: property.description.clone(),
                boxed: false,
                tag_const: false,
            });
        }
        Ok(def)
    }

    /// `anyOf`/`oneOf`: an empty-string member makes a request value unsettable; one
    /// remaining member is that member; more make a union.
    fn convert_any_of(
        &mut self,
        schema: &Schema,
        members: &[Schema],
        site: &Site,
    ) -> Result<(TypeRef, bool), SpecError> {
        let is_unset = |member: &Schema| {
            member.kind.as_deref() == Some("string")
                && matches!(member.values.as_deref(), Some([serde_json::Value::String(s)]) if s.is_empty())
        };
        let unsettable = site.request
            && self.spec.profile.conventions.empty_string_unset
            && members.iter().any(is_unset);
        let kept: Vec<&Schema> = members
            .iter()
            .filter(|m| !(unsettable && is_unset(m)))
            .collect();
        let mut nullable = schema.nullable;
        let ty = if let [only] = kept.as_slice() {
            let (ty, member_nullable) = self.convert(
                only,
                &site.with(child(&site.pointer, "anyOf"), site.hint.clone()),
            )?;
            nullable |= member_nullable;
            ty
        } else {
            let owned: Vec<&Schema> = kept;
            let mut def = self.union_def_refs(&owned, site)?;
            if let Some(discriminator) = &schema.discriminator {
                super::tagging::discriminate(&mut def, discriminator);
            }
            let shared = union_name(&def, &*self);
            TypeRef::Named(self.intern(TypeKind::Union(def), site.request, shared, schema, site))
        };
        Ok((
            if unsettable {
                TypeRef::Unsettable(Box::new(ty))
            } else {
                ty
            },
            nullable,
        ))
    }

    /// The type of an expansion target list: the one member, or a union of them.
    fn members_type(&mut self, members: &[Schema], site: &Site) -> Result<TypeRef, SpecError> {
        if let [only] = members {
            return Ok(self.convert(only, site)?.0);
        }
        let refs: Vec<&Schema> = members.iter().collect();
        let def = self.union_def_refs(&refs, site)?;
        let shared = union_name(&def, &*self);
        let schema = Schema::default();
        Ok(TypeRef::Named(self.intern(
            TypeKind::Union(def),
            site.request,
            shared,
            &schema,
            site,
        )))
    }

    fn enum_values(&self, schema: &Schema, site: &Site) -> Result<Vec<String>, SpecError> {
        let mut values = Vec::new();
        for value in schema.values.iter().flatten() {
            match value {
                serde_json::Value::String(s) => values.push(s.clone()),
                other => {
                    return Err(self
                        .spec
                        .unsupported(&site.pointer, format!("string enum value {other}")));
                }
            }
        }
        values.sort();
        values.dedup();
        Ok(values)
    }

    /// Declares a type of this shape, or returns the identical one declared before. The
    /// first user (in conversion order: components by name, then operations by path)
    /// names the type after its place. A later user whose place has another name gets it
    /// through an alias, and the shortest of those names ends up on the declared type (see
    /// [`Self::declare_aliases`]). A shape with a `shared` name (a union of component
    /// schemas, `CustomerOrDeletedCustomer`) is declared under it, apart from its places,
    /// and every place, the first too, gets an alias; a common shape of the profile is
    /// declared under its name and used as is everywhere.
    fn intern(
        &mut self,
        kind: TypeKind,
        request: bool,
        shared: Option<String>,
        schema: &Schema,
        site: &Site,
    ) -> TypeId {
        if let Some((common, position)) = self.common_name(&kind) {
            return self.intern_common(common, position, kind, request);
        }
        let doc = schema
            .description
            .clone()
            .or_else(|| schema.title.clone().map(|t| format!("`{t}`")));
        let key = (request, self.shape_key(&kind));
        let canonical = match self.shapes.get(&key).cloned() {
            Some(canonical) => canonical,
            None => {
                let Some(shared) = shared else {
                    let id = TypeId(site.pointer.clone());
                    let name = self.names.claim(std::slice::from_ref(&site.hint));
                    self.declare(id.clone(), name, kind, doc, request, site);
                    self.shapes.insert(key, id.clone());
                    return id;
                };
                let id = TypeId(format!("{}#members", site.pointer));
                let name = self.names.claim(&[shared, site.hint.clone()]);
                // A place's doc would mislead at the others.
                let members: Vec<String> = match &kind {
                    TypeKind::Union(u) => u
                        .members
                        .iter()
                        .map(|m| format!("`{}`", m.variant))
                        .collect(),
                    _ => Vec::new(),
                };
                let shared_doc = format!(
                    "One of {}; each place that holds it names it with an alias of its own.",
                    members.join(", ")
                );
                self.declare(id.clone(), name, kind, Some(shared_doc), request, site);
                self.context_free.insert(id.clone());
                self.shapes.insert(key, id.clone());
                id
            }
        };
        let id = TypeId(site.pointer.clone());
        // The same site converted again (a schema reached twice) is its own declaration.
        if self.name_of(&canonical) == site.hint || canonical == id {
            return canonical;
        }
        self.aliases.insert(
            id.clone(),
            SiteAlias {
                canonical,
                hint: site.hint.clone(),
                module: site.module.clone(),
                doc,
                request,
            },
        );
        id
    }

    /// Adds a declared type at `site`'s module.
    fn declare(
        &mut self,
        id: TypeId,
        name: String,
        kind: TypeKind,
        doc: Option<String>,
        request: bool,
        site: &Site,
    ) {
        self.types.insert(
            id.clone(),
            TypeDef {
                id,
                name,
                module: site.module.clone(),
                doc,
                kind,
                request,
                features: Default::default(),
            },
        );
    }

    /// `ty` with every site alias replaced by the type it names.
    fn canonical(&self, ty: &TypeRef) -> TypeRef {
        let mut ty = ty.clone();
        ty.map_named(&mut |id| {
            if let Some(alias) = self.aliases.get(id) {
                *id = alias.canonical.clone();
            }
        });
        ty
    }

    /// The shape of a type without its docs, and with aliases resolved, for deduplication.
    fn shape_key(&self, kind: &TypeKind) -> TypeKind {
        let mut key = kind.clone();
        match &mut key {
            TypeKind::Struct(def) => {
                for field in &mut def.fields {
                    field.doc = None;
                    field.ty = self.canonical(&field.ty);
                }
            }
            TypeKind::Union(def) => {
                for member in &mut def.members {
                    member.ty = self.canonical(&member.ty);
                }
            }
            TypeKind::StringEnum(_)
            | TypeKind::Alias(_)
            | TypeKind::ExpandFields(_)
            | TypeKind::Runtime(_) => {}
        }
        key
    }
}

/// Whether a schema describes an object with properties (a struct).
fn is_object(schema: &Schema) -> bool {
    (schema.properties.is_some() || all_of::has_all_of(schema)) && union_members(schema).is_none()
}

/// The members of an `anyOf` or `oneOf`.
fn union_members(schema: &Schema) -> Option<&[Schema]> {
    schema.any_of.as_deref().or(schema.one_of.as_deref())
}
