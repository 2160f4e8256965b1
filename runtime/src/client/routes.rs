//! [`Routes`]: which base URL each operation's requests go to.
//!
//! Most operations go to the environment's base URL. An operation the spec sends to a
//! server of its own (`Endpoint::SERVER`, such as Stripe's file uploads on
//! `https://files.stripe.com`) goes there in test mode and production. A sandbox or a
//! `.base_url(..)` override takes every operation, whatever its server, so a test never
//! reaches a real host by accident; `.server_url(declared, url)` moves one declared server
//! on its own, and wins over both.

use std::collections::BTreeMap;

use crate::error::ConfigError;

/// The base URLs of one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Routes {
    /// The base URL of operations without a server of their own.
    default: String,
    /// Whether `default` also takes the operations with a server of their own (a sandbox,
    /// or an explicit base URL override).
    takes_every_server: bool,
    /// Declared server (without a trailing slash) -> where its requests go instead.
    servers: BTreeMap<String, String>,
}

impl Routes {
    /// Routes with `default` as the base URL; `takes_every_server` when it overrides the
    /// operations' own servers too. Every URL is checked.
    pub(crate) fn new(
        default: &str,
        takes_every_server: bool,
        servers: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let servers = servers
            .iter()
            .map(|(declared, url)| {
                Ok((
                    declared.trim_end_matches('/').to_owned(),
                    checked_base_url(url)?,
                ))
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Self {
            default: checked_base_url(default)?,
            takes_every_server,
            servers,
        })
    }

    /// The base URL of an operation declaring `server` (`None`: the provider's main API).
    pub(crate) fn base_for(&self, server: Option<&'static str>) -> &str {
        let Some(server) = server.map(|server| server.trim_end_matches('/')) else {
            return &self.default;
        };
        match self.servers.get(server) {
            Some(url) => url,
            None if self.takes_every_server => &self.default,
            None => server,
        }
    }

    /// The base URL of operations without a server of their own.
    pub(crate) fn default_base(&self) -> &str {
        &self.default
    }
}

/// An absolute `http(s)` URL, without its trailing slash.
pub(crate) fn checked_base_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::InvalidBaseUrl {
            url: url.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "https://api.example.invalid";
    const FILES: &str = "https://files.example.invalid";

    #[test]
    fn base_urls_must_be_absolute_http() {
        let cases = [
            ("http://127.0.0.1:8080/", Some("http://127.0.0.1:8080")),
            ("https://api.stripe.com", Some("https://api.stripe.com")),
            ("api.stripe.com", None),
            ("ftp://x", None),
            ("http://", None),
        ];
        for (url, expected) in cases {
            assert_eq!(checked_base_url(url).ok().as_deref(), expected, "{url}");
        }
    }

    #[test]
    fn each_operation_goes_to_its_server_unless_overridden() -> Result<(), ConfigError> {
        let none = BTreeMap::new();
        let files_moved = BTreeMap::from([(format!("{FILES}/"), "http://127.0.0.1:9/".to_owned())]);
        let live = Routes::new(API, false, &none)?;
        let sandbox = Routes::new("http://127.0.0.1:8", true, &none)?;
        let live_files_moved = Routes::new(API, false, &files_moved)?;
        let sandbox_files_moved = Routes::new("http://127.0.0.1:8", true, &files_moved)?;
        let cases = [
            (&live, None, API),
            (&live, Some(FILES), FILES),
            (&live, Some("https://files.example.invalid/"), FILES),
            (&sandbox, None, "http://127.0.0.1:8"),
            (&sandbox, Some(FILES), "http://127.0.0.1:8"),
            (&live_files_moved, None, API),
            (&live_files_moved, Some(FILES), "http://127.0.0.1:9"),
            (&sandbox_files_moved, Some(FILES), "http://127.0.0.1:9"),
            (
                &sandbox_files_moved,
                Some("https://other.invalid"),
                "http://127.0.0.1:8",
            ),
        ];
        for (routes, server, expected) in cases {
            assert_eq!(routes.base_for(server), expected, "{routes:?} {server:?}");
        }
        Ok(())
    }

    #[test]
    fn a_server_override_must_be_a_url() {
        let bad = BTreeMap::from([(FILES.to_owned(), "files".to_owned())]);
        assert!(matches!(
            Routes::new(API, false, &bad),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
    }
}
