//! The subset of OpenAPI 3.0 and 3.1 that payforge reads, as serde structs.
//!
//! We parse into our own structs rather than `openapiv3` because providers' meaning lives in
//! their extensions (`x-expansionResources`, `x-resourceId`), which `openapiv3` leaves as
//! untyped maps, and because every schema keyword must be either modelled here or refused
//! with the JSON pointer of the offending node, never silently ignored: a schema's unmodelled
//! keys land in [`Schema::other`], and [`super::normalise`] refuses each one that is not a
//! vendor extension the profile lists as meaningless. Keys are kept in file order
//! (`IndexMap`); the IR sorts what reaches output.
//!
//! As parsed, a document may hold 3.1 forms (`type: [T, "null"]`, `const`) and `$ref`s to
//! shared parameters, bodies, responses, headers and examples; [`super::LoadedSpec`]
//! normalises the first ([`super::normalise`]) and resolves the second ([`super::refs`]), so
//! the IR only ever sees [`Schema::kind`], [`Schema::values`] and resolved objects.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// An OpenAPI document.
#[derive(Clone, Debug, Deserialize)]
pub struct Document {
    /// The OpenAPI version (`3.0.0`, `3.1.0`); checked by [`super::check_version`].
    pub openapi: String,
    /// Title and version.
    pub info: Info,
    /// Paths and their operations.
    #[serde(default)]
    pub paths: IndexMap<String, PathItem>,
    /// Webhooks the provider sends (3.1), by name: each is a path item whose operation's
    /// request body is the webhook's payload.
    #[serde(default)]
    pub webhooks: IndexMap<String, PathItem>,
    /// Shared components.
    #[serde(default)]
    pub components: Components,
}

/// The document's `info`.
#[derive(Clone, Debug, Deserialize)]
pub struct Info {
    /// The API's title.
    pub title: String,
    /// The API version.
    pub version: String,
}

/// The document's `components`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    /// Named schemas.
    #[serde(default)]
    pub schemas: IndexMap<String, Schema>,
    /// Shared parameters, which operations `$ref`.
    #[serde(default)]
    pub parameters: IndexMap<String, Parameter>,
    /// Shared request bodies.
    #[serde(default)]
    pub request_bodies: IndexMap<String, RequestBody>,
    /// Shared responses.
    #[serde(default)]
    pub responses: IndexMap<String, Response>,
    /// Shared response headers.
    #[serde(default)]
    pub headers: IndexMap<String, Header>,
    /// Shared examples of bodies.
    #[serde(default)]
    pub examples: IndexMap<String, Example>,
}

/// One path (or webhook) and its operations.
#[derive(Clone, Debug, Deserialize)]
pub struct PathItem {
    /// `GET`.
    pub get: Option<Operation>,
    /// `POST`.
    pub post: Option<Operation>,
    /// `PUT`.
    pub put: Option<Operation>,
    /// `PATCH`.
    pub patch: Option<Operation>,
    /// `DELETE`.
    pub delete: Option<Operation>,
    /// Parameters shared by every operation of the path.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Servers of every operation of the path, replacing the document's.
    #[serde(default)]
    pub servers: Vec<Server>,
}

/// A server an operation is sent to (`servers:` of an operation or a path item).
#[derive(Clone, Debug, Deserialize)]
pub struct Server {
    /// Its base URL (`https://files.example.com/`).
    pub url: String,
}

impl PathItem {
    /// The operations of this path, each with its lowercase method name, in a fixed order.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Operation)> {
        [
            ("get", &self.get),
            ("post", &self.post),
            ("put", &self.put),
            ("patch", &self.patch),
            ("delete", &self.delete),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_ref().map(|op| (method, op)))
    }

    /// The operations of this path, mutably, each with its lowercase method name.
    pub fn operations_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Operation)> {
        [
            ("get", &mut self.get),
            ("post", &mut self.post),
            ("put", &mut self.put),
            ("patch", &mut self.patch),
            ("delete", &mut self.delete),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_mut().map(|op| (method, op)))
    }
}

/// One operation.
#[derive(Clone, Debug, Default)]
pub struct Operation {
    /// The spec's unique id of the operation.
    pub operation_id: Option<String>,
    /// A one-line summary.
    pub summary: Option<String>,
    /// A longer description (HTML or Markdown).
    pub description: Option<String>,
    /// Path, query and header parameters.
    pub parameters: Vec<Parameter>,
    /// The request body.
    pub request_body: Option<RequestBody>,
    /// Responses by status code (`200`, `default`).
    pub responses: IndexMap<String, Response>,
    /// Whether the operation is deprecated.
    pub deprecated: bool,
    /// Servers of this operation, replacing its path's and the document's.
    pub servers: Vec<Server>,
    /// Grouping tags (documentation).
    pub tags: Vec<String>,
    /// The security requirements (the profile's auth convention decides how to authenticate).
    pub security: Option<serde_json::Value>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
    /// Why loading refused this operation (a key of it or of its parameters, body or
    /// responses), if it did; the IR skips it with this reason.
    pub refusal: Option<String>,
}

