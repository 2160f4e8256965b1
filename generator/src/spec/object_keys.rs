//! The keys of operations and of the objects around their schemas (parameters, bodies,
//! responses, headers, media types): each is modelled by its struct or refused, like a
//! schema's keys ([`super::normalise`]), unless it is a vendor extension the profile lists as
//! meaningless. Checked after `$ref` resolution, on what each operation actually uses; a
//! refusal skips the operation (its [`Operation::refusal`]), never the provider.

use indexmap::IndexMap;

use super::child;
use super::document::{Document, MediaType, Operation};
use super::normalise::Refusal;

/// Checks the keys of every operation of the document's paths and webhooks, marks each
/// operation that has a refused key, and returns the refusals in document order.
pub(crate) fn check_operations(
    document: &mut Document,
    ignored_extensions: &[String],
) -> Vec<Refusal> {
    let mut all = Vec::new();
    for (root, items) in [
        ("/paths", &mut document.paths),
        ("/webhooks", &mut document.webhooks),
    ] {
        for (key, item) in items.iter_mut() {
            let item_pointer = child(root, key);
            for (method, operation) in item.operations_mut() {
                let pointer = child(&item_pointer, method);
                let mut check = Check {
                    ignored_extensions,
                    refusals: Vec::new(),
                };
                check.operation(operation, &pointer);
                if let Some(first) = check.refusals.first() {
                    operation.refusal = Some(format!("{} (at {})", first.reason, first.pointer));
                }
                all.extend(check.refusals);
            }
        }
    }
    all
}

/// The refusals found in one operation.
struct Check<'p> {
    ignored_extensions: &'p [String],
    refusals: Vec<Refusal>,
}

impl Check<'_> {
    /// The operation's own keys and those of the objects it holds.
    fn operation(&mut self, operation: &Operation, pointer: &str) {
        self.keys(operation.other.keys(), "an operation", pointer);
        for (index, parameter) in operation.parameters.iter().enumerate() {
            let pointer = format!("{pointer}/parameters/{index}");
            self.keys(parameter.other.keys(), "a parameter", &pointer);
        }
        if let Some(body) = &operation.request_body {
            let pointer = child(pointer, "requestBody");
            self.keys(body.other.keys(), "a request body", &pointer);
            self.content(&body.content, &pointer);
        }
        for (status, response) in &operation.responses {
            let pointer = child(&child(pointer, "responses"), status);
            self.keys(response.other.keys(), "a response", &pointer);
            for (name, header) in &response.headers {
                let pointer = child(&child(&pointer, "headers"), name);
                self.keys(header.other.keys(), "a header", &pointer);
            }
            self.content(&response.content, &pointer);
        }
    }

    /// The keys of each media type of a `content` map.
    fn content(&mut self, content: &IndexMap<String, MediaType>, pointer: &str) {
        for (media, body) in content {
            let pointer = child(&child(pointer, "content"), media);
            self.keys(body.other.keys(), "a media type", &pointer);
        }
    }

    /// Refuses each unmodelled key of an object at `pointer`, unless the profile ignores it.
    fn keys<'k>(&mut self, keys: impl Iterator<Item = &'k String>, object: &str, pointer: &str) {
        for key in keys {
            if self.ignored_extensions.iter().any(|ignored| ignored == key) {
                continue;
            }
            let reason = if key.starts_with("x-") {
                format!(
                    "`{key}`: a vendor extension the profile does not list in `[spec] ignored_extensions`"
                )
            } else {
                format!("`{key}`: not a key of {object} payforge knows")
            };
            self.refusals.push(Refusal {
                pointer: child(pointer, key),
                reason,
            });
        }
    }
}
