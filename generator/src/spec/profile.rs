//! The provider profile (`specs/<provider>/provider.toml`): the pin of the upstream spec and
//! the provider facts the spec does not state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::SpecError;
pub use super::profile_conventions::{
    BodyEncodingName, Conventions, EncodingRules, PaginationRules, PaginationStyle,
};
pub use super::profile_errors::{ErrorRules, FactsPin, RefusalRules};
pub use super::profile_events::EventSource;
pub use super::profile_runtime::{
    AuthRules, AuthScheme, AuthSchemeName, EnvironmentRules, HeaderRules, IdempotencyRules,
    InProgressRule, KeyModeName, KeyRules,
};
pub use super::profile_spec::{SpecFile, SpecPin};

/// A parsed `provider.toml`, with the directory it was read from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderProfile {
    /// Names of the provider and of its SDK crate.
    pub provider: ProviderNames,
    /// The pins of the upstream spec files.
    pub spec: SpecPin,
    /// The headers the runtime reads or writes (`[headers]`).
    pub headers: HeaderRules,
    /// How the secret key is found and sent (`[auth]`).
    pub auth: AuthRules,
    /// The base URL of each environment (`[environments]`).
    pub environments: EnvironmentRules,
    /// How a key's mode is told (`[keys]`).
    #[serde(default)]
    pub keys: KeyRules,
    /// The idempotency-key protocol (`[idempotency]`).
    pub idempotency: IdempotencyRules,
    /// The request body encoding (`[encoding]`).
    #[serde(default)]
    pub encoding: EncodingRules,
    /// How list operations page (`[pagination]`).
    #[serde(default)]
    pub pagination: PaginationRules,
    /// The spec dialects the generator recognises (`[conventions]`).
    #[serde(default)]
    pub conventions: Conventions,
    /// How operations are grouped, encoded and paged.
    pub operations: OperationRules,
    /// How schema properties map to payforge types.
    pub types: TypeRules,
    /// Where the webhook event types are listed.
    pub events: EventRules,
    /// The error catalogue and the error conventions (`profile_errors.rs`).
    pub errors: ErrorRules,
    /// How response types decode required fields the provider leaves out.
    #[serde(default)]
    pub responses: ResponseRules,
    /// The webhook endpoints: signature scheme, event envelope, acknowledgement.
    #[serde(default)]
    pub webhooks: super::profile_webhooks::WebhookRules,
    /// The directory holding `provider.toml` (and the catalogue it names).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// Names of the provider and its SDK crate.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderNames {
    /// Short lowercase name (`stripe`).
    pub name: String,
    /// The Rust name of the provider marker type (`Stripe`).
    pub marker: String,
    /// The name shown in docs (`Stripe`).
    pub display_name: String,
    /// The SDK crate's package name (`payforge-stripe`).
    pub crate_name: String,
    /// The SDK crate's directory, relative to the workspace root (`sdks/stripe`).
    pub crate_dir: String,
}

