//! [`StringEnum`]: the runtime half of `#[derive(StringEnum)]`.
//!
//! A generated SDK declares hundreds of string enums. The derive only writes the two
//! `match`es that map variants to wire strings and back; the serde plumbing (one visitor)
//! lives here once, so each enum costs the compiler two small functions.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// An enum that travels as one string, with a fallback variant keeping strings it does not
/// know (`Unknown(String)`), so a value the provider adds later still decodes.
///
/// Implemented by `#[derive(StringEnum)]` (and by `#[derive(ProviderError)]` on error
/// catalogues); write the derive, not the impl.
pub trait StringEnum: Sized {
    /// The wire string of this value.
    fn as_wire_str(&self) -> &str;
    /// The known variant a wire string stands for, if any.
    fn known(wire: &str) -> Option<Self>;
    /// The fallback variant keeping a wire string this SDK version does not know.
    fn unknown(wire: String) -> Self;

    /// The value a wire string stands for: a known variant or the fallback.
    fn from_wire_str(wire: &str) -> Self {
        Self::known(wire).unwrap_or_else(|| Self::unknown(wire.to_owned()))
    }

    /// Like [`StringEnum::from_wire_str`], reusing the allocation for an unknown string.
    fn from_wire_string(wire: String) -> Self {
        Self::known(&wire).unwrap_or_else(|| Self::unknown(wire))
    }
}

/// Deserialises any [`StringEnum`] from a string; called by the derived `Deserialize`.
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: StringEnum,
    D: Deserializer<'de>,
{
    struct WireStringVisitor<T>(PhantomData<T>);

    impl<T: StringEnum> Visitor<'_> for WireStringVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, wire: &str) -> Result<T, E> {
            Ok(T::from_wire_str(wire))
        }

        fn visit_string<E: de::Error>(self, wire: String) -> Result<T, E> {
            Ok(T::from_wire_string(wire))
        }
    }

    deserializer.deserialize_str(WireStringVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use crate::StringEnum;

    #[derive(Clone, Debug, PartialEq, Eq, Hash, StringEnum)]
    enum CaptureMethod {
        #[wire("automatic")]
        Automatic,
        #[wire("manual")]
        Manual,
        Unknown(String),
    }

    #[test]
    fn a_known_value_round_trips_as_its_wire_string() -> Result<(), serde_json::Error> {
        let manual: CaptureMethod = serde_json::from_str(r#""manual""#)?;
        assert_eq!(manual, CaptureMethod::Manual);
        assert_eq!(serde_json::to_string(&manual)?, r#""manual""#);
        assert_eq!(manual.as_str(), "manual");
        assert_eq!(manual.to_string(), "manual");
        Ok(())
    }

    #[test]
    fn an_unknown_value_is_kept_and_reencoded_unchanged() -> Result<(), serde_json::Error> {
        let later: CaptureMethod = serde_json::from_str(r#""automatic_async""#)?;
        assert_eq!(later, CaptureMethod::Unknown("automatic_async".to_owned()));
        assert_eq!(serde_json::to_string(&later)?, r#""automatic_async""#);
        Ok(())
    }

    #[test]
    fn from_str_never_fails() {
        let parsed: Result<CaptureMethod, std::convert::Infallible> = "automatic".parse();
        assert_eq!(parsed, Ok(CaptureMethod::Automatic));
        assert_eq!(
            "".parse::<CaptureMethod>(),
            Ok(CaptureMethod::Unknown(String::new()))
        );
    }

    #[test]
    fn a_non_string_is_a_type_error() {
        let result = serde_json::from_str::<CaptureMethod>("7");
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("expected a string"), "{message}");
    }
}
