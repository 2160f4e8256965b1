//! The axum receiver: limit, check the source, verify, store durably, then acknowledge.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;

use super::error::VerificationError;
use super::inbox::{Arrival, InboxError, StoreOutcome, WebhookInbox};
use super::scheme::{Acknowledgement, SignatureScheme};
use super::source::SourceFilter;
use super::verified::{Verified, VerifiedPayload, WebhookVerifier};
use super::worker::unix_millis;

/// Receives one provider's deliveries at a path the application chooses.
///
/// Each request is answered by exactly one rule, in order:
///
/// | condition | status |
/// |---|---|
/// | a source filter is set and the client address is not allowed | 403 |
/// | the body exceeds the verifier's limit | 413 |
/// | what verification needs could not be obtained now ([`VerificationError::is_retryable`]: a certificate fetch, PayPal's verification API) | 503 (the provider retries) |
/// | the signature or body does not verify ([`VerificationError`]); for a batch, any item | 400 |
/// | the inbox cannot store an event | 503 (the provider retries) |
/// | stored, or already stored (a redelivery) | 200, with the scheme's [`Acknowledgement`] |
///
/// A delivery is split into events by the verifier's envelope convention (one event, or
/// every item of a batch); each event is stored as its own inbox row, deduplicated on its
/// id. A batch with one bad item is rejected whole before anything is stored. Nothing is
/// acknowledged before every inbox write is durable. Mount it with
/// [`into_method_router`](Self::into_method_router):
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use payforge::webhook::{SqliteInbox, StripeSignature, WebhookReceiver, WebhookVerifier};
///
/// let secret = std::env::var("STRIPE_WEBHOOK_SECRET")?;
/// let verifier = WebhookVerifier::new("stripe", StripeSignature::new([secret])?);
/// let inbox = Arc::new(SqliteInbox::open("webhooks.db", SqliteInbox::DEFAULT_TABLE).await?);
/// let app: axum::Router = axum::Router::new().route(
///     "/webhooks/stripe",
///     WebhookReceiver::new(verifier, inbox).into_method_router(),
/// );
/// # let _ = app; Ok(()) }
/// ```
#[derive(Debug)]
pub struct WebhookReceiver<S, I> {
    verifier: WebhookVerifier<S>,
    inbox: Arc<I>,
    source_filter: Option<SourceFilter>,
    pinned_api_version: Option<String>,
    acknowledgement: Acknowledgement,
}

impl<S: SignatureScheme, I: WebhookInbox> WebhookReceiver<S, I> {
    /// A receiver that verifies with `verifier` and stores into `inbox`.
    pub fn new(verifier: WebhookVerifier<S>, inbox: Arc<I>) -> Self {
        Self {
            acknowledgement: verifier.scheme().acknowledgement(),
            verifier,
            inbox,
            source_filter: None,
            pinned_api_version: None,
        }
    }

    /// Accepts deliveries only from the filter's networks. The server must then be served
    /// with `into_make_service_with_connect_info::<SocketAddr>()` so the peer is known.
    pub fn with_source_filter(mut self, filter: SourceFilter) -> Self {
        self.source_filter = Some(filter);
        self
    }

    /// The API version the SDK was generated for (`Provider::API_VERSION`); events rendered
    /// with another version are stored and flagged, never rejected.
    pub fn with_pinned_api_version(mut self, version: impl Into<String>) -> Self {
        self.pinned_api_version = Some(version.into());
        self
    }

    /// An axum `POST` route serving this receiver.
    pub fn into_method_router<St>(self) -> MethodRouter<St>
    where
        St: Clone + Send + Sync + 'static,
    {
        let receiver = Arc::new(self);
        post(move |request: Request| {
            let receiver = Arc::clone(&receiver);
            async move { receiver.receive(request).await }
        })
    }

