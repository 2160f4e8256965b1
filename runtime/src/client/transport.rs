//! One attempt on the wire: build the request, send it, and say what came back in the
//! terms the retry policy needs.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::auth::credential_header;
use crate::journal::IdempotencyKey;
use crate::secrets::SecretKey;
use crate::{Provider, RequestBody};

/// A request ready to be sent, as many times as the policy allows.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) body: RequestBody,
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    /// The operation's own headers (`Endpoint::headers`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// What one attempt came back with.
pub(crate) enum Attempt {
    /// A complete response.
    Response {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// No connection: the request never left.
    ConnectFailed(String),
    /// Sent (or possibly sent) without a complete response: timeout or dropped connection.
    NoResponse(String),
    /// The request cannot be built (an invalid header value); nothing was sent.
    Unsendable(String),
    /// No OAuth2 access token could be obtained; nothing was sent to the API.
    TokenFailed(crate::oauth::TokenError),
}

impl Prepared {
    /// Sends one attempt with `key` (under OAuth2, the access token).
    pub(crate) async fn send<P: Provider>(
        &self,
        http: &reqwest::Client,
        key: &SecretKey,
    ) -> Attempt {
        let request = match self.build::<P>(http, key) {
            Ok(request) => request,
            Err(message) => return Attempt::Unsendable(message),
        };
        let response = match http.execute(request).await {
            Ok(response) => response,
            Err(error) if error.is_connect() => return Attempt::ConnectFailed(describe(&error)),
            Err(error) => return Attempt::NoResponse(describe(&error)),
        };
        let status = response.status();
        let headers = response.headers().clone();
        match response.bytes().await {
            Ok(body) => Attempt::Response {
                status,
                headers,
                body,
            },
            Err(error) => Attempt::NoResponse(describe(&error)),
        }
    }

    fn build<P: Provider>(
        &self,
        http: &reqwest::Client,
        key: &SecretKey,
    ) -> Result<reqwest::Request, String> {
        let url = match &self.body {
            RequestBody::Query(query) if !query.is_empty() => format!("{}?{query}", self.url),
            _ => self.url.clone(),
        };
        // The key goes on the wire as the provider's auth scheme says (`Provider::AUTH`).
        let (auth_name, auth_value) =
            credential_header(P::AUTH, key).map_err(|error| error.to_string())?;
        let mut builder = http
            .request(self.method.clone(), url)
            .header(auth_name, auth_value);
        if let Some(header) = P::API_VERSION_HEADER {
            builder = builder.header(header, P::API_VERSION);
        }
        if let Some(idempotency_key) = &self.idempotency_key {
            builder = builder.header(P::IDEMPOTENCY_HEADER, idempotency_key.as_str());
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder = match &self.body {
            RequestBody::Query(_) => builder,
            RequestBody::Form(form) => builder
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.clone()),
            RequestBody::Json(json) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(json.clone()),
            RequestBody::Multipart(parts) => {
                builder.multipart(multipart_form(parts).map_err(|error| describe(&error))?)
            }
        };
        builder.build().map_err(|error| describe(&error))
    }
}

fn multipart_form(
    parts: &[crate::endpoint::MultipartPart],
) -> Result<reqwest::multipart::Form, reqwest::Error> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        let mut body = reqwest::multipart::Part::bytes(part.data.clone());
        if let Some(file_name) = &part.file_name {
            body = body.file_name(file_name.clone());
        }
        if let Some(content_type) = &part.content_type {
            body = body.mime_str(content_type)?;
        }
        form = form.part(part.name.clone(), body);
    }
    Ok(form)
}

/// The error and its causes on one line. reqwest errors name the URL, which holds ids but
/// never a key (keys travel in a header only).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The response header `name` as text.
pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The provider's explicit retry advice.
pub(crate) fn should_retry<P: Provider>(headers: &HeaderMap) -> Option<bool> {
    let value = header(headers, P::SHOULD_RETRY_HEADER?)?;
    match value.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The `Retry-After` delay, in seconds.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    crate::retry::parse_retry_after(header(headers, http::header::RETRY_AFTER.as_str())?)
}
