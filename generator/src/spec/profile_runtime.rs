//! The profile sections the runtime's `Provider` trait is generated from: `[headers]`,
//! `[auth]`, `[environments]`, `[keys]` and `[idempotency]` (docs/generated-code.md,
//! "Profile keys"). Each names a convention; the generator turns it into the provider
//! marker's constants (`emit/layout.rs`), and the runtime acts on those.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// `[headers]`: the headers the runtime reads or writes besides auth and idempotency.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRules {
    /// The header carrying the API version, if any (`Stripe-Version`).
    pub api_version: Option<String>,
    /// The response header carrying the request id (`Request-Id`).
    pub request_id: String,
    /// The response header carrying retry advice, if any (`Stripe-Should-Retry`).
    pub should_retry: Option<String>,
    /// The request header parameter of RFC 7240's return preference (`Prefer`), if the
    /// provider takes one: operations with it get the `prefer` flag (a typed
    /// `return=representation`, or `return=minimal` through `.minimal()`) instead of a
    /// string parameter.
    #[serde(default)]
    pub prefer: Option<String>,
}

/// The auth strategies: how the secret goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthSchemeName {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in the header `header`.
    ApiKeyHeader,
    /// HTTP Basic (`user:password`, or the key as user name).
    Basic,
    /// OAuth2 client credentials, exchanged at `token_url` for a cached access token.
    Oauth2ClientCredentials,
}

/// `[auth]`: how the secret key is found and sent.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawAuthRules")]
pub struct AuthRules {
    /// The strategy.
    pub scheme: AuthScheme,
    /// The environment variable holding the secret key (`STRIPE_SECRET_KEY`).
    pub secret_env: String,
}

/// An auth strategy with the facts it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key in a header of its own.
    ApiKeyHeader {
        /// The header (`X-API-Key`).
        header: String,
    },
    /// HTTP Basic.
    Basic,
    /// OAuth2 client credentials.
    OAuth2ClientCredentials {
        /// The token endpoint, relative to the environment's base URL.
        token_url: String,
    },
}

/// `[auth]` as written, before its cross-field rules are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthRules {
    scheme: AuthSchemeName,
    secret_env: String,
    header: Option<String>,
    token_url: Option<String>,
}

impl TryFrom<RawAuthRules> for AuthRules {
    type Error = String;

    fn try_from(raw: RawAuthRules) -> Result<Self, String> {
        let scheme = match (raw.scheme, raw.header, raw.token_url) {
            (AuthSchemeName::Bearer, None, None) => AuthScheme::Bearer,
            (AuthSchemeName::Basic, None, None) => AuthScheme::Basic,
            (AuthSchemeName::ApiKeyHeader, Some(header), None) => {
                AuthScheme::ApiKeyHeader { header }
            }
            (AuthSchemeName::Oauth2ClientCredentials, None, Some(token_url))
                if token_url.starts_with('/') =>
            {
                AuthScheme::OAuth2ClientCredentials { token_url }
            }
            (AuthSchemeName::Oauth2ClientCredentials, None, Some(token_url)) => {
                return Err(format!(
                    "`token_url` {token_url:?} must be a path of the base URL, starting with `/`"
                ));
            }
            (AuthSchemeName::ApiKeyHeader, None, _) => {
                return Err("`scheme = \"api_key_header\"` needs `header`".to_owned());
            }
            (AuthSchemeName::Oauth2ClientCredentials, _, None) => {
                return Err("`scheme = \"oauth2_client_credentials\"` needs `token_url`".to_owned());
            }
            (scheme, _, _) => {
                return Err(format!(
                    "`header` belongs to `api_key_header` and `token_url` to \
                     `oauth2_client_credentials`, not to {scheme:?}"
                ));
            }
        };
        Ok(Self {
            scheme,
            secret_env: raw.secret_env,
        })
    }
}

/// `[environments]`: the base URL of each environment of the provider's own API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentRules {
    /// The base URL of test mode; may hold `{placeholders}`.
    pub test: String,
    /// The base URL of production (live); may hold `{placeholders}`
    /// (`https://{prefix}-checkout-live.adyenpayments.com/checkout/v72`).
    pub production: String,
    /// Each placeholder -> the environment variable read when the client builder is not
    /// given its value.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

impl EnvironmentRules {
    /// The placeholders the base URLs use that `variables` does not declare.
    pub fn undeclared_placeholders(&self) -> Vec<String> {
        [&self.test, &self.production]
            .into_iter()
            .flat_map(|url| url.split('{').skip(1))
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .filter(|name| !self.variables.contains_key(name))
            .collect()
    }
}

/// How keys tell test mode from live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyModeName {
    /// By prefix: the client refuses a key of the wrong mode for the environment.
    #[default]
    Prefix,
    /// Keys carry no mode: the environment decides.
    Environment,
}

/// `[keys]`: how a key's mode is told.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRules {
    /// By prefix or by environment.
    #[serde(default)]
    pub mode: KeyModeName,
    /// Prefixes of test-mode keys (`mode = "prefix"`).
    #[serde(default)]
    pub test_prefixes: Vec<String>,
    /// Prefixes of live keys (`mode = "prefix"`).
    #[serde(default)]
    pub live_prefixes: Vec<String>,
}