/// How operations are grouped, encoded and paged.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationRules {
    /// The path prefix before the resource-group segment (`/v1/`).
    pub path_prefix: String,
    /// The media type of form-encoded bodies; absent when the provider takes none.
    #[serde(default)]
    pub form_media_type: Option<String>,
    /// The media type of multipart bodies; absent when the provider takes none.
    #[serde(default)]
    pub multipart_media_type: Option<String>,
    /// The `object` constant of a cursor-paged list (needed by `[pagination]`'s
    /// `cursor_list`).
    #[serde(default)]
    pub list_object: Option<String>,
    /// The request parameter carrying the list cursor (needed by `cursor_list`).
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// The `object` constant of a search result page (needed by `search_page`).
    #[serde(default)]
    pub search_object: Option<String>,
    /// The request parameter carrying the search page cursor (needed by `search_page`).
    #[serde(default)]
    pub search_page_param: Option<String>,
    /// The query parameter carrying a page number (needed by `[pagination]`'s
    /// `page_number`).
    #[serde(default)]
    pub page_param: Option<String>,
    /// The query parameter carrying a page size: a `GET` that has it, and no `page_param`,
    /// pages by its `next` link (needed by `next_link`).
    #[serde(default)]
    pub page_size_param: Option<String>,
    /// The response field holding the number of pages, read by `page_number` when present
    /// (without it, a page shorter than the page size asked for is the last).
    #[serde(default)]
    pub total_pages_field: Option<String>,
    /// The request parameter listing the response fields to expand (a list of strings),
    /// typed by the expandable fields of the operation's output (needed by `[conventions]`'
    /// `expansion_resources`).
    #[serde(default)]
    pub expand_param: Option<String>,
    /// Resource groups named by path prefix, for a provider whose group is not the first
    /// segment after `path_prefix` (PayPal's APIs: `/v2/checkout/` -> `orders`,
    /// `/v1/billing/` -> `subscriptions`). The longest prefix a path starts with names its
    /// group, and is the prefix its operation name and typed ids are read after; a path no
    /// prefix matches takes the `path_prefix` rule.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
    /// Operation names the path rule cannot decide, by `"METHOD /path"`: for two paths
    /// that would take the same name (`GET /v1/account`, the key's own account, and
    /// `GET /v1/accounts/{account}`), the one that does not address a resource by id.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl OperationRules {
    /// The group a path's prefix names (`[operations.groups]`), with that prefix: the
    /// longest prefix the path starts with.
    pub fn group_of(&self, path: &str) -> Option<(&str, &str)> {
        self.groups
            .iter()
            .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(prefix, group)| (prefix.as_str(), group.as_str()))
    }

    /// The prefix before a path's resource segments: its group's prefix, else
    /// `path_prefix`.
    pub fn prefix_of(&self, path: &str) -> &str {
        self.group_of(path)
            .map_or(self.path_prefix.as_str(), |(prefix, _)| prefix)
    }
}

/// How schema properties map to payforge types.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRules {
    /// String property names wrapped in `payforge::Sensitive`, at the sites
    /// [`TypeRules::sensitive_sites`] selects.
    pub sensitive_fields: BTreeSet<String>,
    /// Where [`TypeRules::sensitive_fields`] apply: request parameters and their inline
    /// schemas (the default), or every schema, components and responses included.
    #[serde(default)]
    pub sensitive_sites: SensitiveSites,
    /// String property names typed as `payforge::Currency`.
    pub currency_fields: BTreeSet<String>,
    /// The property whose constant names an object's type (`object`).
    pub object_tag: String,
    /// Shapes common to many places, each declared once under one name that every use site
    /// shares (no site alias): name -> the shape signatures it covers (see
    /// `docs/generated-code.md`, "Names").
    #[serde(default)]
    pub common_shapes: BTreeMap<String, Vec<String>>,
    /// Component schemas that are runtime types: schema name -> the runtime type's path
    /// (`link_description = "::payforge::wire::Link"`). Each is declared as an alias of the
    /// runtime type, and every use of it is the runtime type.
    #[serde(default)]
    pub runtime_types: BTreeMap<String, String>,
    /// The property holding an object's HATEOAS links (`links`): an object whose property of
    /// this name is a list of `::payforge::wire::Link` implements `::payforge::wire::Links`.
    #[serde(default)]
    pub links_field: Option<String>,
}

impl TypeRules {
    /// Whether a string property named `field` is wrapped in `payforge::Sensitive`, at a
    /// request site (`request`) or elsewhere.
    pub fn is_sensitive(&self, field: &str, request: bool) -> bool {
        self.sensitive_fields.contains(field)
            && (request || self.sensitive_sites == SensitiveSites::Everywhere)
    }
}

