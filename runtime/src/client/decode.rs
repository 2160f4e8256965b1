//! Turning a response (live or replayed from the journal) into the output or the error.

use http::StatusCode;
use serde::de::DeserializeOwned;
use serde::de::value::{BytesDeserializer, Error as ValueError};

use super::missing_field::{missing_field_name, owner_of_missing_field};
use crate::error::kept_body;
use crate::{ApiError, Error};

/// How the body is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// JSON (or no content type and a JSON-looking body).
    Json,
    /// Anything else: raw bytes (PDFs, CSV reports), for `wire::Binary` outputs.
    Raw,
    /// Unknown (a replayed response): JSON first, raw bytes otherwise.
    Unknown,
}

impl BodyKind {
    pub(crate) fn from_content_type(content_type: Option<&str>) -> Self {
        match content_type {
            None => Self::Unknown,
            Some(value) => {
                let essence = value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                if essence == "application/json" || essence.ends_with("+json") {
                    Self::Json
                } else {
                    Self::Raw
                }
            }
        }
    }
}

/// Decodes a response: a success into the output, anything else into the provider's error.
/// A success whose body reports a refusal (`ApiError::from_refusal`, the provider's
/// declines convention) is the provider's error too, with its 2xx status: a declined
/// payment is never an `Ok` the caller could mistake for a payment.
/// `request_id` is the provider's id of the request, kept in the error.
pub(crate) fn decode_response<T: DeserializeOwned, E: ApiError>(
    status: StatusCode,
    request_id: Option<&str>,
    kind: BodyKind,
    body: &[u8],
) -> Result<T, Error<E>> {
    if status.is_success() {
        if kind != BodyKind::Raw
            && let Some(error) = E::from_refusal(status, body)
        {
            tracing::debug!(%status, "the success response reports a refusal");
            return Err(Error::Api {
                error,
                status,
                request_id: request_id.map(str::to_owned),
            });
        }
        return decode_output(kind, body).map_err(|reason| Error::Decode {
            status,
            request_id: request_id.map(str::to_owned),
            reason,
            body: kept_body(body),
        });
    }
    Err(decode_error(status, request_id, body))
}

/// Decodes an error response into the provider's typed error.
pub(crate) fn decode_error<E: ApiError>(
    status: StatusCode,
    request_id: Option<&str>,
    body: &[u8],
) -> Error<E> {
    let request_id = request_id.map(str::to_owned);
    match E::from_response(status, body) {
        Some(error) => Error::Api {
            error,
            status,
            request_id,
        },
        None => Error::Decode {
            status,
            request_id,
            reason: "the body is not the provider's error object".to_owned(),
            body: kept_body(body),
        },
    }
}

fn decode_output<T: DeserializeOwned>(kind: BodyKind, body: &[u8]) -> Result<T, String> {
    // An empty body (204) decodes as JSON `null`, so a `()` output works.
    let body_or_null: &[u8] = if body.is_empty() { b"null" } else { body };
    let as_json = || {
        serde_json::from_slice::<T>(body_or_null)
            .map_err(|error| with_json_path::<T>(body_or_null, error))
    };
    let as_raw =
        || T::deserialize(BytesDeserializer::<ValueError>::new(body)).map_err(|e| e.to_string());
    match kind {
        BodyKind::Json => as_json(),
        BodyKind::Raw => as_raw(),
        BodyKind::Unknown => as_json().or_else(|json_error| as_raw().map_err(|_| json_error)),
    }
}

/// serde_json's message names a line and column, which in a one-line body says little;
/// the JSON path of the failing value (`data[0].customer`) says which field is wrong, and
/// for an absent required field the Rust type that requires it is named too
/// (``missing field `billing_details` of `OutboundPaymentsPaymentMethodDetails` ``). The
/// body is decoded again, tracking the path, only after the first decode failed, so a
/// successful decode pays nothing for it.
fn with_json_path<T: DeserializeOwned>(body: &[u8], error: serde_json::Error) -> String {
    let mut message = error.to_string();
    if let Some(field) = missing_field_name(&message)
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(owner) = owner_of_missing_field::<T>(&value, field)
    {
        let named = format!("missing field `{field}`");
        let rest = message.strip_prefix(&named).unwrap_or_default();
        message = format!("{named} of `{owner}`{rest}");
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(traced) if traced.path().iter().next().is_some() => {
            format!("at `{}`: {message}", traced.path())
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_choose_the_decoder() {
        let cases = [
            (Some("application/json"), BodyKind::Json),
            (Some("application/json; charset=utf-8"), BodyKind::Json),
            (Some("application/problem+json"), BodyKind::Json),
            (Some("application/pdf"), BodyKind::Raw),
            (Some("text/csv"), BodyKind::Raw),
            (None, BodyKind::Unknown),
        ];
        for (content_type, kind) in cases {
            assert_eq!(
                BodyKind::from_content_type(content_type),
                kind,
                "{content_type:?}"
            );
        }
    }

    #[test]
    fn raw_bodies_decode_into_byte_outputs() -> Result<(), String> {
        let bytes: serde_bytes_like::Bytes = decode_output(BodyKind::Raw, b"%PDF-1.4")?;
        assert_eq!(bytes.0, b"%PDF-1.4");
        let unit: () = decode_output(BodyKind::Unknown, b"")?;
        assert_eq!(unit, ());
        let json: serde_json::Value = decode_output(BodyKind::Unknown, br#"{"id":"ch_1"}"#)?;
        assert_eq!(json["id"], "ch_1");
        Ok(())
    }

    #[derive(Debug, serde::Deserialize)]
    struct Page {
        #[allow(dead_code)] // Reason: only decoded, to make the decode fail inside it.
        data: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Item {
        #[allow(dead_code)] // Reason: as above.
        amount: i64,
    }

    #[test]
    fn a_json_mismatch_names_the_path_of_the_failing_value() {
        let body = br#"{"data":[{"amount":1},{"amount":"2"}]}"#;
        let cases: [(&[u8], &str); 3] = [
            (
                body,
                "at `data[1].amount`: invalid type: string \"2\", expected i64",
            ),
            (
                br#"{"data":[{}]}"#,
                "at `data[0]`: missing field `amount` of `Item`",
            ),
            (b"null", "invalid type: null, expected struct Page"),
        ];
        for (body, expected) in cases {
            match decode_output::<Page>(BodyKind::Json, body) {
                Err(reason) => assert!(reason.starts_with(expected), "{reason}"),
                Ok(page) => panic!("decoded {page:?}"),
            }
        }
    }

    /// A byte-buffer output, as `wire::Binary` is.
    mod serde_bytes_like {
        pub(super) struct Bytes(pub(super) Vec<u8>);

        impl<'de> serde::Deserialize<'de> for Bytes {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = Bytes;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                        Ok(Bytes(v.to_vec()))
                    }
                }
                d.deserialize_byte_buf(Visit)
            }
        }
    }
}
