//! [`required`]: the serde hook that marks a required parameter, so the form encoder can
//! refuse one that would encode to nothing.
//!
//! The bracket form has no way to write an empty object (or an empty list or map): an
//! object with no field set simply vanishes from the body, and the provider then refuses
//! the request because a required parameter is missing (Stripe's
//! `POST /v1/account_sessions` without `components`). Generated code marks every required
//! parameter that could vanish this way with
//! `#[serde(serialize_with = "::payforge::wire::required")]`; the form and multipart
//! encoders then fail with [`EncodeError::EmptyRequired`](crate::EncodeError::EmptyRequired)
//! naming the parameter, before the journal or the network sees the request. Any other
//! serializer (JSON) sees the value unchanged.

use serde::{Serialize, Serializer};

/// The newtype name under which [`required`] wraps its value; the form encoder recognises
/// it (as it recognises a `FileUpload`).
pub(crate) const REQUIRED_NAME: &str = "$payforge::wire::Required";

/// Serialises `value` marked as a required parameter, for
/// `#[serde(serialize_with = "::payforge::wire::required")]`.
///
/// # Errors
/// Whatever serialising `value` fails with; the form encoder adds
/// [`EncodeError::EmptyRequired`](crate::EncodeError::EmptyRequired) when `value` encodes to
/// no pair at all.
pub fn required<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + ?Sized,
    S: Serializer,
{
    serializer.serialize_newtype_struct(REQUIRED_NAME, value)
}