/// Where the profile's sensitive field names are wrapped in `payforge::Sensitive`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveSites {
    /// Only where a request is built: parameters and the inline schemas of request bodies.
    /// Enough when a provider describes each request body inline (Stripe's form bodies);
    /// a name shared with a response field keeps that field a plain string.
    #[default]
    Requests,
    /// Every string property with one of the names, wherever the schema is: component
    /// schemas used by request bodies (Adyen's `CardDetails`), responses and webhook
    /// payloads alike.
    Everywhere,
}

/// Where webhook event types are listed.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRules {
    /// Where the event types come from (`type_enum`, the default, `webhooks_map` or
    /// `profile`).
    #[serde(default)]
    pub source: EventSource,
    /// `webhooks_map` only: the property path from a webhook's request body to the schema
    /// of one event, when the body is a batch (`["notificationItems",
    /// "NotificationRequestItem"]`: array items are stepped through); a body without that
    /// path is one event itself.
    #[serde(default)]
    pub payload_path: Vec<String>,
    /// A JSON pointer into the spec to a string enum of every event type; `None` when the
    /// provider has no typed events.
    pub event_types_pointer: Option<String>,
    /// Event-type prefixes whose object schema is named here instead of found.
    #[serde(default)]
    pub object_overrides: BTreeMap<String, String>,
    /// `profile` only: every event type, with what the provider says of it (may be empty).
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// `profile` only: the resource type an event names -> the component schema of its
    /// resource.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
}

/// How response types decode the fields the spec marks required (docs/generated-code.md,
/// "Required fields the provider leaves out").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRules {
    /// The leniency policy.
    #[serde(default)]
    pub required_fields: RequiredFields,
    /// The provider's own example objects, which `omitted_in_fixtures` reads.
    pub fixtures: Option<FixturesPin>,
}

/// The leniency policy for required fields of response types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredFields {
    /// Every required, non-nullable field is `T`; a response without it does not decode
    /// (the error names the field and its type).
    #[default]
    Strict,
    /// A required, non-nullable field of a response type that the provider's own fixtures
    /// leave out is `Option<T>`; every other one stays `T`.
    OmittedInFixtures,
}

/// The pin of the provider's fixtures file: example objects by schema name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixturesPin {
    /// The file, relative to `$PAYFORGE_SPECS_DIR` (JSON).
    pub file: String,
    /// Its lowercase hex sha256.
    pub sha256: String,
    /// The JSON pointer of the object that maps schema names to example objects
    /// (`/resources`).
    pub objects_pointer: String,
}

/// A convention: whether the profile turns it on, its name, and the `[operations]` keys it
/// needs with their values.
type ConventionNeeds<'a> = (bool, &'static str, &'a [(&'static str, &'a Option<String>)]);

