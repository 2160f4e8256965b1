//! Requests too large to serve, answered with Stripe's error object rather than hyper's
//! empty-bodied 414 and 431.
//!
//! hyper answers a request it cannot parse by itself, with no body and no way to change
//! it: a request line over 64 KiB, a header block over its read buffer (about 400 KiB), or
//! more headers than it reserves room for. So the sandbox sets its own limits well inside
//! hyper's (and raises hyper's header count) and answers those itself, in JSON; only what
//! exceeds hyper's own limits still gets hyper's empty answer.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Request, StatusCode, header};

use crate::error::ApiError;
use crate::ids::new_id;

/// The longest request target (path and query) served: 16 KiB.
pub const MAX_URI: usize = 16 * 1024;
/// The most header bytes (names and values) served: 32 KiB.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The most headers served.
pub const MAX_HEADERS: usize = 100;
/// How many headers hyper parses before giving up with its own empty 431: room above
/// [`MAX_HEADERS`] so that the sandbox, not hyper, refuses a request with too many.
pub const HYPER_MAX_HEADERS: usize = 1_000;

/// Stripe's error object for a request over the limits, or `None` to serve it.
pub fn oversized<B>(request: &Request<B>) -> Option<Response> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI {
        let error = ApiError::invalid_request(format!(
            "Request-URI Too Large: the URL is {target} bytes, and payforge-sandbox accepts at most {MAX_URI}. Send parameters in the body of a POST instead."
        ));
        return Some(respond(StatusCode::URI_TOO_LONG, &error));
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        let error = ApiError::invalid_request(format!(
            "Request Header Fields Too Large: {} headers of {bytes} bytes; payforge-sandbox accepts at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes.",
            headers.len()
        ));
        return Some(respond(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, &error));
    }
    None
}

fn respond(status: StatusCode, error: &ApiError) -> Response {
    let mut response = Response::new(Body::from(error.to_body().to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(id) = HeaderValue::from_str(&new_id("req")) {
        headers.insert("request-id", id);
    }
    // The connection may hold the rest of an oversized request: start afresh.
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
