//! The IR's type model: every type the SDK declares, addressed by a stable [`TypeId`].

use std::collections::BTreeSet;

/// A stable type id: the JSON pointer of the schema that defined the type first (for a
/// component schema, `#/components/schemas/<name>`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub String);

/// A value type with no declaration of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    /// `String`.
    String,
    /// `i64` (amounts in minor units, counts).
    Integer,
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// `i64` seconds since the Unix epoch (`format: unix-time`).
    Timestamp,
    /// A decimal number kept as its exact string (`format: decimal`).
    Decimal,
    /// `payforge::Currency`.
    Currency,
    /// `payforge::Sensitive<String>`: a request parameter that must never be printed.
    Sensitive,
    /// `payforge::wire::FileUpload`: a multipart file part.
    FileUpload,
    /// `payforge::wire::Binary`: a non-JSON response body (a PDF).
    Binary,
    /// `serde_json::Value`: a free-form value.
    Json,
}

/// A use of a type, in a field, parameter or output.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// A scalar.
    Scalar(Scalar),
    /// A declared type.
    Named(TypeId),
    /// A typed id (`CustomerId`, declared with `payforge::id!`), by its Rust name.
    Id(String),
    /// `Vec<T>`.
    List(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `payforge::wire::Expandable<T>`: an id, or the object when expanded.
    Expandable(Box<TypeRef>),
    /// `payforge::wire::Unsettable<T>`: a value, or the empty string that unsets it.
    Unsettable(Box<TypeRef>),
    /// `payforge::wire::List<T>`: a page of a cursor-paged list.
    Page(Box<TypeRef>),
    /// `payforge::wire::SearchList<T>`: a page of search results.
    SearchPage(Box<TypeRef>),
    /// `payforge::wire::Expand<…>`: an operation's typed `expand[]` paths.
    Expand {
        /// The expandable fields of what the operation returns (a [`TypeKind::ExpandFields`]),
        /// or `None` when it has none (`payforge::wire::NoExpandableFields`).
        fields: Option<TypeId>,
        /// Whether the operation returns a list or search page, whose paths start at the
        /// items (`payforge::wire::ListItems`, `data.` on the wire).
        items: bool,
    },
}

impl TypeRef {
    /// Every declared type this reference names.
    pub fn named(&self, out: &mut Vec<TypeId>) {
        match self {
            Self::Scalar(_) | Self::Id(_) => {}
            Self::Named(id) => out.push(id.clone()),
            Self::Expand { fields, .. } => out.extend(fields.iter().cloned()),
            Self::List(inner)
            | Self::Map(inner)
            | Self::Expandable(inner)
            | Self::Unsettable(inner)
            | Self::Page(inner)
            | Self::SearchPage(inner) => inner.named(out),
        }
    }

    /// Calls `f` on every declared type this reference names, which it may replace.
    pub fn map_named(&mut self, f: &mut impl FnMut(&mut TypeId)) {
        match self {
            Self::Scalar(_) | Self::Id(_) => {}
            Self::Named(id) => f(id),
            Self::Expand { fields, .. } => fields.iter_mut().for_each(f),
            Self::List(inner)
            | Self::Map(inner)
            | Self::Expandable(inner)
            | Self::Unsettable(inner)
            | Self::Page(inner)
            | Self::SearchPage(inner) => inner.map_named(f),
        }
    }

    /// The declared type held *by value* (not behind a `Vec`, map or box), if any: the
    /// edges along which a recursive type needs a `Box`.
    pub fn by_value(&self) -> Option<&TypeId> {
        match self {
            Self::Named(id) => Some(id),
            Self::Unsettable(inner) => inner.by_value(),
            _ => None,
        }
    }
}

/// The Rust path of the runtime's HATEOAS link type: a list of it under the profile's
/// `types.links_field` makes an object `::payforge::wire::Links`.
pub const LINK_TYPE: &str = "::payforge::wire::Link";

/// A declared type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// Its id.
    pub id: TypeId,
    /// Its Rust name, unique in the crate.
    pub name: String,
    /// The module that declares it.
    pub module: String,
    /// Its doc text (plain, not yet sanitised).
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Whether it only travels in requests (Serialize and builders, no Deserialize).
    pub request: bool,
    /// The cargo features whose operations need it (filled by the closure pass).
    pub features: BTreeSet<String>,
}

