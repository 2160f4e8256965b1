//! The OAuth2 token cache: one access token for the client's current credential pair,
//! renewed shortly before it expires, with a single token request however many calls find
//! it stale at once.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::StatusCode;
use http::header::{AUTHORIZATION, CONTENT_TYPE};

use crate::oauth::{ClientCredentials, Clock, TokenError, refresh_at};
use crate::secrets::SecretKey;

/// An access token and what it was issued for.
struct Issued {
    token: Arc<SecretKey>,
    /// The credential pair it was obtained with: a rotated pair makes it stale.
    credential: Arc<SecretKey>,
    refresh_at: Instant,
}

/// The token endpoint's answer (RFC 6749 §5.1); other members are ignored.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    token_type: String,
    expires_in: u64,
}

pub(crate) struct TokenCache {
    token_url: String,
    clock: Arc<dyn Clock>,
    margin: Duration,
    current: RwLock<Option<Issued>>,
    // Held while a token is fetched, so concurrent callers share one token request.
    refreshing: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// A cache for the token endpoint at `token_url` (absolute), renewing tokens `margin`
    /// before they expire by `clock`.
    pub(crate) fn new(token_url: String, clock: Arc<dyn Clock>, margin: Duration) -> Self {
        Self {
            token_url,
            clock,
            margin,
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The token to send with `credential`: the cached one while it is fresh and was
    /// obtained with this credential, a new one otherwise.
    pub(crate) async fn bearer(
        &self,
        http: &reqwest::Client,
        credential: &Arc<SecretKey>,
    ) -> Result<Arc<SecretKey>, TokenError> {
        if let Some(token) = self.fresh(credential) {
            return Ok(token);
        }
        let _refreshing = self.refreshing.lock().await;
        // Whoever held the lock before may have fetched it already.
        if let Some(token) = self.fresh(credential) {
            return Ok(token);
        }
        let requested_at = self.clock.now();
        let (token, lifetime) = self.fetch(http, credential).await?;
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            "obtained an OAuth2 access token"
        );
        let token = Arc::new(token);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Issued {
            token: Arc::clone(&token),
            credential: Arc::clone(credential),
            refresh_at: refresh_at(requested_at, lifetime, self.margin),
        });
        Ok(token)
    }

    /// Forgets `rejected` after the API refused it (401); a newer token stays.
    pub(crate) fn invalidate(&self, rejected: &SecretKey) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|issued| issued.token.as_ref() == rejected)
        {
            tracing::info!("the API refused the access token; a new one will be requested");
            *current = None;
        }
    }

    fn fresh(&self, credential: &Arc<SecretKey>) -> Option<Arc<SecretKey>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        let issued = current.as_ref()?;
        let same_credential = Arc::ptr_eq(&issued.credential, credential)
            || issued.credential.as_ref() == credential.as_ref();
        (same_credential && self.clock.now() < issued.refresh_at).then(|| Arc::clone(&issued.token))
    }

    /// One token request: HTTP Basic with the pair, `grant_type=client_credentials`.
    async fn fetch(
        &self,
        http: &reqwest::Client,
        credential: &SecretKey,
    ) -> Result<(SecretKey, Duration), TokenError> {
        let pair = ClientCredentials::parse(credential)?;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            pair.client_id.expose_secret(),
            pair.client_secret.expose_secret()
        ));
        let mut authorization = http::HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| TokenError::CredentialPair)?;
        authorization.set_sensitive(true);
        let response = http
            .post(&self.token_url)
            .header(AUTHORIZATION, authorization)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "application/json")
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(|error| network(&error))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|error| network(&error))?;
        if !status.is_success() {
            return Err(refusal(status, &body));
        }
        read_answer(&body)
    }
}

/// The error of a non-success answer from the token endpoint.
fn refusal(status: StatusCode, body: &[u8]) -> TokenError {
    if status.is_client_error() {
        #[derive(serde::Deserialize)]
        struct OauthError {
            error: String,
        }
        let error = serde_json::from_slice::<OauthError>(body)
            .ok()
            .map(|e| e.error)
            .filter(|e| e.len() <= 64 && e.chars().all(|c| c.is_ascii_graphic()));
        TokenError::Rejected { status, error }
    } else {
        TokenError::Status { status }
    }
}

/// The token and its lifetime from a success answer.
fn read_answer(body: &[u8]) -> Result<(SecretKey, Duration), TokenError> {
    let answer: TokenAnswer =
        serde_json::from_slice(body).map_err(|error| TokenError::Malformed {
            reason: format!("not a token answer: {}", category(&error)),
        })?;
    if !answer.token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::Malformed {
            reason: "the token type is not `Bearer`".to_owned(),
        });
    }
    let token =
        SecretKey::from_secret_store(answer.access_token).map_err(|_| TokenError::Malformed {
            reason: "the access token is empty or holds whitespace".to_owned(),
        })?;
    Ok((token, Duration::from_secs(answer.expires_in)))
}

/// What is wrong with an undecodable answer, in words that never quote it.
fn category(error: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match error.classify() {
        Category::Io => "unreadable",
        Category::Syntax | Category::Eof => "not JSON",
        Category::Data => "`access_token`, `token_type` or `expires_in` missing or mistyped",
    }
}

fn network(error: &reqwest::Error) -> TokenError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    TokenError::Network { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_or_refused_with_a_reason() {
        let ok = read_answer(
            br#"{"access_token":"A21","token_type":"Bearer","expires_in":32400,"scope":"x"}"#,
        );
        assert!(
            matches!(ok, Ok((ref t, d)) if t.expose_secret() == "A21" && d == Duration::from_secs(32400))
        );
        let cases: [(&[u8], &str); 4] = [
            (b"<html>", "not a token answer: not JSON"),
            (
                br#"{"access_token":"A21"}"#,
                "not a token answer: `access_token`, `token_type` or `expires_in` missing or mistyped",
            ),
            (
                br#"{"access_token":"A21","token_type":"mac","expires_in":1}"#,
                "the token type is not `Bearer`",
            ),
            (
                br#"{"access_token":"","token_type":"bearer","expires_in":1}"#,
                "the access token is empty or holds whitespace",
            ),
        ];
        for (body, reason) in cases {
            match read_answer(body) {
                Err(TokenError::Malformed { reason: got }) => assert_eq!(got, reason),
                other => panic!("{reason}: {:?}", other.map(|(_, d)| d)),
            }
        }
    }

    #[test]
    fn refusals_keep_the_oauth_error_code_only() {
        let rejected = refusal(
            StatusCode::UNAUTHORIZED,
            br#"{"error":"invalid_client","error_description":"Client Authentication failed"}"#,
        );
        assert_eq!(
            rejected.to_string(),
            "the token endpoint refused the client credentials (HTTP 401 Unauthorized): invalid_client"
        );
        assert!(matches!(
            refusal(StatusCode::BAD_GATEWAY, b""),
            TokenError::Status {
                status: StatusCode::BAD_GATEWAY
            }
        ));
    }
}