    /// Handles one request (the body of the route; public for custom routing).
    pub async fn receive(&self, request: Request) -> Response {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0);
        let (parts, body) = request.into_parts();
        if let Some(refusal) = self.check_source(peer, &parts.headers) {
            return refusal;
        }
        let body = match self.read_body(&parts.headers, body).await {
            Ok(body) => body,
            Err(refusal) => return refusal,
        };
        if let Err(error) = self.verifier.prepare(&parts.headers, &body).await {
            tracing::warn!(provider = self.verifier.provider(), kind = error.kind(), %error, "webhook not verifiable");
            // A certificate that could not be fetched, or a verification service that did
            // not answer, may work on the provider's retry: refused, never acknowledged.
            let status = if error.is_retryable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::BAD_REQUEST
            };
            return (status, error.to_string()).into_response();
        }
        let now_millis = unix_millis();
        let batch = match self.verifier.verify_batch(
            &parts.headers,
            body,
            now_millis.div_euclid(1000),
        ) {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(provider = self.verifier.provider(), kind = error.kind(), %error, "webhook rejected");
                let status = if error.is_retryable() {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::BAD_REQUEST
                };
                return (status, error.to_string()).into_response();
            }
        };
        let mut stored = 0_usize;
        for event in batch.into_items() {
            match self.store(&event, now_millis).await {
                Ok(StoreOutcome::Stored) => stored += 1,
                Ok(StoreOutcome::Duplicate) => {
                    tracing::debug!(event_id = event.event_id(), "duplicate webhook delivery");
                }
                Err(error) => {
                    // Items stored before this one stay stored: the provider's retry of the
                    // whole delivery finds them as duplicates, so nothing is lost or doubled.
                    tracing::error!(event_id = event.event_id(), %error, "webhook inbox write failed; asking the provider to retry");
                    return (StatusCode::SERVICE_UNAVAILABLE, "inbox unavailable").into_response();
                }
            }
        }
        self.acknowledge(stored > 0)
    }

    /// Stores one verified event, flagging an API version other than the SDK's.
    async fn store(
        &self,
        event: &Verified<VerifiedPayload>,
        now_millis: i64,
    ) -> Result<StoreOutcome, InboxError> {
        let api_version_mismatch = match (&self.pinned_api_version, event.api_version()) {
            (Some(pinned), Some(actual)) => pinned != actual,
            _ => false,
        };
        if api_version_mismatch {
            tracing::warn!(
                event_id = event.event_id(),
                api_version = event.api_version(),
                pinned = self.pinned_api_version.as_deref(),
                "webhook event rendered with another API version than the SDK's"
            );
        }
        let arrival = Arrival {
            received_at: now_millis,
            api_version_mismatch,
        };
        self.inbox.store(event, arrival).await
    }

    /// The answer to a delivery whose events are all durably stored; `stored_any` is false
    /// when every event was a redelivery.
    fn acknowledge(&self, stored_any: bool) -> Response {
        match &self.acknowledgement {
            Acknowledgement::FixedBody(body) => (StatusCode::OK, body.clone()).into_response(),
            Acknowledgement::Outcome if stored_any => (StatusCode::OK, "stored").into_response(),
            Acknowledgement::Outcome => (StatusCode::OK, "duplicate").into_response(),
        }
    }

    fn check_source(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<Response> {
        let filter = self.source_filter.as_ref()?;
        let Some(peer) = peer else {
            tracing::error!(
                "a webhook source filter is set but the peer address is unknown; serve with into_make_service_with_connect_info"
            );
            return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok());
        match filter.client_address(peer.ip(), forwarded) {
            Some(client) if filter.allows(client) => None,
            client => {
                tracing::warn!(?client, %peer, "webhook from a source outside the allowlist");
                Some((StatusCode::FORBIDDEN, "source address not allowed").into_response())
            }
        }
    }

    /// Reads the body, refusing it as soon as it passes the limit.
    async fn read_body(&self, headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
        let limit = self.verifier.max_body_bytes();
        let too_large = |size: u64| {
            let error = VerificationError::BodyTooLarge {
                size,
                limit: limit as u64,
            };
            (StatusCode::PAYLOAD_TOO_LARGE, error.to_string()).into_response()
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        if let Some(declared) = declared
            && declared > limit as u64
        {
            return Err(too_large(declared));
        }
        let mut buffer = BytesMut::new();
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("could not read the body: {error}"),
                )
                    .into_response()
            })?;
            if buffer.len() + chunk.len() > limit {
                return Err(too_large((buffer.len() + chunk.len()) as u64));
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer.freeze())
    }
}
