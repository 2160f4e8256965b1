//! Where PayPal's signing certificates come from: the URL policy, the fetcher, and the cache
//! of verified chains by URL.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use futures::future::BoxFuture;
use http::Uri;

use super::chain::{CertificateError, TrustAnchors, VerifiedChain};

/// The hosts PayPal serves its webhook certificates from (live and sandbox).
pub const PAYPAL_CERT_HOSTS: &[&str] = &[
    "api.paypal.com",
    "api-m.paypal.com",
    "api.sandbox.paypal.com",
    "api-m.sandbox.paypal.com",
];

/// Which `PAYPAL-CERT-URL`s may be fetched: https on an allowlisted host, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertUrlPolicy {
    hosts: Vec<String>,
    plain_http_loopback: bool,
}

impl Default for CertUrlPolicy {
    /// PayPal's hosts ([`PAYPAL_CERT_HOSTS`]) over https.
    fn default() -> Self {
        Self {
            hosts: PAYPAL_CERT_HOSTS
                .iter()
                .map(|host| (*host).to_owned())
                .collect(),
            plain_http_loopback: false,
        }
    }
}

impl CertUrlPolicy {
    /// Only `hosts` (over https), none of PayPal's.
    pub fn hosts<I: IntoIterator<Item = S>, S: Into<String>>(hosts: I) -> Self {
        Self {
            hosts: hosts.into_iter().map(Into::into).collect(),
            plain_http_loopback: false,
        }
    }

    /// **Tests only**: also accepts plain `http://127.0.0.1:<port>/…` URLs, so a test can
    /// serve certificates from a local server. The opt-in is explicit and never the default:
    /// a production verifier that accepted it would let anyone on the host serve keys.
    pub fn allowing_plain_http_loopback_for_tests(mut self) -> Self {
        self.plain_http_loopback = true;
        self
    }

    /// Checks a certificate URL; the error says why it is refused.
    pub fn check(&self, url: &str) -> Result<(), &'static str> {
        let uri: Uri = url.parse().map_err(|_| "not a URL")?;
        let authority = uri.authority().ok_or("no host")?;
        if authority.as_str().contains('@') {
            return Err("carries user information");
        }
        let host = authority.host().to_ascii_lowercase();
        match uri.scheme_str() {
            Some("https") if authority.port().is_none() && self.hosts.contains(&host) => Ok(()),
            Some("https") => Err("host (or port) is not on the allowlist"),
            Some("http") if self.plain_http_loopback && host == "127.0.0.1" => Ok(()),
            _ => Err("not https"),
        }
    }
}

/// Why fetching a certificate failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Gets the PEM chain served at a certificate URL. The URL has passed the
/// [`CertUrlPolicy`] before a fetcher sees it.
pub trait CertificateFetcher: Send + Sync + 'static {
    /// The PEM bytes served at `url`.
    fn fetch<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>>;
}

/// Fetches certificates with `reqwest` (the runtime's HTTP client), 10 s and 64 KiB at most.
#[cfg(feature = "client")]
#[derive(Clone, Debug)]
pub struct ReqwestFetcher {
    client: reqwest::Client,
}

#[cfg(feature = "client")]
impl ReqwestFetcher {
    /// The largest certificate chain accepted.
    pub const MAX_BYTES: usize = 64 * 1024;

    /// A fetcher with its own client (no redirects: the allowlisted URL is the one fetched).
    pub fn new() -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| FetchError(error.to_string()))?;
        Ok(Self { client })
    }
}

#[cfg(feature = "client")]
impl CertificateFetcher for ReqwestFetcher {
    fn fetch<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin(async move {
            let response = self
                .client
                .get(url)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|error| FetchError(error.to_string()))?;
            let body = response
                .bytes()
                .await
                .map_err(|error| FetchError(error.to_string()))?;
            if body.len() > Self::MAX_BYTES {
                return Err(FetchError(format!("{} bytes, over the limit", body.len())));
            }
            Ok(body.to_vec())
        })
    }
}

/// Why no verified chain is available for a certificate URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateLoadError {
    /// The URL is not https on an allowlisted host.
    #[error("certificate URL `{url}` refused: {reason}")]
    UrlRefused {
        /// The `PAYPAL-CERT-URL`.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// The fetcher failed (or none is configured).
    #[error("fetching certificate `{url}` failed: {reason}")]
    Fetch {
        /// The `PAYPAL-CERT-URL`.
        url: String,
        /// The fetcher's error.
        reason: String,
    },
    /// The served chain is not a trusted chain.
    #[error("certificate `{url}`: {source}")]
    Certificate {
        /// The `PAYPAL-CERT-URL`.
        url: String,
        /// What is wrong with it.
        source: CertificateError,
    },
}

