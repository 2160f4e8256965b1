//! Error catalogues and the runtime half of `#[derive(ProviderError)]`.
//!
//! A provider's error codes, decline codes and error types are exhaustive enums generated
//! from `specs/<provider>/errors.yaml`; each code carries how the runtime should treat it
//! ([`ErrorClass`]) and, for card declines, a message fit to show the customer. The
//! derive writes the per-variant tables; the decoding steps it calls are the functions
//! here, written once. A code of a card decline also names its provider-neutral
//! [`DeclineCategory`], from which [`decline_view`] builds the [`Decline`] of an error.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::decline::{Decline, DeclineCategory};
use crate::endpoint::ErrorClass;
use crate::wire::StringEnum;

/// An enum of a provider's error codes (or decline codes), with an `Unknown(String)`
/// fallback for codes added after the SDK was generated.
///
/// Implemented by `#[derive(ProviderError)]` on a catalogue enum; write the derive.
pub trait ErrorCatalogue: StringEnum {
    /// The code as the provider sends it (`insufficient_funds`).
    fn code(&self) -> &str {
        self.as_wire_str()
    }
    /// How the runtime treats an error carrying this code; [`ErrorClass::Unknown`] for
    /// a code the catalogue does not know.
    fn class(&self) -> ErrorClass;
    /// A message safe to show the paying customer, where the catalogue has one.
    fn user_message(&self) -> Option<&'static str>;
    /// The provider-neutral category of a decline carrying this code, as the catalogue
    /// maps it; `None` for a code that is no decline, or that the catalogue does not know.
    fn decline_category(&self) -> Option<DeclineCategory> {
        None
    }
    /// The same code read as another catalogue of the provider: a provider-wide code as the
    /// enum of one API (`issue.view::<OrdersIssue>()`), or back. A code that `V` does not
    /// list is `V`'s `Unknown`, kept as received.
    fn view<V: ErrorCatalogue>(&self) -> V
    where
        Self: Sized,
    {
        V::from_wire_str(self.code())
    }
}

/// The code of a list of details (PayPal's `details[].issue`): the first item whose code
/// is set, read as a [`CatalogueField`]. Built by the `ProviderError` derive for a field
/// marked `detail_code(…)`.
#[derive(Debug)]
pub struct FirstCode<'a, C>(Option<&'a C>);

impl<C> Clone for FirstCode<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for FirstCode<'_, C> {}

impl<'a, C: ErrorCatalogue> FirstCode<'a, C> {
    /// The first code among `codes` that is set and not empty.
    pub fn of(codes: impl IntoIterator<Item = &'a Option<C>>) -> Self {
        Self(
            codes
                .into_iter()
                .flatten()
                .find(|code| !code.code().is_empty()),
        )
    }

    /// The code, if a detail names one.
    pub fn get(self) -> Option<&'a C> {
        self.0
    }
}

impl<C: ErrorCatalogue> CatalogueField for FirstCode<'_, C> {
    fn catalogue_code(&self) -> Option<&str> {
        self.0.and_then(CatalogueField::catalogue_code)
    }

    fn catalogue_class(&self) -> Option<ErrorClass> {
        self.0.map(ErrorCatalogue::class)
    }

    fn decline_reason(&self) -> Option<DeclineReason<'_>> {
        self.0.and_then(CatalogueField::decline_reason)
    }
}

/// A field of a provider error that holds a catalogue code, marked
/// `#[provider_error(classify)]` or `#[provider_error(decline)]`: a code or an optional code.
#[diagnostic::on_unimplemented(
    message = "`#[provider_error(classify)]` and `#[provider_error(decline)]` need a catalogue code (an enum deriving `ProviderError`, or an `Option` of one), not `{Self}`",
    label = "not a catalogue code"
)]
pub trait CatalogueField {
    /// The code, when set and not empty.
    fn catalogue_code(&self) -> Option<&str>;
    /// The code's class, when set.
    fn catalogue_class(&self) -> Option<ErrorClass>;
    /// The code, when set and not empty, with the decline category the catalogue maps it to.
    fn decline_reason(&self) -> Option<DeclineReason<'_>>;
}

/// A decline code found in an error: the code and the category its catalogue maps it to.
pub type DeclineReason<'a> = (&'a str, Option<DeclineCategory>);

impl<T: ErrorCatalogue> CatalogueField for T {
    fn catalogue_code(&self) -> Option<&str> {
        Some(self.code()).filter(|code| !code.is_empty())
    }

    fn catalogue_class(&self) -> Option<ErrorClass> {
        Some(self.class())
    }

    fn decline_reason(&self) -> Option<DeclineReason<'_>> {
        self.catalogue_code()
            .map(|code| (code, self.decline_category()))
    }
}

impl<T: ErrorCatalogue> CatalogueField for Option<T> {
    fn catalogue_code(&self) -> Option<&str> {
        self.as_ref().and_then(CatalogueField::catalogue_code)
    }

    fn catalogue_class(&self) -> Option<ErrorClass> {
        self.as_ref().map(ErrorCatalogue::class)
    }

