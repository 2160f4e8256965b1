//! The subset of OpenAPI 3.0 that payforge reads, as serde structs.
//!
//! We parse into our own structs rather than `openapiv3` because Stripe's meaning lives in
//! its extensions (`x-expansionResources`, `x-resourceId`, `x-expandableFields`), which
//! `openapiv3` leaves as untyped maps, and because keywords we do not support (`allOf`,
//! `not`, `discriminator`, references to anything but component schemas) must be refused
//! with the JSON pointer of the offending node rather than silently ignored. Keys are kept in
//! file order (`IndexMap`); the IR sorts what reaches output.

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// An OpenAPI document.
#[derive(Debug, Deserialize)]
pub struct Document {
    /// The OpenAPI version (`3.0.0`).
    pub openapi: String,
    /// Title and version.
    pub info: Info,
    /// Paths and their operations.
    #[serde(default)]
    pub paths: IndexMap<String, PathItem>,
    /// Shared components.
    #[serde(default)]
    pub components: Components,
}

/// The document's `info`.
#[derive(Debug, Deserialize)]
pub struct Info {
    /// The API's title.
    pub title: String,
    /// The API version.
    pub version: String,
}

/// The document's `components`.
#[derive(Debug, Default, Deserialize)]
pub struct Components {
    /// Named schemas.
    #[serde(default)]
    pub schemas: IndexMap<String, Schema>,
}

/// One path and its operations.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
pub struct Server {
    /// Its base URL (`https://files.stripe.com/`).
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
}

/// One operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The spec's unique id of the operation.
    pub operation_id: Option<String>,
    /// A one-line summary.
    pub summary: Option<String>,
    /// A longer description (Stripe: HTML).
    pub description: Option<String>,
    /// Path and query parameters.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// The request body.
    pub request_body: Option<RequestBody>,
    /// Responses by status code (`200`, `default`).
    #[serde(default)]
    pub responses: IndexMap<String, Response>,
    /// Whether the operation is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Servers of this operation, replacing its path's and the document's.
    #[serde(default)]
    pub servers: Vec<Server>,
}

/// A path or query parameter.
#[derive(Debug, Deserialize)]
pub struct Parameter {
    /// A reference to a shared parameter (unsupported).
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// The parameter's name.
    #[serde(default)]
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in", default)]
    pub location: String,
    /// Whether it is required.
    #[serde(default)]
    pub required: bool,
    /// Its description.
    pub description: Option<String>,
    /// Its schema.
    pub schema: Option<Schema>,
}

/// A request body.
#[derive(Debug, Deserialize)]
pub struct RequestBody {
    /// A reference to a shared request body (unsupported).
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// The body by media type.
    #[serde(default)]
    pub content: IndexMap<String, MediaType>,
    /// Whether the body is required.
    #[serde(default)]
    pub required: bool,
}

/// A response.
#[derive(Debug, Deserialize)]
pub struct Response {
    /// A reference to a shared response (unsupported).
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// The response's description.
    pub description: Option<String>,
    /// The response body by media type.
    #[serde(default)]
    pub content: IndexMap<String, MediaType>,
}

/// A body of one media type.
#[derive(Debug, Deserialize)]
pub struct MediaType {
    /// The body's schema.
    pub schema: Option<Schema>,
}

/// A JSON schema, as OpenAPI 3.0 and Stripe's extensions use it.
#[derive(Debug, Default, Deserialize)]
pub struct Schema {
    /// A reference to a component schema (`#/components/schemas/<name>`).
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// `string`, `integer`, `number`, `boolean`, `array` or `object`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `unix-time`, `decimal`, `binary`, ...
    pub format: Option<String>,
    /// A title; Stripe names its inline parameter objects with it.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether `null` is a valid value.
    #[serde(default)]
    pub nullable: bool,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Option<Vec<serde_json::Value>>,
    /// The properties of an object, in file order.
    pub properties: Option<IndexMap<String, Schema>>,
    /// The required properties.
    #[serde(default)]
    pub required: Vec<String>,
    /// The item schema of an array.
    pub items: Option<Box<Schema>>,
    /// `false`, `true` or the schema of a map's values.
    #[serde(rename = "additionalProperties")]
    pub additional_properties: Option<AdditionalProperties>,
    /// Any of these schemas.
    #[serde(rename = "anyOf")]
    pub any_of: Option<Vec<Schema>>,
    /// Exactly one of these schemas.
    #[serde(rename = "oneOf")]
    pub one_of: Option<Vec<Schema>>,
    /// Stripe: the objects an expandable id can be expanded into.
    #[serde(rename = "x-expansionResources")]
    pub expansion_resources: Option<ExpansionResources>,
    /// Stripe: the id prefix naming an API resource.
    #[serde(rename = "x-resourceId")]
    pub resource_id: Option<String>,
    /// Unsupported: `allOf`.
    #[serde(rename = "allOf")]
    pub all_of: Option<IgnoredAny>,
    /// Unsupported: `not`.
    pub not: Option<IgnoredAny>,
    /// Unsupported: `discriminator`.
    pub discriminator: Option<IgnoredAny>,
}

/// `additionalProperties`: a flag or the schema of a map's values.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AdditionalProperties {
    /// `true` (any values) or `false` (no other properties).
    Flag(bool),
    /// The schema of every value.
    Schema(Box<Schema>),
}

/// Stripe's `x-expansionResources`.
#[derive(Debug, Deserialize)]
pub struct ExpansionResources {
    /// The objects an id can be expanded into.
    #[serde(rename = "oneOf", default)]
    pub one_of: Vec<Schema>,
}

impl Schema {
    /// The unsupported keyword this schema uses, if any.
    pub fn unsupported_keyword(&self) -> Option<&'static str> {
        if self.all_of.is_some() {
            Some("allOf")
        } else if self.not.is_some() {
            Some("not")
        } else if self.discriminator.is_some() {
            Some("discriminator")
        } else {
            None
        }
    }
}