/// PayPal's certificates: the URL policy, the trust anchors, the fetcher and a cache of
/// verified chains by URL (a URL names one immutable certificate, so an entry never needs
/// refreshing; its validity period is checked at every verification).
pub struct PaypalCertificates {
    policy: CertUrlPolicy,
    anchors: TrustAnchors,
    fetcher: Option<Arc<dyn CertificateFetcher>>,
    cache: RwLock<HashMap<String, Arc<VerifiedChain>>>,
}

impl fmt::Debug for PaypalCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaypalCertificates")
            .field("policy", &self.policy)
            .field("anchors", &self.anchors.len())
            .field("fetcher", &self.fetcher.is_some())
            .field("cached", &self.cached())
            .finish()
    }
}

impl PaypalCertificates {
    /// Certificates that must chain to `anchors`, from URLs `policy` allows, with no fetcher
    /// yet: only chains given with [`insert_pem`](Self::insert_pem) verify.
    pub fn new(policy: CertUrlPolicy, anchors: TrustAnchors) -> Self {
        Self {
            policy,
            anchors,
            fetcher: None,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// Fetches unknown certificate URLs with `fetcher`.
    pub fn with_fetcher(mut self, fetcher: Arc<dyn CertificateFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// The URL policy in force.
    pub fn policy(&self) -> &CertUrlPolicy {
        &self.policy
    }

    /// How many verified chains are cached.
    pub fn cached(&self) -> usize {
        self.cache.read().map_or(0, |cache| cache.len())
    }

    /// The cached chain of `url`, if it was loaded.
    pub fn get(&self, url: &str) -> Option<Arc<VerifiedChain>> {
        self.cache.read().ok()?.get(url).cloned()
    }

    /// Checks a chain the application obtained itself and caches it for `url` (which must
    /// pass the policy like a fetched one).
    pub fn insert_pem(
        &self,
        url: &str,
        pem: &[u8],
    ) -> Result<Arc<VerifiedChain>, CertificateLoadError> {
        self.check_url(url)?;
        let chain = self
            .anchors
            .verify_chain(pem)
            .map(Arc::new)
            .map_err(|source| CertificateLoadError::Certificate {
                url: url.to_owned(),
                source,
            })?;
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(url.to_owned(), Arc::clone(&chain));
        }
        Ok(chain)
    }

    /// The verified chain of `url`: from the cache, or fetched, verified and cached.
    pub async fn load(&self, url: &str) -> Result<Arc<VerifiedChain>, CertificateLoadError> {
        self.check_url(url)?;
        if let Some(chain) = self.get(url) {
            return Ok(chain);
        }
        let fetch_error = |reason: String| CertificateLoadError::Fetch {
            url: url.to_owned(),
            reason,
        };
        let fetcher = self
            .fetcher
            .as_ref()
            .ok_or_else(|| fetch_error("no certificate fetcher is configured".to_owned()))?;
        tracing::debug!(url, "fetching a PayPal signing certificate");
        let pem = fetcher
            .fetch(url)
            .await
            .map_err(|error| fetch_error(error.0))?;
        self.insert_pem(url, &pem)
    }

    pub(crate) fn check_url(&self, url: &str) -> Result<(), CertificateLoadError> {
        self.policy
            .check(url)
            .map_err(|reason| CertificateLoadError::UrlRefused {
                url: url.to_owned(),
                reason,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_on_allowlisted_hosts_unless_a_test_opts_in() {
        let policy = CertUrlPolicy::default();
        let allowed = "https://api.paypal.com/v1/notifications/certs/CERT-1";
        assert_eq!(policy.check(allowed), Ok(()));
        for refused in [
            "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com.evil.example/certs",
            "https://api.paypal.com:8443/certs",
            "https://user@api.paypal.com/certs",
            "http://127.0.0.1:8080/certs",
            "/certs",
        ] {
            assert!(policy.check(refused).is_err(), "{refused}");
        }
        let local = CertUrlPolicy::hosts(["example.test"]).allowing_plain_http_loopback_for_tests();
        assert_eq!(local.check("http://127.0.0.1:8080/certs"), Ok(()));
        assert!(local.check("http://localhost:8080/certs").is_err());
        assert!(local.check(allowed).is_err());
    }
}
