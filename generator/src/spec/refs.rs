//! Resolution of `$ref`s to shared parameters, request bodies, responses, headers and
//! examples (`#/components/<kind>/<name>`): each use site gets a copy of the component, so
//! the IR never follows these references. A reference object's own `description` (3.1)
//! overrides the component's at that site.
//!
//! A path item's parameters are inherited by each of its operations that does not declare
//! its own parameter of the same name and location.
//!
//! References to component *schemas* stay references: they name types, which the IR
//! declares once. A reference that cannot be resolved (to another file, or to a missing
//! component) is left in place; the IR skips the operation that holds it, with the
//! reference as the reason.

use indexmap::IndexMap;

use super::document::{
    Components, Document, Example, Header, MediaType, Operation, Parameter, PathItem, RequestBody,
    Response,
};
use super::unescape_pointer_token;

/// How many references may chain (a shared response naming another) before giving up.
const MAX_CHAIN: usize = 8;

/// An object that may be a `$ref` to a component of one kind.
trait Referable: Clone {
    /// The component kind in `#/components/<kind>/<name>`.
    const KIND: &'static str;
    /// The reference, if this object is one.
    fn reference(&self) -> Option<&str>;
    /// The object's description slot, if the kind has one.
    fn description(&mut self) -> Option<&mut Option<String>>;
}

macro_rules! referable {
    ($($ty:ty => $kind:literal, $description:expr;)*) => {$(
        impl Referable for $ty {
            const KIND: &'static str = $kind;
            fn reference(&self) -> Option<&str> {
                self.reference.as_deref()
            }
            fn description(&mut self) -> Option<&mut Option<String>> {
                let description: fn(&mut Self) -> Option<&mut Option<String>> = $description;
                description(self)
            }
        }
    )*};
}

referable! {
    Parameter => "parameters", |p| Some(&mut p.description);
    RequestBody => "requestBodies", |_| None;
    Response => "responses", |r| Some(&mut r.description);
    Header => "headers", |h| Some(&mut h.description);
    Example => "examples", |e| Some(&mut e.description);
}

/// Replaces `item`, while it is a resolvable reference, by a copy of the component it names.
fn resolve<T: Referable>(item: &mut T, components: &IndexMap<String, T>) {
    for _ in 0..MAX_CHAIN {
        let Some(reference) = item.reference() else {
            return;
        };
        let prefix = format!("#/components/{}/", T::KIND);
        let Some(target) = reference
            .strip_prefix(&prefix)
            .and_then(|name| components.get(unescape_pointer_token(name).as_str()))
        else {
            return;
        };
        let description = item.description().and_then(Option::take);
        *item = target.clone();
        if let (Some(description), Some(slot)) = (description, item.description()) {
            *slot = Some(description);
        }
    }
}

/// Resolves every shared-object reference of the document's paths and webhooks.
pub(crate) fn resolve_document(document: &mut Document) {
    let components = std::mem::take(&mut document.components);
    for item in document
        .paths
        .values_mut()
        .chain(document.webhooks.values_mut())
    {
        path_item(item, &components);
    }
    document.components = components;
}

/// The references of one path item and its operations. The path item's own parameters are
/// then copied into each operation that does not declare a parameter of the same name and
/// location (OpenAPI's inheritance rule), so the IR reads operations only.
fn path_item(item: &mut PathItem, components: &Components) {
    for parameter in &mut item.parameters {
        resolve(parameter, &components.parameters);
    }
    let inherited = item.parameters.clone();
    for (_, operation) in item.operations_mut() {
        self::operation(operation, components);
        let own: Vec<(String, String)> = operation
            .parameters
            .iter()
            .map(|p| (p.name.clone(), p.location.clone()))
            .collect();
        let missing = inherited.iter().filter(|p| {
            p.reference.is_some() || !own.contains(&(p.name.clone(), p.location.clone()))
        });
        // After the operation's own, so their indices (and error pointers) stay as written.
        let missing: Vec<Parameter> = missing.cloned().collect();
        operation.parameters.extend(missing);
    }
}

/// The references of one operation.
fn operation(operation: &mut Operation, components: &Components) {
    for parameter in &mut operation.parameters {
        resolve(parameter, &components.parameters);
    }
    if let Some(body) = &mut operation.request_body {
        resolve(body, &components.request_bodies);
        content(&mut body.content, components);
    }
    for response in operation.responses.values_mut() {
        resolve(response, &components.responses);
        for header in response.headers.values_mut() {
            resolve(header, &components.headers);
        }
        content(&mut response.content, components);
    }
}

/// The example references of a `content` map.
fn content(content: &mut IndexMap<String, MediaType>, components: &Components) {
    for media in content.values_mut() {
        for example in media.examples.values_mut() {
            resolve(example, &components.examples);
        }
    }
}
