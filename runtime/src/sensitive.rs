//! [`Sensitive`]: a value that is sent on the wire but never printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A card number, CVC, bank account number, identity number or similar value.
///
/// It serialises and deserialises exactly as the inner value, so the wire is unchanged, but
/// its `Debug` and `Display` print `[redacted]`, so a params struct, a log line or a panic
/// message never shows it. Generated SDKs wrap every field that the provider profile marks
/// as sensitive in this type.
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

impl<T> fmt::Display for Sensitive<T> {
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
    fn debug_and_display_never_show_the_value() {
        let card = Sensitive::new("4242424242424242".to_owned());
        assert_eq!(format!("{card:?}"), "[redacted]");
        assert_eq!(format!("{card}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&card)), "Some([redacted])");
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