/// A path, query or header parameter.
#[derive(Clone, Debug, Default)]
pub struct Parameter {
    /// A reference to a shared parameter (`#/components/parameters/<name>`); `None` once
    /// resolved. One that is still set after loading could not be resolved.
    pub reference: Option<String>,
    /// The parameter's name.
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it is required.
    pub required: bool,
    /// Its description.
    pub description: Option<String>,
    /// Its schema.
    pub schema: Option<Schema>,
    /// How the value is serialised (`form`, `deepObject`, `simple`).
    pub style: Option<String>,
    /// Whether arrays and objects explode into several parameters.
    pub explode: Option<bool>,
    /// An example value (documentation only).
    pub example: Option<serde_json::Value>,
    /// Whether the parameter is deprecated.
    pub deprecated: bool,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A request body.
#[derive(Clone, Debug, Default)]
pub struct RequestBody {
    /// A reference to a shared request body (`#/components/requestBodies/<name>`); `None`
    /// once resolved.
    pub reference: Option<String>,
    /// The body by media type.
    pub content: IndexMap<String, MediaType>,
    /// Whether the body is required.
    pub required: bool,
    /// The body's description.
    pub description: Option<String>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A response.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// A reference to a shared response (`#/components/responses/<name>`); `None` once
    /// resolved.
    pub reference: Option<String>,
    /// The response's description.
    pub description: Option<String>,
    /// The response's headers by name.
    pub headers: IndexMap<String, Header>,
    /// The response body by media type.
    pub content: IndexMap<String, MediaType>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A response header.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// A reference to a shared header (`#/components/headers/<name>`); `None` once resolved.
    pub reference: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Whether it is always sent.
    pub required: bool,
    /// Its schema.
    pub schema: Option<Schema>,
    /// How the value is serialised (`simple`).
    pub style: Option<String>,
    /// Whether arrays and objects explode.
    pub explode: Option<bool>,
    /// An example value (documentation only).
    pub example: Option<serde_json::Value>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A body of one media type.
#[derive(Clone, Debug, Default)]
pub struct MediaType {
    /// The body's schema.
    pub schema: Option<Schema>,
    /// One example body.
    pub example: Option<serde_json::Value>,
    /// Named example bodies.
    pub examples: IndexMap<String, Example>,
    /// How each property of a form or multipart body is encoded.
    pub encoding: Option<serde_json::Value>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A named example of a body.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Example {
    /// A reference to a shared example (`#/components/examples/<name>`); `None` once
    /// resolved.
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// A one-line summary.
    pub summary: Option<String>,
    /// A longer description.
    pub description: Option<String>,
    /// The example value.
    pub value: Option<serde_json::Value>,
    /// Where the value lives instead, when it is not inline.
    pub external_value: Option<String>,
}

/// A JSON schema, as OpenAPI 3.0 and 3.1 and the providers' extensions use it.
///
/// Every keyword payforge knows is a field; anything else lands in [`Schema::other`], where
/// loading refuses it ([`Schema::refusal`]). The 3.1 forms are folded into the 3.0 ones when
/// loading: `type: [T, "null"]` sets [`Schema::kind`] and [`Schema::nullable`], and `const`
/// sets [`Schema::values`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// A reference to a component schema (`#/components/schemas/<name>`). Its siblings (3.1)
    /// are documentation of the referenced schema at this site (`description`, `title`).
    pub reference: Option<String>,
    /// `string`, `integer`, `number`, `boolean`, `array` or `object`, after normalisation.
    pub kind: Option<String>,
    /// `type` as written: one name, or a list of names (3.1); normalised into `kind`.
    pub type_keyword: Option<TypeKeyword>,
    /// `unix-time`, `decimal`, `binary`, `int64`, ...
    pub format: Option<String>,
    /// A title; providers name their inline objects with it.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether `null` is a valid value (3.0's `nullable`, or `"null"` in a 3.1 type list).
    pub nullable: bool,
    /// The allowed values (`enum`, or a 3.1 `const` as its only value).
    pub values: Option<Vec<serde_json::Value>>,
    /// 3.1's `const`, as written; normalised into `values`.
    pub constant: Option<serde_json::Value>,
    /// The properties of an object, in file order.
    pub properties: Option<IndexMap<String, Schema>>,
    /// The required properties.
    pub required: Vec<String>,
    /// The item schema of an array.
    pub items: Option<Box<Schema>>,
    /// `false`, `true` or the schema of a map's values.
    pub additional_properties: Option<AdditionalProperties>,
    /// Any of these schemas.
    pub any_of: Option<Vec<Schema>>,
    /// Exactly one of these schemas.
    pub one_of: Option<Vec<Schema>>,
    /// All of these schemas (parsed; merged by the IR).
    pub all_of: Option<Vec<Schema>>,
    /// Which property tells the `oneOf`/`allOf` members apart.
    pub discriminator: Option<Discriminator>,
    /// A vendor `anyOf` that documents the known shapes of a free-form object (a map's
    /// typical keys) without constraining it.
    pub x_any_of: Option<Vec<Schema>>,
    /// The objects an expandable id can be expanded into.
    pub expansion_resources: Option<ExpansionResources>,
    /// The id prefix naming an API resource.
    pub resource_id: Option<String>,
    /// The value the server assumes when the property is absent.
    pub default: Option<serde_json::Value>,
    /// An example value (documentation only).
    pub example: Option<serde_json::Value>,
    /// Example values (3.1, documentation only; dropped).
    pub examples: Option<IgnoredAny>,
    /// Whether the property is deprecated.
    pub deprecated: bool,
    /// Whether the property only appears in responses.
    pub read_only: bool,
    /// Whether the property only appears in requests.
    pub write_only: bool,
    /// The longest string allowed.
    pub max_length: Option<u64>,
    /// The shortest string allowed.
    pub min_length: Option<u64>,
    /// A regular expression strings match.
    pub pattern: Option<String>,
    /// The largest number allowed.
    pub maximum: Option<serde_json::Number>,
    /// The smallest number allowed.
    pub minimum: Option<serde_json::Number>,
    /// The most items an array may have.
    pub max_items: Option<u64>,
    /// The fewest items an array may have.
    pub min_items: Option<u64>,
    /// A link to documentation (documentation only).
    pub external_docs: Option<serde_json::Value>,
    /// Every other key, as written; loading refuses each one the profile does not list as
    /// a meaningless vendor extension.
    pub other: BTreeMap<String, serde_json::Value>,
    /// Why loading refused this schema (the keyword and what is wrong with it); set by
    /// [`super::normalise`].
    pub refusal: Option<String>,
}

/// `type` as written: one type name, or a 3.1 list such as `["string", "null"]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TypeKeyword {
    /// `type: string`.
    One(String),
    /// `type: [string, "null"]`.
    Many(Vec<String>),
}

/// `discriminator`: the property naming each member of a union, and the mapping from its
/// values to member schemas.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discriminator {
    /// The property whose value names the member.
    pub property_name: String,
    /// Property value -> member schema `$ref`, where the value is not the schema's name.
    #[serde(default)]
    pub mapping: IndexMap<String, String>,
}

