//! Map keys become parameter names: strings, or scalars written as text.

use serde::ser::{self, Serialize};

use super::encode::{NoCompound, unsupported};
use crate::endpoint::EncodeError;

/// Serialises a map key into the parameter name it stands for.
pub(super) struct MapKeySerializer {
    /// The prefix of the map, for error messages.
    pub(super) prefix: Option<String>,
}

impl MapKeySerializer {
    fn refuse(self) -> EncodeError {
        unsupported(
            self.prefix.unwrap_or_default(),
            "a map key must be a string, a number, a bool or a unit variant",
        )
    }
}

macro_rules! key_display {
    ($($method:ident($type:ty);)*) => {
        $(fn $method(self, value: $type) -> Result<String, EncodeError> {
            Ok(value.to_string())
        })*
    };
}

macro_rules! key_refused {
    ($($method:ident($($arg:ident: $type:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $($arg: $type),*) -> Result<$ret, EncodeError> {
            $(let _ = $arg;)*
            Err(self.refuse())
        })*
    };
}

impl ser::Serializer for MapKeySerializer {
    type Ok = String;
    type Error = EncodeError;
    type SerializeSeq = NoCompound;
    type SerializeTuple = NoCompound;
    type SerializeTupleStruct = NoCompound;
    type SerializeTupleVariant = NoCompound;
    type SerializeMap = NoCompound;
    type SerializeStruct = NoCompound;
    type SerializeStructVariant = NoCompound;

    key_display! {
        serialize_bool(bool); serialize_char(char); serialize_str(&str);
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_i128(i128); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_u128(u128);
    }

    key_refused! {
        serialize_f32(value: f32) -> String;
        serialize_f64(value: f64) -> String;
        serialize_bytes(value: &[u8]) -> String;
        serialize_none() -> String;
        serialize_unit() -> String;
        serialize_unit_struct(name: &'static str) -> String;
        serialize_seq(len: Option<usize>) -> NoCompound;
        serialize_tuple(len: usize) -> NoCompound;
        serialize_tuple_struct(name: &'static str, len: usize) -> NoCompound;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> NoCompound;
        serialize_map(len: Option<usize>) -> NoCompound;
        serialize_struct(name: &'static str, len: usize) -> NoCompound;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> NoCompound;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, EncodeError> {
        value.serialize(self)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, EncodeError> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, EncodeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, EncodeError> {
        Err(self.refuse())
    }
}