/// `[idempotency]`: the provider's idempotency-key protocol.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdempotencyRules {
    /// The request header carrying the key (`Idempotency-Key`).
    pub header: String,
    /// The longest key the provider accepts, in characters (default 255).
    #[serde(default = "default_max_key_length")]
    pub max_key_length: usize,
    /// How long the provider keeps a key, in seconds: the journal re-drives an unresolved
    /// call with its key inside this window only.
    pub retention_secs: u64,
    /// HTTP methods whose operations carry a key.
    pub methods: BTreeSet<String>,
    /// The provider's answer while a request with the same key is still in progress.
    pub in_progress: Option<InProgressRule>,
    /// Resource groups whose API keeps keys for a time of its own, or takes none (PayPal:
    /// Orders 6 h, Payments 45 days, Subscriptions 72 h; Webhooks Management no key), by
    /// group name (`[operations.groups]`).
    #[serde(default)]
    pub groups: BTreeMap<String, GroupIdempotency>,
}

/// `[idempotency.groups] <group> = { … }`: one API's own key rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupIdempotency {
    /// How long this API keeps a key, in seconds, when not `retention_secs`.
    pub retention_secs: Option<u64>,
    /// Whether this API's operations carry a key at all (default true); `false` for an
    /// API that takes no idempotency header, whose calls must not pretend to be idempotent.
    #[serde(default = "keyed_by_default")]
    pub keyed: bool,
}

fn keyed_by_default() -> bool {
    true
}

impl IdempotencyRules {
    /// Whether an operation of `group` with `method` carries a key, and its own retention
    /// when its group has one.
    pub fn of(&self, group: &str, method: &str) -> (bool, Option<u64>) {
        let rules = self.groups.get(group);
        let keyed = self.methods.contains(method) && rules.is_none_or(|g| g.keyed);
        (
            keyed,
            rules.and_then(|g| g.retention_secs).filter(|_| keyed),
        )
    }

    /// Why the groups are inconsistent: a group that takes no key but names a retention.
    pub fn group_problem(&self) -> Option<String> {
        self.groups
            .iter()
            .find(|(_, rules)| !rules.keyed && rules.retention_secs.is_some())
            .map(|(group, _)| {
                format!("`[idempotency.groups] {group}` takes no key (`keyed = false`) but names a `retention_secs`")
            })
    }
}

/// The longest idempotency key the runtime accepts when a profile names no limit.
pub const DEFAULT_MAX_KEY_LENGTH: usize = 255;

fn default_max_key_length() -> usize {
    DEFAULT_MAX_KEY_LENGTH
}

/// `[idempotency.in_progress]`: "a request with this key is still being processed",
/// retried with the same key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InProgressRule {
    /// The HTTP statuses it may come with (`[409, 422]`).
    pub statuses: Vec<u16>,
    /// A JSON pointer to the error code in the body (`/errorCode`); absent when the status
    /// alone says it.
    pub code_pointer: Option<String>,
    /// The codes at `code_pointer` that mean "in progress".
    #[serde(default)]
    pub codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(text: &str) -> Result<AuthScheme, String> {
        toml::from_str::<AuthRules>(text)
            .map(|rules| rules.scheme)
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn auth_schemes_take_their_own_facts() {
        let env = "secret_env = \"K\"\n";
        let cases = [
            ("scheme = \"bearer\"", Ok(AuthScheme::Bearer)),
            ("scheme = \"basic\"", Ok(AuthScheme::Basic)),
            (
                "scheme = \"api_key_header\"\nheader = \"X-API-Key\"",
                Ok(AuthScheme::ApiKeyHeader {
                    header: "X-API-Key".to_owned(),
                }),
            ),
            (
                "scheme = \"oauth2_client_credentials\"\ntoken_url = \"/v1/oauth2/token\"",
                Ok(AuthScheme::OAuth2ClientCredentials {
                    token_url: "/v1/oauth2/token".to_owned(),
                }),
            ),
            (
                "scheme = \"api_key_header\"",
                Err("`scheme = \"api_key_header\"` needs `header`"),
            ),
            (
                "scheme = \"oauth2_client_credentials\"",
                Err("`scheme = \"oauth2_client_credentials\"` needs `token_url`"),
            ),
            (
                "scheme = \"oauth2_client_credentials\"\ntoken_url = \"https://x.test/token\"",
                Err(
                    "`token_url` \"https://x.test/token\" must be a path of the base URL, starting with `/`",
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                auth(&format!("{env}{text}")),
                expected.map_err(str::to_owned),
                "{text}"
            );
        }
        assert!(auth(&format!("{env}scheme = \"bearer\"\nheader = \"X\"")).is_err());
        assert!(auth(&format!("{env}scheme = \"digest\"")).is_err());
    }

    #[test]
    fn every_placeholder_is_declared() -> Result<(), toml::de::Error> {
        let rules: EnvironmentRules = toml::from_str(
            r#"
test = "https://checkout-test.example.com/v72"
production = "https://{prefix}-checkout-live.example.com/{region}/v72"
variables = { prefix = "EXAMPLE_LIVE_URL_PREFIX" }
"#,
        )?;
        assert_eq!(rules.undeclared_placeholders(), ["region"]);
        Ok(())
    }
}
