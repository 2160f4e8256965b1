//! [`Sensitive`]: a value that is sent on the wire but never printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A card number, CVC, bank account number, identity number or similar value.
///
/// It serialises and deserialises exactly as the inner value, so the wire is unchanged, but
/// its `Debug` prints `[redacted]`, so a params struct, a log line or a panic message never
/// shows it. Generated SDKs wrap every field that the provider profile marks as sensitive in
/// this type.
///
/// It has no `Display`: a redacted `Display` is a trap, since building a URL or a body with
/// `to_string()` would send `[redacted]` to the provider. The wire reads the value through
/// `Serialize`, [`crate::endpoint::PathSegment`] (a path parameter) or [`Self::expose`];
/// logs format it with `{:?}`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The inner value, for the code that must send or check it. The name is deliberately
    /// loud so that reviewers see every place a sensitive value is read.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the inner value.
    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Serialize> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let card = Sensitive::new("4242424242424242".to_owned());
        assert_eq!(format!("{card:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&card)), "Some([redacted])");
    }

    #[test]
    fn a_path_segment_is_the_real_value_percent_encoded() {
        use crate::endpoint::{PathSegment, encode_path_value};
        let token = Sensitive::new("tok_1/a b".to_owned());
        assert_eq!(token.path_segment(), "tok_1/a b");
        assert_eq!(encode_path_value(&token), "tok_1%2Fa%20b");
        assert_eq!(encode_path_value(&Sensitive::new(42_u32)), "42");
        assert_eq!(encode_path_value("cus_1"), "cus_1");
    }

    #[test]
    fn the_wire_sees_the_value() -> Result<(), serde_json::Error> {
        let card = Sensitive::new("4242424242424242".to_owned());
        assert_eq!(serde_json::to_string(&card)?, "\"4242424242424242\"");
        let back: Sensitive<String> = serde_json::from_str("\"123\"")?;
        assert_eq!(back.expose(), "123");
        Ok(())
    }
}
