//! The serde `Serializer` that flattens parameters into bracket-keyed pairs.
//!
//! Keys are built unencoded (`items[0][price]`); the caller percent-encodes them for a
//! form string or uses them as they are for multipart part names.

use serde::ser::{self, Impossible, Serialize};

use super::map_key::MapKeySerializer;
use crate::endpoint::EncodeError;
use crate::wire::FileUpload;
use crate::wire::required::REQUIRED_NAME;
use crate::wire::unsettable::FILE_UPLOAD_NAME;

/// One flattened value.
pub(super) enum FormValue {
    /// A scalar, as text.
    Text(String),
    /// Raw bytes (only meaningful inside a `FileUpload`).
    Bytes(Vec<u8>),
    /// A file part.
    File(FileUpload),
}

type Pairs = Vec<(String, FormValue)>;

impl ser::Error for EncodeError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        EncodeError::Unsupported {
            path: String::new(),
            reason: message.to_string(),
        }
    }
}

/// Flattens `params` into (unencoded key, value) pairs, in serialisation order.
pub(super) fn to_pairs<T: Serialize + ?Sized>(params: &T) -> Result<Pairs, EncodeError> {
    let mut pairs = Vec::new();
    params.serialize(ValueSerializer {
        pairs: &mut pairs,
        position: Position::Root,
    })?;
    Ok(pairs)
}

pub(super) fn unsupported(path: impl Into<String>, reason: &str) -> EncodeError {
    EncodeError::Unsupported {
        path: path.into(),
        reason: reason.to_owned(),
    }
}

/// Where the value being serialised sits.
enum Position {
    /// The parameters themselves: must be a struct or a map.
    Root,
    /// A named parameter or a field of one: `metadata[order]`.
    Key(String),
    /// An element of an array: a scalar is keyed `parent[]`, anything else `parent[index]`.
    Element { parent: String, index: usize },
}

impl Position {
    fn scalar_key(self) -> Result<String, EncodeError> {
        match self {
            Self::Root => Err(unsupported(
                "",
                "the parameters must be a struct or a map, not a scalar",
            )),
            Self::Key(key) => Ok(key),
            Self::Element { parent, .. } => Ok(format!("{parent}[]")),
        }
    }

    /// The prefix of the fields of an object here; `None` at the root (bare names).
    /// The bracket path of the value here, for errors (empty at the root).
    fn path(&self) -> String {
        match self {
            Self::Root => String::new(),
            Self::Key(key) => key.clone(),
            Self::Element { parent, index } => format!("{parent}[{index}]"),
        }
    }

    fn object_prefix(self) -> Option<String> {
        match self {
            Self::Root => None,
            Self::Key(key) => Some(key),
            Self::Element { parent, index } => Some(format!("{parent}[{index}]")),
        }
    }

    /// The key of an array here, under which its elements are listed.
    fn array_key(self) -> Result<String, EncodeError> {
        self.object_prefix().ok_or_else(|| {
            unsupported("", "the parameters must be a struct or a map, not an array")
        })
    }
}

/// The key of field `name` of an object with the given prefix.
fn child_key(prefix: Option<&str>, name: &str) -> Result<String, EncodeError> {
    let path = || prefix.map_or_else(|| name.to_owned(), |p| format!("{p}[{name}]"));
    if name.is_empty() {
        return Err(unsupported(path(), "a parameter name cannot be empty"));
    }
    if name.contains(['[', ']']) {
        return Err(unsupported(
            path(),
            "a parameter name cannot contain `[` or `]`",
        ));
    }
    Ok(path())
}

/// Serialises one value at one position.
struct ValueSerializer<'a> {
    pairs: &'a mut Pairs,
    position: Position,
}

impl<'a> ValueSerializer<'a> {
    fn text(self, text: String) -> Result<(), EncodeError> {
        let key = self.position.scalar_key()?;
        self.pairs.push((key, FormValue::Text(text)));
        Ok(())
    }

    fn float(self, value: f64) -> Result<(), EncodeError> {
        if value.is_finite() {
            self.text(value.to_string())
        } else {
            let key = self.position.scalar_key()?;
            Err(unsupported(key, "a float must be finite"))
        }
    }

