//! Common shapes: the shapes a provider's profile names once for every place that uses
//! them (`types.common_shapes`), found by a readable signature of each shape.

use super::{COMMON_MODULE, TypeSpace, component_id};
use crate::ir::types::{Scalar, TypeDef, TypeId, TypeKind, TypeRef};

impl TypeSpace<'_> {
    /// Declares common shape `name` (once for requests, once for responses), or returns it.
    /// The signatures listed under one name are the same Rust type (`Now` or an `i64`,
    /// whether the spec says `unix-time` or not); the first listed that the spec uses gives
    /// the declaration, so its variant names (`Timestamp`). No place gets an alias: the name
    /// is the same everywhere.
    pub(super) fn intern_common(
        &mut self,
        name: String,
        position: usize,
        kind: TypeKind,
        request: bool,
    ) -> TypeId {
        if let Some((id, declared_from)) = self.common.get_mut(&(request, name.clone())) {
            let id = id.clone();
            if position < *declared_from {
                *declared_from = position;
                if let Some(def) = self.types.get_mut(&id) {
                    def.kind = kind;
                }
            }
            return id;
        }
        // A place's own doc would mislead at the others.
        let doc = Some(format!(
            "A shape common to many places of the API, with one name everywhere: `{}`.",
            self.signature(&kind)
        ));
        let side = if request { "request" } else { "response" };
        let id = TypeId(format!("#common/{side}/{name}"));
        let rust_name = self.names.claim(&[name.clone(), format!("{name}Response")]);
        self.common.insert((request, name), (id.clone(), position));
        self.common_ids.insert(id.clone());
        self.context_free.insert(id.clone());
        self.types.insert(
            id.clone(),
            TypeDef {
                id: id.clone(),
                name: rust_name,
                module: COMMON_MODULE.to_owned(),
                doc,
                kind,
                request,
                features: Default::default(),
            },
        );
        id
    }

    /// The profile's name for the common shape `kind` has, if it is one, with the position
    /// of its signature in the profile's list (the first listed gives the declaration).
    pub(super) fn common_name(&self, kind: &TypeKind) -> Option<(String, usize)> {
        let signature = self.signature(kind);
        self.spec
            .profile
            .types
            .common_shapes
            .iter()
            .find_map(|(name, signatures)| {
                let position = signatures.iter().position(|s| *s == signature)?;
                Some((name.clone(), position))
            })
    }

    /// The signature of a shape, as the profile writes it: `{gt?: integer, lte?: integer}`
    /// (fields by wire name, `?` when optional), `enum("now")`, `one_of(Now, timestamp)`
    /// (members sorted), `[T]`, `map<T>`, `unsettable<T>`, `expandable<T>`, scalars in
    /// snake case; a component schema or a common shape by its name, any other declared
    /// type by its own signature.
    pub(crate) fn signature(&self, kind: &TypeKind) -> String {
        match kind {
            TypeKind::Struct(def) => {
                let fields: Vec<String> = def
                    .fields
                    .iter()
                    .map(|f| {
                        let optional = if f.required { "" } else { "?" };
                        format!("{}{optional}: {}", f.wire_name, self.ref_signature(&f.ty))
                    })
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
            TypeKind::StringEnum(values) => {
                let values: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                format!("enum({})", values.join(", "))
            }
            TypeKind::Union(def) => {
                let mut members: Vec<String> = def
                    .members
                    .iter()
                    .map(|m| self.ref_signature(&m.ty))
                    .collect();
                members.sort();
                format!("one_of({})", members.join(", "))
            }
            TypeKind::Alias(ty) => self.ref_signature(ty),
            TypeKind::ExpandFields(_) => "expand".to_owned(),
            TypeKind::Runtime(path) => path.clone(),
        }
    }

    fn ref_signature(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Scalar(scalar) => scalar_signature(*scalar).to_owned(),
            TypeRef::Named(id) => self.named_signature(id),
            TypeRef::Id(name) => format!("id<{name}>"),
            TypeRef::List(inner) => format!("[{}]", self.ref_signature(inner)),
            TypeRef::Map(inner) => format!("map<{}>", self.ref_signature(inner)),
            TypeRef::Expandable(inner) => format!("expandable<{}>", self.ref_signature(inner)),
            TypeRef::Unsettable(inner) => format!("unsettable<{}>", self.ref_signature(inner)),
            TypeRef::Page(inner) => format!("list<{}>", self.ref_signature(inner)),
            TypeRef::SearchPage(inner) => format!("search<{}>", self.ref_signature(inner)),
            TypeRef::Expand { .. } => "expand".to_owned(),
        }
    }

    fn named_signature(&self, id: &TypeId) -> String {
        let id = self.aliases.get(id).map_or(id, |alias| &alias.canonical);
        let component = id.0.starts_with(&component_id("").0);
        match self.types.get(id) {
            Some(def) if !component && !self.common_ids.contains(id) => self.signature(&def.kind),
            _ => self.name_of(id),
        }
    }
}

/// A scalar's word in a signature.
fn scalar_signature(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::String => "string",
        Scalar::Integer => "integer",
        Scalar::Number => "number",
        Scalar::Boolean => "boolean",
        Scalar::Timestamp => "timestamp",
        Scalar::Decimal => "decimal",
        Scalar::Currency => "currency",
        Scalar::Sensitive => "sensitive",
        Scalar::FileUpload => "file_upload",
        Scalar::Binary => "binary",
        Scalar::Json => "json",
    }
}
