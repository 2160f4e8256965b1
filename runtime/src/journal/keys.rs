//! The two keys of an idempotent call: the application's [`LogicalKey`] naming the
//! operation, and the [`IdempotencyKey`] sent to the provider.

use std::fmt;

/// A key was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is empty.
    #[error("the key is empty")]
    Empty,
    /// The key is longer than allowed.
    #[error("the key is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The key holds a character that is not allowed.
    #[error("the key contains {found:?}, which is not printable ASCII without spaces")]
    BadCharacter {
        /// The first offending character.
        found: char,
    },
}

fn validate(value: &str, max: usize) -> Result<(), KeyError> {
    if value.is_empty() {
        return Err(KeyError::Empty);
    }
    if value.len() > max {
        return Err(KeyError::TooLong {
            len: value.len(),
            max,
        });
    }
    match value.chars().find(|c| !c.is_ascii_graphic()) {
        Some(found) => Err(KeyError::BadCharacter { found }),
        None => Ok(()),
    }
}

/// The idempotency key sent to the provider (`Idempotency-Key`): printable ASCII, at most
/// 255 bytes (Stripe's limit). Not a secret: it is logged so that a call can be traced.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The longest key accepted.
    pub const MAX_LEN: usize = 255;

    /// Validates a key (for instance one read back from the journal).
    pub fn new(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        validate(&value, Self::MAX_LEN)?;
        Ok(Self(value))
    }

    /// A fresh random key (`pf_` and a UUID v4).
    pub fn generate() -> Self {
        Self(format!("pf_{}", uuid::Uuid::new_v4().simple()))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The application's name for one logical operation, such as `order-1234/charge`: the
/// journal maps it to one idempotency key, across retries, processes and restarts.
///
/// Calls without one get a fresh generated key (`auto/<uuid>`) per call, so two genuinely
/// separate but identical charges never collapse into one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogicalKey(String);

impl LogicalKey {
    /// The longest key accepted.
    pub const MAX_LEN: usize = 200;
    /// The prefix of generated keys; application keys may not use it.
    pub const GENERATED_PREFIX: &'static str = "auto/";

    /// An application-chosen key. It must be printable ASCII without spaces, at most 200
    /// bytes, and not start with `auto/`.
    pub fn new(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        validate(&value, Self::MAX_LEN)?;
        if value.starts_with(Self::GENERATED_PREFIX) {
            return Err(KeyError::BadCharacter { found: '/' });
        }
        Ok(Self(value))
    }

    /// A fresh key for one call that the application did not name.
    pub fn generate() -> Self {
        Self(format!(
            "{}{}",
            Self::GENERATED_PREFIX,
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// Reads a key back from storage, generated or not.
    pub fn from_stored(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        validate(&value, Self::MAX_LEN)?;
        Ok(Self(value))
    }

    /// Whether the runtime generated this key for a single call.
    pub fn is_generated(&self) -> bool {
        self.0.starts_with(Self::GENERATED_PREFIX)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogicalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_validated() {
        let long = "x".repeat(256);
        let cases: [(&str, Result<(), KeyError>); 5] = [
            ("order-1234/charge", Ok(())),
            ("", Err(KeyError::Empty)),
            ("order 1", Err(KeyError::BadCharacter { found: ' ' })),
            ("order\n1", Err(KeyError::BadCharacter { found: '\n' })),
            ("auto/123", Err(KeyError::BadCharacter { found: '/' })),
        ];
        for (value, expected) in cases {
            assert_eq!(LogicalKey::new(value).map(|_| ()), expected, "{value:?}");
        }
        assert_eq!(
            IdempotencyKey::new(long).map(|_| ()),
            Err(KeyError::TooLong { len: 256, max: 255 })
        );
    }

    #[test]
    fn generated_keys_are_fresh_and_marked() {
        let (a, b) = (LogicalKey::generate(), LogicalKey::generate());
        assert_ne!(a, b);
        assert!(a.is_generated());
        assert_ne!(IdempotencyKey::generate(), IdempotencyKey::generate());
        assert!(IdempotencyKey::new(IdempotencyKey::generate().as_str()).is_ok());
    }
}
