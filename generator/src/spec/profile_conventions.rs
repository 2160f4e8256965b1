//! The profile sections that switch the generator's recognisers on: `[conventions]`,
//! `[pagination]` and `[encoding]` (docs/generated-code.md, "Profile keys"). Each
//! recogniser is a named convention of some providers' specs, never assumed: a profile
//! without the section gets none of them.

use std::collections::BTreeSet;

use serde::Deserialize;

/// `[conventions]`: the spec dialects the generator recognises for this provider.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conventions {
    /// An object's single-constant `types.object_tag` property (`object: "customer"`)
    /// names its type: unions whose members all carry a distinct one are tagged by it, the
    /// constant stays a string, and objects with a string `id` get typed ids.
    #[serde(default)]
    pub object_tag: bool,
    /// `x-expansionResources` marks a field that is an id or, expanded, the object:
    /// `payforge::wire::Expandable<T>`.
    #[serde(default)]
    pub expansion_resources: bool,
    /// `format: unix-time` integers are `i64` seconds since the epoch (`Timestamp`).
    #[serde(default)]
    pub unix_time: bool,
    /// In a request, an `anyOf` member that is the enum `[""]` means "unset this field":
    /// `payforge::wire::Unsettable<T>`.
    #[serde(default)]
    pub empty_string_unset: bool,
    /// Schemas carrying `x-resourceId` are API resources: each gets a module, which the
    /// schemas named after it join, and a row in the resource table.
    #[serde(default)]
    pub resource_id_modules: bool,
}

/// A pagination style a provider's list operations use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaginationStyle {
    /// A list object (`object` = `operations.list_object`, `data`, `has_more`) paged by the
    /// `operations.cursor_param` request parameter: `payforge::wire::List<T>`.
    CursorList,
    /// A search page (`object` = `operations.search_object`, `data`, `next_page`) paged by
    /// `operations.search_page_param`: `payforge::wire::SearchList<T>`.
    SearchPage,
    /// A `GET` with the query parameter `operations.page_param` whose output is an object
    /// with one list property (besides `types.links_field`): paged by page number, up to
    /// the response's `operations.total_pages_field` (`paginate = pages`).
    PageNumber,
    /// A `GET` with the query parameter `operations.page_size_param` (and no page number)
    /// whose output is an object with one list property and HATEOAS links: paged by
    /// following its `next` link (`paginate = links`).
    NextLink,
}

/// `[pagination]`: how list operations page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationRules {
    /// The styles recognised; empty (the default) when the API has no paged lists.
    #[serde(default)]
    pub styles: BTreeSet<PaginationStyle>,
}

impl PaginationRules {
    /// Whether `style` is recognised.
    pub fn uses(&self, style: PaginationStyle) -> bool {
        self.styles.contains(&style)
    }
}

/// How request bodies are encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncodingName {
    /// `application/x-www-form-urlencoded` in the bracket style (`items[0][price]=…`), the
    /// body media type `operations.form_media_type`.
    BracketForm,
    /// `application/json`.
    #[default]
    Json,
}

/// `[encoding]`: the provider's request body encoding.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodingRules {
    /// The body encoding (default `json`); file uploads stay multipart either way.
    #[serde(default)]
    pub body: BodyEncodingName,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_without_the_sections_recognises_nothing() -> Result<(), toml::de::Error> {
        let conventions: Conventions = toml::from_str("")?;
        assert!(
            !(conventions.object_tag
                || conventions.expansion_resources
                || conventions.unix_time
                || conventions.empty_string_unset
                || conventions.resource_id_modules)
        );
        let pagination: PaginationRules = toml::from_str("")?;
        assert!(pagination.styles.is_empty());
        let encoding: EncodingRules = toml::from_str("")?;
        assert_eq!(encoding.body, BodyEncodingName::Json);
        Ok(())
    }

    #[test]
    fn unknown_conventions_are_refused() {
        let cases = ["object_tags = true", "unix_time = \"yes\""];
        for text in cases {
            assert!(toml::from_str::<Conventions>(text).is_err(), "{text}");
        }
        assert!(toml::from_str::<PaginationRules>("styles = [\"page_numbers\"]").is_err());
        let styles: PaginationRules =
            toml::from_str("styles = [\"page_number\", \"next_link\"]").expect("known styles");
        assert!(styles.uses(PaginationStyle::PageNumber) && styles.uses(PaginationStyle::NextLink));
    }
}