    fn decline_reason(&self) -> Option<DeclineReason<'_>> {
        self.as_ref().and_then(CatalogueField::decline_reason)
    }
}

/// A text field of an error (its message, its reference): a `String` or an
/// `Option<String>`.
pub trait MessageField {
    /// The text, when set and not empty.
    fn message(&self) -> Option<&str>;
}

impl MessageField for String {
    fn message(&self) -> Option<&str> {
        Some(self.as_str()).filter(|message| !message.is_empty())
    }
}

impl MessageField for Option<String> {
    fn message(&self) -> Option<&str> {
        self.as_deref().filter(|message| !message.is_empty())
    }
}

/// The class of a provider error: the first classifying field whose code has a known
/// class, otherwise the class of the error's type.
pub fn refine_class(type_class: ErrorClass, field_classes: &[Option<ErrorClass>]) -> ErrorClass {
    field_classes
        .iter()
        .flatten()
        .copied()
        .find(|class| *class != ErrorClass::Unknown)
        .unwrap_or(type_class)
}

/// The [`Decline`] of an error whose class is [`ErrorClass::CardDecline`], `None` for any
/// other class. `reasons` are the error's decline codes, most specific first (a decline
/// code before the error code that says "card declined"); the first one that is set gives
/// the decline's code and category, falling back to [`DeclineCategory::Unknown`] for a code
/// its catalogue does not map.
pub fn decline_view(
    class: ErrorClass,
    reasons: &[Option<DeclineReason<'_>>],
    message: Option<&str>,
) -> Option<Decline> {
    if class != ErrorClass::CardDecline {
        return None;
    }
    let (code, category) = reasons
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(("", None));
    Some(Decline {
        category: category.unwrap_or(DeclineCategory::Unknown),
        code: code.to_owned(),
        message: message.map(str::to_owned),
    })
}

/// The error object at the top of the body (a provider with no wrapper key), if the body is
/// a JSON object holding the type field `tag`: without it, the body is not an error object.
pub fn top_level_object(body: &[u8], tag: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(object) if object.contains_key(tag) => Some(object),
        _ => None,
    }
}

/// The body of a success response that reports a refusal: a JSON object whose
/// `result_field` is a string among `refused` (`"resultCode": "Refused"`).
pub fn refused_object(
    body: &[u8],
    result_field: &str,
    refused: &[&str],
) -> Option<Map<String, Value>> {
    // Most success bodies are no refusal: skip parsing those that never name the field.
    let needle = result_field.as_bytes();
    if needle.is_empty() || !body.windows(needle.len()).any(|window| window == needle) {
        return None;
    }
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(object)
            if object
                .get(result_field)
                .and_then(Value::as_str)
                .is_some_and(|result| refused.contains(&result)) =>
        {
            Some(object)
        }
        _ => None,
    }
}

/// The first object of a success body that reports a refusal: among the objects at
/// `objects` (JSON pointers, `*` standing for every index of an array, `""` the body
/// itself), the first whose `result_field` is a string among `refused` (PayPal's capture
/// inside an order, `/purchase_units/*/payments/captures/*` with `"status": "DECLINED"`).
pub fn refused_object_at(
    body: &[u8],
    objects: &[&str],
    result_field: &str,
    refused: &[&str],
) -> Option<Map<String, Value>> {
    // Most success bodies are no refusal: skip parsing those that hold no refused value.
    let holds = |value: &&str| {
        let needle = value.as_bytes();
        !needle.is_empty() && body.windows(needle.len()).any(|window| window == needle)
    };
    if !refused.iter().any(holds) {
        return None;
    }
    let mut root = serde_json::from_slice::<Value>(body).ok()?;
    let is_refused = |value: &Value| {
        value
            .get(result_field)
            .and_then(Value::as_str)
            .is_some_and(|result| refused.contains(&result))
    };
    for pointer in objects {
        let segments: Vec<&str> = pointer.split('/').skip(1).collect();
        if let Some(found) = find_at(&mut root, &segments, &is_refused) {
            return match found.take() {
                Value::Object(object) => Some(object),
                _ => None,
            };
        }
    }
    None
}

/// The first value under `segments` (`*`: every array index) that `matches`.
fn find_at<'v>(
    value: &'v mut Value,
    segments: &[&str],
    matches: &dyn Fn(&Value) -> bool,
) -> Option<&'v mut Value> {
    let Some((first, rest)) = segments.split_first() else {
        return matches(value).then_some(value);
    };
    match (value, *first) {
        (Value::Array(items), "*") => items
            .iter_mut()
            .find_map(|item| find_at(item, rest, matches)),
        (Value::Array(items), index) => {
            find_at(items.get_mut(index.parse::<usize>().ok()?)?, rest, matches)
        }
        (Value::Object(object), key) => find_at(object.get_mut(key)?, rest, matches),
        _ => None,
    }
}