/// The shape of a declared type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeKind {
    /// A struct.
    Struct(StructDef),
    /// A string enum with an `Unknown(String)` fallback.
    StringEnum(Vec<String>),
    /// An enum over other types.
    Union(UnionDef),
    /// An alias of another type (a component schema that is only a list, scalar or map, or
    /// a use site's own name for a deduplicated type).
    Alias(TypeRef),
    /// The expandable fields of a response type, for typed `expand[]` parameters.
    ExpandFields(ExpandDef),
    /// A component schema that is a runtime type (the profile's `types.runtime_types`):
    /// `pub type <Name> = <path>;`, the path of the runtime type (`::payforge::wire::Link`).
    Runtime(String),
}

/// The fields of a response type that can be expanded, or that lead to some.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExpandDef {
    /// The response type.
    pub of: TypeId,
    /// The fields, ordered by wire name.
    pub fields: Vec<ExpandStep>,
}

/// A field of an [`ExpandDef`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExpandStep {
    /// The name on the wire, one segment of a path.
    pub wire_name: String,
    /// The enum variant, when the field itself can be expanded (a field that only holds an
    /// object with expandable fields has none: expanding it alone is no request).
    pub variant: Option<String>,
    /// The name of the function that builds a path through the field.
    pub method: String,
    /// The [`TypeKind::ExpandFields`] of what the field leads to, if it has any.
    pub then: Option<TypeId>,
}

/// A struct.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructDef {
    /// Its fields, ordered by wire name.
    pub fields: Vec<Field>,
    /// The constant value of its `object` property, if it has one.
    pub object_const: Option<String>,
}

/// A struct field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Field {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust name.
    pub rust_name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Whether the spec lists it as required.
    pub required: bool,
    /// Whether it may be `null`.
    pub nullable: bool,
    /// Its doc text.
    pub doc: Option<String>,
    /// Whether it must be boxed (a recursive type held by value); set by the recursion pass.
    pub boxed: bool,
    /// Whether this is the `object` constant of a member of an object-tagged union: the
    /// union's tag carries it there, so the field is optional.
    pub tag_const: bool,
}

/// An enum over other types.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnionDef {
    /// The field whose value selects the member (`object`), or `None` for an untagged union.
    pub tag: Option<String>,
    /// The members, in the order they are tried or declared.
    pub members: Vec<UnionMember>,
    /// Whether the union is tagged by a property whose values select the members (a
    /// `discriminator`, or a property every member declares with values of its own): it
    /// decodes by reading `tag`, and a value no member declares decodes into an `Unknown`
    /// variant holding the raw JSON instead of failing.
    pub open: bool,
}

/// A member of a union.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnionMember {
    /// The Rust variant name.
    pub variant: String,
    /// Its type.
    pub ty: TypeRef,
    /// The tag value selecting it, for a tagged union.
    pub tag_value: Option<String>,
    /// Every tag value selecting it, for an open union (several when its property is an
    /// enum: Adyen's card details are `scheme`, `card`, `bcmc`, ...).
    pub tag_values: Vec<String>,
    /// Whether it must be boxed.
    pub boxed: bool,
}

impl TypeKind {
    /// Every declared type this type refers to, in any position.
    pub fn named(&self, out: &mut Vec<TypeId>) {
        match self {
            Self::Struct(s) => s.fields.iter().for_each(|f| f.ty.named(out)),
            Self::Union(u) => u.members.iter().for_each(|m| m.ty.named(out)),
            Self::Alias(ty) => ty.named(out),
            Self::ExpandFields(def) => out.extend(def.fields.iter().filter_map(|f| f.then.clone())),
            Self::StringEnum(_) | Self::Runtime(_) => {}
        }
    }
}

impl TypeDef {
    /// The struct, if this is one.
    pub fn as_struct(&self) -> Option<&StructDef> {
        match &self.kind {
            TypeKind::Struct(def) => Some(def),
            _ => None,
        }
    }
}

impl StructDef {
    /// The string or typed `id` field, if the struct has one (and so implements `HasId`).
    pub fn id_field(&self) -> Option<&Field> {
        self.fields.iter().find(|field| {
            field.wire_name == "id"
                && matches!(field.ty, TypeRef::Scalar(Scalar::String) | TypeRef::Id(_))
        })
    }

    /// Whether the struct has a string `id` (required, or optional as for Stripe's upcoming
    /// invoices, whose id is then empty).
    pub fn has_id(&self) -> bool {
        self.id_field().is_some()
    }
}
