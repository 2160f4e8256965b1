//! Base URLs per environment, and the templates some providers use for them.
//!
//! A provider declares a base URL per environment ([`Provider::base_url`]); one may hold
//! `{placeholders}`, such as the per-merchant prefix of a live URL
//! (`https://{prefix}-checkout-live.example.com/checkout/v72`). Each placeholder is a
//! [`BaseUrlVariable`]: the client builder takes its value from
//! `ClientBuilder::base_url_variable`, or else from the variable's environment variable,
//! and [`fill_base_url`] (pure, table-tested) fills the template. A placeholder without a
//! value is a typed [`ConfigError::MissingBaseUrlVariable`] when the client is built,
//! never a request to a half-filled host.
//!
//! [`Provider::base_url`]: crate::Provider::base_url

use std::collections::BTreeMap;

use crate::error::{ConfigError, EnvironmentKind};

/// A `{placeholder}` of a provider's base URL template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseUrlVariable {
    /// The placeholder's name, without braces (`prefix`).
    pub name: &'static str,
    /// The environment variable read when the builder was given no value
    /// (`ADYEN_LIVE_URL_PREFIX`).
    pub env: &'static str,
}

/// Fills `template`'s `{placeholders}` from `values` (by placeholder name). A value must
/// be a host-name fragment (ASCII letters, digits, `-`, `.`), so it cannot move the request
/// to another host or path.
pub fn fill_base_url(
    template: &str,
    environment: EnvironmentKind,
    variables: &[BaseUrlVariable],
    values: &BTreeMap<String, String>,
) -> Result<String, ConfigError> {
    let mut url = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        url.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| ConfigError::InvalidBaseUrl {
            url: template.to_owned(),
        })?;
        let name = &after[..close];
        let value = values
            .get(name)
            .ok_or_else(|| ConfigError::MissingBaseUrlVariable {
                environment,
                variable: name.to_owned(),
                env: variables
                    .iter()
                    .find(|v| v.name == name)
                    .map(|v| v.env.to_owned()),
            })?;
        if value.is_empty()
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(ConfigError::InvalidBaseUrlVariable {
                variable: name.to_owned(),
                value: value.clone(),
            });
        }
        url.push_str(value);
        rest = &after[close + 1..];
    }
    url.push_str(rest);
    Ok(url)
}

/// The values of `variables` that `template` names and `given` lacks, read from each
/// variable's environment variable through `read_env` (so tests can pass their own).
pub fn variable_values(
    template: &str,
    variables: &[BaseUrlVariable],
    given: &BTreeMap<String, String>,
    read_env: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    let mut values = given.clone();
    for variable in variables {
        let named = template.contains(&format!("{{{}}}", variable.name));
        if named
            && !values.contains_key(variable.name)
            && let Some(value) = read_env(variable.env)
        {
            values.insert(variable.name.to_owned(), value.trim().to_owned());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE: &str = "https://{prefix}-checkout-live.example.com/checkout/v72";
    const PREFIX: [BaseUrlVariable; 1] = [BaseUrlVariable {
        name: "prefix",
        env: "EXAMPLE_LIVE_URL_PREFIX",
    }];

    /// Placeholder values by name.
    type Values<'a> = &'a [(&'a str, &'a str)];

    fn fill(template: &str, values: &[(&str, &str)]) -> Result<String, String> {
        let values = values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        fill_base_url(template, EnvironmentKind::Production, &PREFIX, &values)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn templates_are_filled_or_refused() {
        // (template, values, result)
        let cases: [(&str, Values<'_>, Result<&str, &str>); 7] = [
            (
                "https://checkout-test.example.com/v72",
                &[],
                Ok("https://checkout-test.example.com/v72"),
            ),
            (
                LIVE,
                &[("prefix", "1797a841fbb37ca7-Shop")],
                Ok("https://1797a841fbb37ca7-Shop-checkout-live.example.com/checkout/v72"),
            ),
            (
                LIVE,
                &[],
                Err(
                    "the base URL of production needs `{prefix}` (set it on the builder or in \
                     `EXAMPLE_LIVE_URL_PREFIX`)",
                ),
            ),
            (
                "https://{region}.example.com",
                &[],
                Err("the base URL of production needs `{region}` (set it on the builder)"),
            ),
            (
                LIVE,
                &[("prefix", "evil.com/x")],
                Err(
                    "the base URL variable `prefix` has the value \"evil.com/x\"; it must be \
                     letters, digits, `-` and `.`",
                ),
            ),
            (
                LIVE,
                &[("prefix", "")],
                Err(
                    "the base URL variable `prefix` has the value \"\"; it must be letters, \
                     digits, `-` and `.`",
                ),
            ),
            (
                "https://{prefix.example.com",
                &[("prefix", "a")],
                Err("the base URL \"https://{prefix.example.com\" is not an absolute http(s) URL"),
            ),
        ];
        for (template, values, expected) in cases {
            assert_eq!(
                fill(template, values),
                expected.map(str::to_owned).map_err(str::to_owned),
                "{template} {values:?}"
            );
        }
    }

    #[test]
    fn the_builder_value_wins_over_the_environment_variable() {
        let env =
            |name: &str| (name == "EXAMPLE_LIVE_URL_PREFIX").then(|| " from-env\n".to_owned());
        let none = BTreeMap::new();
        let given = BTreeMap::from([("prefix".to_owned(), "given".to_owned())]);
        // (template, given, values)
        let cases = [
            (LIVE, &none, Some("from-env")),
            (LIVE, &given, Some("given")),
            ("https://checkout-test.example.com", &none, None),
        ];
        for (template, given, expected) in cases {
            let values = variable_values(template, &PREFIX, given, env);
            assert_eq!(
                values.get("prefix").map(String::as_str),
                expected,
                "{template}"
            );
        }
    }
}
