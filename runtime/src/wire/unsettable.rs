//! Parameter wrappers with a special wire form: [`Unsettable`] (clear a field with `""`),
//! [`FileUpload`] (a file part of a multipart body) and [`Binary`] (a raw-bytes response).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A form parameter the provider lets you *clear*: `Set(value)` sends the value, `Unset`
/// sends an empty string (`description=`), which is how Stripe removes a field's value.
///
/// Generated for Stripe's `anyOf: [T, enum: [""]]` parameters. Leaving the parameter out
/// altogether is `None` of an `Option<Unsettable<T>>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Unsettable<T> {
    /// Send this value.
    Set(T),
    /// Clear the field: sent as an empty string.
    Unset,
}

impl<T> From<T> for Unsettable<T> {
    fn from(value: T) -> Self {
        Self::Set(value)
    }
}

/// String setters take `&str`, as plain `String` parameters do: `.description("Shoes")`.
impl From<&str> for Unsettable<String> {
    fn from(value: &str) -> Self {
        Self::Set(value.to_owned())
    }
}

impl<T: Serialize> Serialize for Unsettable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Set(value) => value.serialize(serializer),
            Self::Unset => serializer.serialize_str(""),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Unsettable<T> {
    /// An empty string is `Unset`; anything else decodes as `T`. The value is read into a
    /// `serde_json::Value` first, since whether it is `""` must be known before `T` sees it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) if text.is_empty() => Ok(Self::Unset),
            value => T::deserialize(value)
                .map(Self::Set)
                .map_err(de::Error::custom),
        }
    }
}

/// The name [`FileUpload`] serialises under, which the multipart encoder
/// ([`crate::wire::form::to_parts`]) recognises to make a file part.
pub(crate) const FILE_UPLOAD_NAME: &str = "$payforge::wire::FileUpload";

/// A file sent as one part of a `multipart/form-data` body (Stripe's `POST /v1/files`).
///
/// Only the multipart encoder can send it; the form and query encoders refuse it with an
/// [`crate::EncodeError`]. `Debug` prints the size, never the contents: files are often
/// identity documents.
#[derive(Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// The file name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// The part's content type, for example `application/pdf` or `image/png`.
    pub content_type: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

impl FileUpload {
    /// A file with its name, content type and contents.
    pub fn new(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Serialize for FileUpload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A newtype with a reserved name around (file name, content type, bytes): the
        // multipart encoder recognises the name; any other serializer sees a plain tuple.
        struct Parts<'a>(&'a FileUpload);

        impl Serialize for Parts<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeTuple;
                let mut tuple = serializer.serialize_tuple(3)?;
                tuple.serialize_element(&self.0.file_name)?;
                tuple.serialize_element(&self.0.content_type)?;
                tuple.serialize_element(&BytesRef(&self.0.bytes))?;
                tuple.end()
            }
        }

        serializer.serialize_newtype_struct(FILE_UPLOAD_NAME, &Parts(self))
    }
}

/// A byte slice that serialises with `serialize_bytes` (serde's own `[u8]` impl is a
/// sequence of numbers).
struct BytesRef<'a>(&'a [u8]);

impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// The raw body of a response that is not JSON (Stripe's one `application/pdf` output,
/// a quote's PDF).
///
/// An endpoint whose `output` is `Binary` is decoded by the client from the response bytes
/// as they are: the client hands a body that is not `application/json` to
/// `Output::deserialize` through `serde::de::value::BytesDeserializer`, which `Binary`
/// accepts (it also accepts a string, for JSON-carried text). `Debug` prints the size only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Binary(pub Vec<u8>);

impl Binary {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binary({} bytes)", self.0.len())
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BinaryVisitor;

        impl Visitor<'_> for BinaryVisitor {
            type Value = Binary;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw bytes")
            }

            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Binary, E> {
                Ok(Binary(bytes.to_vec()))
            }

            fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Binary, E> {
                Ok(Binary(bytes))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Binary, E> {
                Ok(Binary(text.as_bytes().to_vec()))
            }
        }

        deserializer.deserialize_byte_buf(BinaryVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{BytesDeserializer, Error as ValueError};

    use super::*;

    #[test]
    fn unsettable_is_the_value_or_an_empty_string() -> Result<(), serde_json::Error> {
        assert_eq!(serde_json::to_string(&Unsettable::Set(7))?, "7");
        assert_eq!(serde_json::to_string(&Unsettable::<i64>::Unset)?, r#""""#);
        assert_eq!(Unsettable::from("x"), Unsettable::Set("x"));
        let text: Unsettable<String> = "Shoes".into();
        assert_eq!(text, Unsettable::Set("Shoes".to_owned()));
        let unset: Unsettable<i64> = serde_json::from_str(r#""""#)?;
        assert_eq!(unset, Unsettable::Unset);
        assert_eq!(
            serde_json::from_str::<Unsettable<i64>>("7")?,
            Unsettable::Set(7)
        );
        assert!(serde_json::from_str::<Unsettable<i64>>(r#""x""#).is_err());
        Ok(())
    }

    #[test]
    fn debug_of_files_and_binaries_shows_the_size_only() {
        let file = FileUpload::new("passport.png", "image/png", b"secret-scan".to_vec());
        let printed = format!("{file:?}");
        assert!(printed.contains("len: 11"), "{printed}");
        assert!(!printed.contains("secret"), "{printed}");
        assert_eq!(
            format!("{:?}", Binary(b"%PDF-1.4".to_vec())),
            "Binary(8 bytes)"
        );
    }

    #[test]
    fn binary_decodes_from_raw_bytes() -> Result<(), ValueError> {
        let pdf = b"%PDF-1.4 ...";
        let decoded = Binary::deserialize(BytesDeserializer::<ValueError>::new(pdf))?;
        assert_eq!(decoded.as_bytes(), pdf);
        Ok(())
    }
}
