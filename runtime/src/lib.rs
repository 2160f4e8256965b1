//! # payforge: the runtime behind every generated and hand-declared payment endpoint
//!
//! This crate owns the *behaviour* of a payment integration; generated SDK crates
//! (such as `payforge-stripe`) and hand-written declarations only *declare* endpoints
//! with [`endpoint`](macro@endpoint) and friends, and the expansion calls into the traits here.
//!
//! - [`Endpoint`] and [`Provider`]: the contract a declared operation fulfils.
//! - [`wire`]: provider wire types shared by all SDKs: [`wire::Expandable`], typed
//!   `expand[]` paths ([`wire::Expand`]), [`wire::List`], [`wire::SearchList`] and the
//!   bracket-style form encoder.
//! - [`money`]: ISO 4217 currencies and minor-unit amounts.
//! - [`decline`]: one decline vocabulary for every provider ([`DeclineCategory`]).
//!
//! See `ARCHITECTURE.md` at the workspace root for the whole pipeline.
#![forbid(unsafe_code)]

// Lets the derives used in this crate's unit tests name it `::payforge`, as generated
// code does.
#[cfg(test)]
extern crate self as payforge;

pub mod auth;
pub mod base_url;
pub mod catalogue;
#[cfg(feature = "client")]
pub mod client;
pub mod decline;
pub mod endpoint;
pub mod error;
pub mod journal;
pub mod money;
pub mod oauth;
pub mod retry;
pub mod secrets;
pub mod sensitive;
pub mod webhook;
pub mod wire;

pub use catalogue::ErrorCatalogue;
#[cfg(feature = "client")]
pub use client::{Client, Environment};
pub use decline::{Decline, DeclineCategory};
pub use endpoint::{
    ApiError, AuthScheme, BaseUrlVariable, BodyEncoding, EncodeError, Endpoint, ErrorClass,
    InProgressSignal, KeyModeRule, PathSegment, Provider, RequestBody, encode_path_segment,
    encode_path_value, header_value,
};
pub use error::{ConfigError, Error};
pub use money::Currency;
pub use secrets::{Secret, SecretKey};
pub use sensitive::Sensitive;

/// The attribute and derive macros that declare endpoints, error catalogues and events.
pub use payforge_macros::{ProviderError, StringEnum, WebhookEvent, endpoint, idempotent};

/// Re-exports that generated code and macro expansions refer to by absolute path
/// (`::payforge::__private::serde`), so that an SDK crate needs no direct dependency
/// on them. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use http;
    pub use serde;
    pub use serde_json;
}
