//! [`Expandable`]: a reference that is an id unless the request asked to expand it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Object;

/// An object that has an id, so that an [`Expandable`] of it can always name it.
pub trait HasId {
    /// The object's id (`cus_…`, `pi_…`).
    fn id(&self) -> &str;
}

/// A field that the provider sends as an id (`"cus_123"`) by default and as the whole
/// object when the request listed it in `expand[]`. Not expanded, it holds the object's
/// typed id ([`Object::Id`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Expandable<T: Object> {
    /// Not expanded: only the id.
    Id(T::Id),
    /// Expanded: the object itself.
    Object(Box<T>),
}

impl<T: Object + HasId> Expandable<T> {
    /// The id's text, whether or not the field was expanded.
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id.as_ref(),
            Self::Object(object) => object.id(),
        }
    }

    /// The typed id, whether or not the field was expanded.
    pub fn to_id(&self) -> T::Id {
        match self {
            Self::Id(id) => id.clone(),
            Self::Object(object) => T::Id::from(object.id().to_owned()),
        }
    }
}

impl<T: Object> Expandable<T> {
    /// The typed id, if the field was not expanded.
    pub fn as_id(&self) -> Option<&T::Id> {
        match self {
            Self::Id(id) => Some(id),
            Self::Object(_) => None,
        }
    }

    /// The object, if the field was expanded.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(object) => Some(object),
        }
    }

    /// Whether the field was expanded.
    pub fn is_expanded(&self) -> bool {
        matches!(self, Self::Object(_))
    }
}

impl<T: Object + Serialize> Serialize for Expandable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => id.serialize(serializer),
            Self::Object(object) => object.serialize(serializer),
        }
    }
}

impl<'de, T: Object + Deserialize<'de>> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A string is an id and a map is the object: decided from the token itself, with no
        // intermediate `serde_json::Value` and no untagged-enum guessing that would hide the
        // real error inside the object.
        struct ExpandableVisitor<T>(PhantomData<T>);

        impl<'de, T: Object + Deserialize<'de>> Visitor<'de> for ExpandableVisitor<T> {
            type Value = Expandable<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id string or an expanded object")
            }

            fn visit_str<E: de::Error>(self, id: &str) -> Result<Self::Value, E> {
                Ok(Expandable::Id(T::Id::from(id.to_owned())))
            }

            fn visit_string<E: de::Error>(self, id: String) -> Result<Self::Value, E> {
                Ok(Expandable::Id(T::Id::from(id)))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|object| Expandable::Object(Box::new(object)))
            }
        }

        deserializer.deserialize_any(ExpandableVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::id!(
        /// The test customer's id.
        CustomerId
    );

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Customer {
        id: CustomerId,
        email: Option<String>,
    }

    impl HasId for Customer {
        fn id(&self) -> &str {
            &self.id
        }
    }

    impl Object for Customer {
        type Id = CustomerId;
    }

    #[test]
    fn decodes_an_id_or_an_object_and_reencodes_it_unchanged() -> Result<(), serde_json::Error> {
        let id: Expandable<Customer> = serde_json::from_str(r#""cus_1""#)?;
        assert_eq!(id, Expandable::Id(CustomerId::from("cus_1")));
        assert_eq!(id.as_id(), Some(&CustomerId::from("cus_1")));
        assert_eq!(id.id(), "cus_1");
        assert_eq!(serde_json::to_string(&id)?, r#""cus_1""#);

        let wire = r#"{"id":"cus_2","email":"a@example.com"}"#;
        let object: Expandable<Customer> = serde_json::from_str(wire)?;
        assert_eq!(object.id(), "cus_2");
        assert_eq!(object.to_id(), CustomerId::from("cus_2"));
        assert!(object.is_expanded());
        assert_eq!(serde_json::to_string(&object)?, wire);
        Ok(())
    }

    #[test]
    fn an_object_with_a_bad_field_reports_that_field() {
        let result = serde_json::from_str::<Expandable<Customer>>(r#"{"id":7}"#);
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("invalid type: integer `7`"), "{message}");
    }
}
