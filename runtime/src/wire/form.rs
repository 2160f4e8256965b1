//! Stripe's bracket-style form encoding of request parameters, and its reverse.
//!
//! ```text
//! metadata[order]=6735            nested objects and maps
//! expand[]=customer&expand[]=x    arrays of scalars
//! items[0][price]=price_1         arrays of objects (or arrays), indexed
//! description=                    Unsettable::Unset: clear the field
//! ```
//! [`to_string`] encodes any `Serialize` struct or map (fields in declaration order,
//! `None` and empty containers left out, keys and values percent-encoded with the
//! structural brackets literal); [`to_parts`] makes the same pairs into a multipart body,
//! where a [`FileUpload`](crate::wire::FileUpload) becomes a file part; [`parse`] reads a
//! form string back into the JSON tree a server sees (every scalar a string). The rules are
//! specified in `docs/generated-code.md`, "Form and query encoding".

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::endpoint::{EncodeError, MultipartPart};

mod decode;
mod encode;
mod map_key;

pub use decode::{FormError, parse};
use encode::FormValue;

/// Everything but RFC 3986's unreserved characters is percent-encoded in values.
const VALUE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Keys keep their structural brackets literal; names cannot contain brackets (the encoder
/// refuses them), so every bracket in a key is structural.
const KEY_SET: &AsciiSet = &VALUE_SET.remove(b'[').remove(b']');

/// Encodes parameters as an `application/x-www-form-urlencoded` string (also the query
/// string of a GET), in Stripe's bracket style.
///
/// # Errors
/// [`EncodeError::Unsupported`] for a value the form cannot express: a scalar or array at
/// the top level, a map key that is empty, not a string or contains a bracket, a
/// non-finite float, or a file or raw bytes (send those with [`to_parts`]).
pub fn to_string<T: Serialize + ?Sized>(params: &T) -> Result<String, EncodeError> {
    let mut encoded = String::new();
    for (key, value) in encode::to_pairs(params)? {
        let FormValue::Text(text) = value else {
            return Err(EncodeError::Unsupported {
                path: key,
                reason: "files and raw bytes can only be sent in a multipart body".to_owned(),
            });
        };
        if !encoded.is_empty() {
            encoded.push('&');
        }
        encoded.extend(utf8_percent_encode(&key, KEY_SET));
        encoded.push('=');
        encoded.extend(utf8_percent_encode(&text, VALUE_SET));
    }
    Ok(encoded)
}

/// Encodes parameters as the parts of a `multipart/form-data` body: one text part per
/// form pair (named with its bracket key, unencoded) and one file part per
/// [`FileUpload`](crate::wire::FileUpload).
///
/// # Errors
/// As [`to_string`], except that files are accepted; raw bytes outside a `FileUpload` are
/// still refused.
pub fn to_parts<T: Serialize + ?Sized>(params: &T) -> Result<Vec<MultipartPart>, EncodeError> {
    encode::to_pairs(params)?
        .into_iter()
        .map(|(name, value)| match value {
            FormValue::Text(text) => Ok(MultipartPart {
                name,
                file_name: None,
                content_type: None,
                data: text.into_bytes(),
            }),
            FormValue::File(file) => Ok(MultipartPart {
                name,
                file_name: Some(file.file_name),
                content_type: Some(file.content_type),
                data: file.bytes,
            }),
            FormValue::Bytes(_) => Err(EncodeError::Unsupported {
                path: name,
                reason: "raw bytes must be wrapped in a FileUpload".to_owned(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests;