impl ProviderProfile {
    /// Reads and parses a `provider.toml`.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        let mut profile: Self = toml::from_str(&text).map_err(|error| SpecError::Profile {
            file: path.to_path_buf(),
            message: error.to_string(),
        })?;
        profile.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let problem = match profile.environments.undeclared_placeholders().first() {
            Some(name) => Some(format!(
                "`[environments]` uses `{{{name}}}`, which `variables` does not declare"
            )),
            None => profile
                .missing_convention_key()
                .or_else(|| profile.idempotency.group_problem())
                .or_else(|| profile.unknown_idempotency_group()),
        };
        match problem {
            Some(message) => Err(SpecError::Profile {
                file: path.to_path_buf(),
                message,
            }),
            None => Ok(profile),
        }
    }

    /// An `[idempotency.groups]` entry naming no group of `[operations.groups]`, when the
    /// profile names its groups.
    fn unknown_idempotency_group(&self) -> Option<String> {
        let groups = &self.operations.groups;
        if groups.is_empty() {
            return None;
        }
        self.idempotency
            .groups
            .keys()
            .find(|group| !groups.values().any(|g| g == *group))
            .map(|group| {
                format!("`[idempotency.groups] {group}` names no group of `[operations.groups]`")
            })
    }

    /// The `[operations]` key a convention this profile turns on needs and the profile
    /// leaves out, if any.
    fn missing_convention_key(&self) -> Option<String> {
        let rules = &self.operations;
        let needs: [ConventionNeeds<'_>; 5] = [
            (
                self.pagination.uses(PaginationStyle::CursorList),
                "`[pagination]` style `cursor_list`",
                &[
                    ("list_object", &rules.list_object),
                    ("cursor_param", &rules.cursor_param),
                ],
            ),
            (
                self.pagination.uses(PaginationStyle::SearchPage),
                "`[pagination]` style `search_page`",
                &[
                    ("search_object", &rules.search_object),
                    ("search_page_param", &rules.search_page_param),
                ],
            ),
            (
                self.pagination.uses(PaginationStyle::PageNumber),
                "`[pagination]` style `page_number`",
                &[("page_param", &rules.page_param)],
            ),
            (
                self.pagination.uses(PaginationStyle::NextLink),
                "`[pagination]` style `next_link`",
                &[("page_size_param", &rules.page_size_param)],
            ),
            (
                self.conventions.expansion_resources,
                "`[conventions] expansion_resources`",
                &[("expand_param", &rules.expand_param)],
            ),
        ];
        needs
            .into_iter()
            .filter(|(on, ..)| *on)
            .find_map(|(_, convention, keys)| {
                keys.iter()
                    .find(|(_, value)| value.is_none())
                    .map(|(key, _)| format!("{convention} needs `[operations] {key}`"))
            })
    }

    /// The path of the error catalogue this profile names.
    pub fn catalogue_path(&self) -> PathBuf {
        self.dir.join(&self.errors.catalogue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_sites_decide_where_a_listed_name_is_wrapped() -> Result<(), toml::de::Error> {
        // (sites, field, at a request site, wrapped)
        let cases = [
            ("", "cvc", true, true),
            ("", "cvc", false, false),
            ("", "brand", true, false),
            (r#"sensitive_sites = "requests""#, "cvc", false, false),
            (r#"sensitive_sites = "everywhere""#, "cvc", false, true),
            (r#"sensitive_sites = "everywhere""#, "cvc", true, true),
            (r#"sensitive_sites = "everywhere""#, "brand", false, false),
        ];
        for (sites, field, request, wrapped) in cases {
            let rules: TypeRules = toml::from_str(&format!(
                "sensitive_fields = [\"cvc\"]\ncurrency_fields = []\nobject_tag = \"object\"\n{sites}"
            ))?;
            assert_eq!(
                rules.is_sensitive(field, request),
                wrapped,
                "{sites:?} {field} request={request}"
            );
        }
        Ok(())
    }

    #[test]
    fn a_convention_without_its_operations_key_is_refused_on_load()
    -> Result<(), Box<dyn std::error::Error>> {
        let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/testdata");
        let text = std::fs::read_to_string(testdata.join("test-profile.toml"))?;
        // (the line left out, the refusal)
        let cases = [
            (
                "cursor_param = ",
                "`[pagination]` style `cursor_list` needs `[operations] cursor_param`",
            ),
            (
                "search_object = ",
                "`[pagination]` style `search_page` needs `[operations] search_object`",
            ),
            (
                "expand_param = ",
                "`[conventions] expansion_resources` needs `[operations] expand_param`",
            ),
        ];
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("provider.toml");
        std::fs::write(&path, &text)?;
        ProviderProfile::load(&path)?;
        for (left_out, refusal) in cases {
            let without: String = text
                .lines()
                .filter(|line| !line.starts_with(left_out))
                .map(|line| format!("{line}\n"))
                .collect();
            std::fs::write(&path, without)?;
            match ProviderProfile::load(&path) {
                Err(SpecError::Profile { file, message }) => {
                    assert_eq!((file, message.as_str()), (path.clone(), refusal));
                }
                other => panic!("{left_out}: expected the refusal, got {other:?}"),
            }
        }
        Ok(())
    }
}