/// Removes the value at `name` from the error object: a field, or, for a name starting
/// with `/`, a JSON pointer inside the object (`/processor_response/response_code`).
fn remove_at(object: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let Some(pointer) = name.strip_prefix('/') else {
        return object.remove(name);
    };
    let (parents, last) = match pointer.rsplit_once('/') {
        Some((parents, last)) => (Some(parents), last),
        None => (None, pointer),
    };
    let mut current = object;
    for segment in parents.into_iter().flat_map(|parents| parents.split('/')) {
        current = current.get_mut(segment)?.as_object_mut()?;
    }
    current.remove(last)
}

/// The error object under `envelope` (`{"error": {...}}`), if the body has that shape.
pub fn error_object(body: &[u8], envelope: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(mut outer) => match outer.remove(envelope)? {
            Value::Object(object) => Some(object),
            _ => None,
        },
        _ => None,
    }
}

/// Takes the type tag out of the error object; empty when missing or not a string.
pub fn take_tag(object: &mut Map<String, Value>, tag: &str) -> String {
    match object.remove(tag) {
        Some(Value::String(tag)) => tag,
        _ => String::new(),
    }
}

/// Takes one field out of the error object: its default when missing or `null`, `None`
/// when present with a shape the field's type does not accept.
pub fn take_field<T: DeserializeOwned + Default>(
    object: &mut Map<String, Value>,
    name: &str,
) -> Option<T> {
    match remove_at(object, name) {
        None | Some(Value::Null) => Some(T::default()),
        Some(value) => serde_json::from_value(value).ok(),
    }
}

/// Takes one field out of a refusal's body, never failing: its default when missing,
/// `null` or of a shape the field's type does not accept, in which case the value is put
/// back so that it stays in the error's `rest` map. A refusal is never lost to one odd field.
pub fn take_field_or_keep<T: DeserializeOwned + Default>(
    object: &mut Map<String, Value>,
    name: &str,
) -> T {
    match remove_at(object, name) {
        None | Some(Value::Null) => T::default(),
        Some(value) => match T::deserialize(&value) {
            Ok(decoded) => decoded,
            Err(_) => {
                // A nested value of the wrong shape is kept under its pointer.
                object.insert(name.to_owned(), value);
                T::default()
            }
        },
    }
}

/// Writes ` name=code` for a classifying field that is set (part of a provider error's
/// `Display`).
pub fn write_code(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    field: &impl CatalogueField,
) -> fmt::Result {
    match field.catalogue_code() {
        Some(code) => write!(f, " {name}={code}"),
        None => Ok(()),
    }
}

/// Writes `: message` for a message that is set (part of a provider error's `Display`).
pub fn write_message(f: &mut fmt::Formatter<'_>, field: &impl MessageField) -> fmt::Result {
    match field.message() {
        Some(message) => write!(f, ": {message}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap_or_default()
    }

    #[test]
    fn a_refusal_is_found_in_the_body_or_nested_at_a_wildcard_pointer() {
        let objects = ["", "/units/*/captures/*"];
        let nested = json!({"status": "COMPLETED", "units": [
            {"captures": [{"id": "a", "status": "COMPLETED"}]},
            {"captures": [{"id": "b", "status": "DECLINED"}, {"id": "c", "status": "DECLINED"}]},
        ]});
        // (case, body, the refused object's id)
        let cases = [
            ("nested, first refused", nested, Some("b")),
            (
                "the body",
                json!({"id": "d", "status": "DECLINED"}),
                Some("d"),
            ),
            (
                "none refused",
                json!({"id": "e", "status": "COMPLETED"}),
                None,
            ),
            ("not an object", json!(["DECLINED"]), None),
        ];
        for (case, body, id) in cases {
            let found = refused_object_at(&bytes(&body), &objects, "status", &["DECLINED"]);
            let found_id = found
                .as_ref()
                .and_then(|o| o.get("id"))
                .and_then(Value::as_str);
            assert_eq!(found_id, id, "{case}");
        }
        let indexed = json!({"units": [{"captures": [{"status": "DECLINED"}]}]});
        let at_index = refused_object_at(
            &bytes(&indexed),
            &["/units/0/captures/0"],
            "status",
            &["DECLINED"],
        );
        assert!(at_index.is_some());
    }

    #[test]
    fn a_field_named_by_a_pointer_is_taken_from_inside_the_object() {
        let mut object = match json!({"processor_response": {"response_code": "5120", "avs_code": "Y"}})
        {
            Value::Object(object) => object,
            _ => Map::new(),
        };
        let code: Option<String> =
            take_field_or_keep(&mut object, "/processor_response/response_code");
        assert_eq!(code.as_deref(), Some("5120"));
        assert_eq!(
            object,
            json!({"processor_response": {"avs_code": "Y"}})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        // A value of the wrong shape is kept, under its pointer.
        let mut object = match json!({"processor_response": {"response_code": 5120}}) {
            Value::Object(object) => object,
            _ => Map::new(),
        };
        let code: Option<String> =
            take_field_or_keep(&mut object, "/processor_response/response_code");
        assert_eq!(code, None);
        assert_eq!(
            object.get("/processor_response/response_code"),
            Some(&json!(5120))
        );
    }
}
