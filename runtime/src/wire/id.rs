//! Typed ids: one newtype per resource (`CustomerId`, `PaymentIntentId`), declared by the
//! generated SDKs with [`crate::id!`], so that a payment method's id cannot be passed where a
//! customer's is wanted. [`Object`] names the id type of an object, which is what an
//! [`Expandable`](super::Expandable) holds when it was not expanded.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// An object of the provider's API and the type of its id.
pub trait Object {
    /// The id type: a resource's own newtype (`CustomerId`), or `String` for an object whose
    /// members or kind have no common one.
    type Id: Clone + Debug + PartialEq + AsRef<str> + From<String> + Serialize + DeserializeOwned;
}

/// Declares a typed id: a `String` newtype that is transparent on the wire and in paths,
/// built from `&str` or `String` (so `"cus_123"` still works where a `CustomerId` is
/// wanted), and distinct from every other id type.
///
/// ```
/// payforge::id!(
///     /// The id of a customer (`cus_…`).
///     CustomerId
/// );
/// let id = CustomerId::from("cus_123");
/// assert_eq!(id.as_str(), "cus_123");
/// assert_eq!(id.to_string(), "cus_123");
/// ```
#[macro_export]
macro_rules! id {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[derive(
            ::core::clone::Clone,
            ::core::fmt::Debug,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
            ::core::cmp::PartialOrd,
            ::core::cmp::Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(::std::string::String);

        impl $name {
            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, owned.
            pub fn into_string(self) -> ::std::string::String {
                self.0
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::core::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(id: ::std::string::String) -> Self {
                Self(id)
            }
        }

        impl ::core::convert::From<&::std::string::String> for $name {
            fn from(id: &::std::string::String) -> Self {
                Self(id.clone())
            }
        }

        impl ::core::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl ::core::convert::From<&$name> for ::std::string::String {
            fn from(id: &$name) -> Self {
                id.0.clone()
            }
        }

        impl ::core::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(id: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(Self(id.to_owned()))
            }
        }

        impl ::core::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::core::cmp::PartialEq<::std::string::String> for $name {
            fn eq(&self, other: &::std::string::String) -> bool {
                self.0 == *other
            }
        }

        impl ::core::cmp::PartialEq<$name> for ::std::string::String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::core::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::endpoint::PathSegment;

    crate::id!(
        /// A test id.
        CustomerId
    );
    crate::id!(
        /// Another test id.
        PaymentMethodId
    );

    #[test]
    fn an_id_is_its_string_on_the_wire_and_in_a_path() -> Result<(), serde_json::Error> {
        let id: CustomerId = serde_json::from_str(r#""cus_1""#)?;
        assert_eq!(id, "cus_1");
        assert_eq!(serde_json::to_string(&id)?, r#""cus_1""#);
        assert_eq!(id.path_segment(), "cus_1");
        let parsed: CustomerId = "cus_1".parse().unwrap_or_else(|never| match never {});
        assert_eq!(parsed, id);
        let other = PaymentMethodId::from(String::from("pm_1"));
        assert_eq!(other.as_str(), "pm_1");
        Ok(())
    }
}