    fn object(self) -> Compound<'a> {
        Compound {
            prefix: self.position.object_prefix(),
            pairs: self.pairs,
            next_index: 0,
            pending_key: None,
        }
    }

    fn array(self) -> Result<Compound<'a>, EncodeError> {
        Ok(Compound {
            prefix: Some(self.position.array_key()?),
            pairs: self.pairs,
            next_index: 0,
            pending_key: None,
        })
    }

    fn variant(self, variant: &'static str) -> Result<Compound<'a>, EncodeError> {
        let prefix = self.position.object_prefix();
        Ok(Compound {
            prefix: Some(child_key(prefix.as_deref(), variant)?),
            pairs: self.pairs,
            next_index: 0,
            pending_key: None,
        })
    }

    /// A `FileUpload` serialises as (file name, content type, bytes) under a reserved
    /// newtype name; collect the three and make one file part.
    fn file<T: Serialize + ?Sized>(self, parts: &T) -> Result<(), EncodeError> {
        let key = self.position.scalar_key()?;
        let mut collected = Vec::new();
        parts.serialize(ValueSerializer {
            pairs: &mut collected,
            position: Position::Element {
                parent: key.clone(),
                index: 0,
            },
        })?;
        let mut values = collected.into_iter().map(|(_, value)| value);
        match (values.next(), values.next(), values.next(), values.next()) {
            (
                Some(FormValue::Text(file_name)),
                Some(FormValue::Text(content_type)),
                Some(FormValue::Bytes(bytes)),
                None,
            ) => {
                let file = FileUpload {
                    file_name,
                    content_type,
                    bytes,
                };
                self.pairs.push((key, FormValue::File(file)));
                Ok(())
            }
            _ => Err(unsupported(key, "malformed file upload")),
        }
    }
}

impl ValueSerializer<'_> {
    /// A required parameter ([`crate::wire::required`]): it must add at least one pair,
    /// or the provider would see it missing.
    fn required<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        let path = self.position.path();
        let before = self.pairs.len();
        value.serialize(ValueSerializer {
            pairs: &mut *self.pairs,
            position: self.position,
        })?;
        if self.pairs.len() == before {
            return Err(EncodeError::EmptyRequired { path });
        }
        Ok(())
    }
}

macro_rules! serialize_display {
    ($($method:ident($type:ty);)*) => {
        $(fn $method(self, value: $type) -> Result<(), EncodeError> {
            self.text(value.to_string())
        })*
    };
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    serialize_display! {
        serialize_bool(bool); serialize_char(char);
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_i128(i128); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_u128(u128);
    }

    fn serialize_f32(self, value: f32) -> Result<(), EncodeError> {
        self.float(f64::from(value))
    }

    fn serialize_f64(self, value: f64) -> Result<(), EncodeError> {
        self.float(value)
    }

    fn serialize_str(self, value: &str) -> Result<(), EncodeError> {
        self.text(value.to_owned())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), EncodeError> {
        let key = self.position.scalar_key()?;
        self.pairs.push((key, FormValue::Bytes(value.to_vec())));
        Ok(())
    }

    // An absent value is simply not sent.
    fn serialize_none(self) -> Result<(), EncodeError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), EncodeError> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), EncodeError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), EncodeError> {
        self.text(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        if name == FILE_UPLOAD_NAME {
            self.file(value)
        } else if name == REQUIRED_NAME {
            self.required(value)
        } else {
            value.serialize(self)
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        let prefix = self.position.object_prefix();
        let key = child_key(prefix.as_deref(), variant)?;
        value.serialize(ValueSerializer {
            pairs: self.pairs,
            position: Position::Key(key),
        })
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, EncodeError> {
        self.array()
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, EncodeError> {
        self.array()
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, EncodeError> {
        self.array()
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, EncodeError> {
        self.variant(variant)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, EncodeError> {
        Ok(self.object())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, EncodeError> {
        Ok(self.object())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, EncodeError> {
        self.variant(variant)
    }
}

/// An object (fields under `prefix[name]`) or an array (elements under `prefix[]` or
/// `prefix[index]`) being serialised.
pub(super) struct Compound<'a> {
    pairs: &'a mut Pairs,
    prefix: Option<String>,
    next_index: usize,
    pending_key: Option<String>,
}

impl Compound<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        let key = child_key(self.prefix.as_deref(), name)?;
        value.serialize(ValueSerializer {
            pairs: self.pairs,
            position: Position::Key(key),
        })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let index = self.next_index;
        self.next_index += 1;
        value.serialize(ValueSerializer {
            pairs: self.pairs,
            position: Position::Element {
                parent: self.prefix.clone().unwrap_or_default(),
                index,
            },
        })
    }
}

macro_rules! element_impls {
    ($($trait:ident :: $method:ident;)*) => {
        $(impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = EncodeError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
                self.element(value)
            }

            fn end(self) -> Result<(), EncodeError> {
                Ok(())
            }
        })*
    };
}

element_impls! {
    SerializeSeq::serialize_element;
    SerializeTuple::serialize_element;
    SerializeTupleStruct::serialize_field;
    SerializeTupleVariant::serialize_field;
}

macro_rules! field_impls {
    ($($trait:ident;)*) => {
        $(impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = EncodeError;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), EncodeError> {
                self.field(name, value)
            }

            fn end(self) -> Result<(), EncodeError> {
                Ok(())
            }
        })*
    };
}

field_impls! {
    SerializeStruct;
    SerializeStructVariant;
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        let prefix = self.prefix.clone();
        self.pending_key = Some(key.serialize(MapKeySerializer { prefix })?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let name = self.pending_key.take().ok_or_else(|| {
            unsupported(
                self.prefix.clone().unwrap_or_default(),
                "a map value came without its key",
            )
        })?;
        self.field(&name, value)
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// The compound types of the map key serializer, which refuses every compound key.
pub(super) type NoCompound = Impossible<String, EncodeError>;
