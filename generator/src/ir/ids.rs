//! Typed ids (docs/generated-code.md, "Typed ids"): every object with a string `id` and a
//! constant `object` has an id newtype named after that constant (`customer` ->
//! `CustomerId`, shared by `deleted_customer`, whose `object` is also `customer`). The pass
//! types the object's own `id` field, the path parameters that address a resource and the
//! top-level request parameters named after one. `Expandable<T>` holds `T::Id` by itself.

use std::collections::BTreeMap;

use super::names::type_name;
use super::operations::{Operation, ParamLocation};
use super::types::{Scalar, TypeDef, TypeId, TypeKind, TypeRef};
use crate::spec::profile::OperationRules;

/// Types the ids; returns every id type, by Rust name, with the object constant it names.
pub(super) fn typed_ids(
    types: &mut BTreeMap<TypeId, TypeDef>,
    operations: &mut [Operation],
    rules: &OperationRules,
) -> BTreeMap<String, String> {
    let taken: Vec<String> = types.values().map(|def| def.name.clone()).collect();
    // Object constant -> id type name.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for def in types.values_mut() {
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        let Some(constant) = s.object_const.clone() else {
            continue;
        };
        let Some(field) = s.fields.iter_mut().find(|f| f.wire_name == "id") else {
            continue;
        };
        if field.ty != TypeRef::Scalar(Scalar::String) {
            continue;
        }
        let mut name = format!("{}Id", type_name(&constant));
        // A schema of the same name keeps it; the id takes a suffix that cannot collide.
        if taken.contains(&name) {
            name = format!("{}ObjectId", type_name(&constant));
        }
        field.ty = TypeRef::Id(name.clone());
        ids.insert(constant, name);
    }
    for op in operations.iter_mut() {
        let path = op.path.clone();
        for param in &mut op.params {
            if param.ty != TypeRef::Scalar(Scalar::String) {
                continue;
            }
            let name = match param.location {
                ParamLocation::Path => {
                    path_param_id(&ids, &path, &param.wire_name, rules.prefix_of(&path))
                }
                ParamLocation::Query | ParamLocation::Body => ids.get(&param.wire_name).cloned(),
                ParamLocation::Header | ParamLocation::WholeBody => None,
            };
            if let Some(name) = name {
                param.ty = TypeRef::Id(name);
            }
        }
    }
    ids.into_iter()
        .map(|(constant, name)| (name, constant))
        .collect()
}

/// The id type of a path parameter: the resource whose collection segments (its object
/// constant pluralised, dots as slashes) come right before `{param}`, when the parameter
/// is the path's first (`/v1/payment_intents/{intent}`, `/v1/issuing/cards/{card}`) or is
/// named after that resource (`/v1/charges/{charge}/refunds/{refund}`). The longest
/// constant wins, so an issuing card is no card. Other parameters stay strings.
fn path_param_id(
    ids: &BTreeMap<String, String>,
    path: &str,
    param: &str,
    path_prefix: &str,
) -> Option<String> {
    let rest = path.strip_prefix(path_prefix).unwrap_or(path);
    let before = &rest[..rest.find(&format!("/{{{param}}}"))?];
    let first = !before.contains('{');
    ids.iter()
        .filter(|(constant, _)| {
            let collection = plural(&constant.replace('.', "/"));
            let at_boundary = before == collection || before.ends_with(&format!("/{collection}"));
            let last_word = constant.rsplit('.').next().unwrap_or(constant);
            at_boundary && (first || last_word == param)
        })
        .max_by_key(|(constant, _)| constant.len())
        .map(|(_, name)| name.clone())
}

/// An English plural of a collection name: `customer` -> `customers`, `tax_rate` ->
/// `tax_rates`, `capability` -> `capabilities`, `address` -> `addresses`.
fn plural(word: &str) -> String {
    if let Some(stem) = word.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if word.ends_with(['s', 'x']) || word.ends_with("ch") || word.ends_with("sh") {
        return format!("{word}es");
    }
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> BTreeMap<String, String> {
        [
            ("customer", "CustomerId"),
            ("charge", "ChargeId"),
            ("refund", "RefundId"),
            ("card", "CardId"),
            ("issuing.card", "IssuingCardId"),
            ("capability", "CapabilityId"),
            ("payment_intent", "PaymentIntentId"),
            ("subscription", "SubscriptionId"),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_owned(), n.to_owned()))
        .collect()
    }

    #[test]
    fn a_path_parameter_is_typed_by_the_collection_before_it() {
        let cases = [
            (
                "/v1/payment_intents/{intent}",
                "intent",
                Some("PaymentIntentId"),
            ),
            (
                "/v1/payment_intents/{intent}/confirm",
                "intent",
                Some("PaymentIntentId"),
            ),
            (
                "/v1/subscriptions/{subscription_exposed_id}",
                "subscription_exposed_id",
                Some("SubscriptionId"),
            ),
            ("/v1/issuing/cards/{card}", "card", Some("IssuingCardId")),
            (
                "/v1/test_helpers/issuing/cards/{card}/shipping/deliver",
                "card",
                Some("IssuingCardId"),
            ),
            (
                "/v1/charges/{charge}/refunds/{refund}",
                "refund",
                Some("RefundId"),
            ),
            (
                "/v1/charges/{charge}/refunds/{refund}",
                "charge",
                Some("ChargeId"),
            ),
            (
                "/v1/accounts/{account}/capabilities/{capability}",
                "capability",
                Some("CapabilityId"),
            ),
            // A nested `{id}` could be any kind of refund: it stays a string.
            ("/v1/application_fees/{id}/refunds/{id2}", "id2", None),
            ("/v1/customers/{customer}/sources/{id}", "id", None),
            (
                "/v1/customers/{customer}/sources/{id}",
                "customer",
                Some("CustomerId"),
            ),
        ];
        for (path, param, expected) in cases {
            assert_eq!(
                path_param_id(&ids(), path, param, "/v1/").as_deref(),
                expected,
                "{path} {{{param}}}"
            );
        }
    }
}