/// `additionalProperties`: a flag or the schema of a map's values.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AdditionalProperties {
    /// `true` (any values) or `false` (no other properties).
    Flag(bool),
    /// The schema of every value.
    Schema(Box<Schema>),
}

/// `x-expansionResources`: the objects an id can be expanded into.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ExpansionResources {
    /// The objects an id can be expanded into.
    #[serde(rename = "oneOf", default)]
    pub one_of: Vec<Schema>,
}

impl Schema {
    /// Why loading refused this schema, if it did (the keyword and the reason).
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    /// The schemas nested directly in this one, each with the JSON pointer suffix that leads
    /// to it (`/properties/name`, `/items`, `/oneOf/0`), in a fixed order.
    pub fn children_mut(&mut self) -> Vec<(String, &mut Schema)> {
        use super::escape_pointer_token;
        let mut out: Vec<(String, &mut Schema)> = Vec::new();
        if let Some(properties) = &mut self.properties {
            for (name, schema) in properties.iter_mut() {
                out.push((
                    format!("/properties/{}", escape_pointer_token(name)),
                    schema,
                ));
            }
        }
        if let Some(items) = &mut self.items {
            out.push(("/items".to_owned(), items));
        }
        if let Some(AdditionalProperties::Schema(values)) = &mut self.additional_properties {
            out.push(("/additionalProperties".to_owned(), values));
        }
        for (keyword, members) in [
            ("anyOf", &mut self.any_of),
            ("oneOf", &mut self.one_of),
            ("allOf", &mut self.all_of),
            ("x-anyOf", &mut self.x_any_of),
        ] {
            for (index, member) in members.iter_mut().flatten().enumerate() {
                out.push((format!("/{keyword}/{index}"), member));
            }
        }
        if let Some(expansion) = &mut self.expansion_resources {
            for (index, member) in expansion.one_of.iter_mut().enumerate() {
                out.push((format!("/x-expansionResources/oneOf/{index}"), member));
            }
        }
        out
    }
}
