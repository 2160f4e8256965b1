//! Webhook events -> the `EventObject` enum, and for providers whose event types come from
//! a `webhooks:` map, the `EventCode` enum; for providers whose profile lists them, the
//! `EventType` enum (docs/generated-code.md, "Webhook events").

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, type_tokens};
use crate::ir::Ir;
use crate::ir::events::{UNKNOWN_VARIANT, listed_event_types};
use crate::spec::profile::EventSource;

/// The name of the generated event payload enum.
pub const EVENT_OBJECT: &str = "EventObject";

/// The name of the generated event-code enum (the `webhooks_map` convention only).
pub const EVENT_CODE: &str = "EventCode";

/// The names the generated event-type enum takes (the `profile` convention only): the
/// first that no declared type has (PayPal's Webhooks Management API has an `event_type`
/// schema, so its enum is `WebhookEventType`).
pub const EVENT_TYPE_NAMES: [&str; 2] = ["EventType", "WebhookEventType"];

/// The name of the event-type enum of `ir`: the first of [`EVENT_TYPE_NAMES`] free.
pub fn event_type_name(ir: &Ir) -> &'static str {
    let taken = |name: &str| ir.types.values().any(|def| def.name == name);
    EVENT_TYPE_NAMES
        .into_iter()
        .find(|name| !taken(name))
        .unwrap_or(EVENT_TYPE_NAMES[1])
}

/// `EventObject`, one variant per event type (per resource type under the `profile`
/// convention) plus `Unknown`; and `EventCode` where the profile's event source is the
/// `webhooks:` map, `EventType` where it is the profile.
pub fn declare(ir: &Ir) -> TokenStream {
    let name = ident(EVENT_OBJECT);
    let variants = ir.events.values().map(|event| {
        let variant = ident(&event.variant);
        let wire = &event.event_type;
        let ty = type_tokens(ir, &event.object);
        let doc = match &event.summary {
            Some(summary) => format!(" `{wire}`: {summary}"),
            None => format!(" `{wire}`"),
        };
        quote! {
            #[doc = #doc]
            #[event(#wire)]
            #variant(#ty),
        }
    });
    let payload = payload_words(ir);
    let provider = &ir.profile.provider.display_name;
    let key = match ir.profile.events.source {
        EventSource::Profile => "resource type",
        EventSource::TypeEnum | EventSource::WebhooksMap => "event type",
    };
    let doc = format!(
        " The typed {payload} of {} {provider} webhook event, by {key}.",
        article(provider)
    );
    let unknown_doc = format!(
        " {} {key} this SDK version does not know: the raw {payload}.",
        capitalised(article(key))
    );
    let raw_doc = format!(" The raw {payload}.");
    let kept_doc = format!(" The {key} as received.");
    let codes = match ir.profile.events.source {
        EventSource::TypeEnum => TokenStream::new(),
        EventSource::WebhooksMap => event_codes(ir),
        EventSource::Profile => event_types(ir),
    };
    // pub enum EventObject { #[event("payment_intent.succeeded")] PaymentIntentSucceeded(crate::PaymentIntent), .., Unknown { .. } }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::payforge::WebhookEvent)]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            #[event(unknown)]
            Unknown {
                #[doc = #kept_doc]
                event_type: ::std::string::String,
                #[doc = #raw_doc]
                object: ::serde_json::Value,
            },
        }
        #codes
    }
}

/// The indefinite article before `word` as spoken ("an Adyen", "a Stripe"), by its first letter.
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `word` with its first letter in upper case.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// What the payload of an event is, in the enum's docs: `type_enum` events carry their
/// object in `data.object`; a `webhooks:` map's events are the webhook's request body.
fn payload_words(ir: &Ir) -> &'static str {
    match ir.profile.events.source {
        EventSource::TypeEnum => "`data.object`",
        EventSource::WebhooksMap => "payload",
        EventSource::Profile => "`resource`",
    }
}

/// `EventType` (or `WebhookEventType`, [`event_type_name`]): every event type
/// `[events.types]` lists, and `Unknown(String)`.
fn event_types(ir: &Ir) -> TokenStream {
    let name = ident(event_type_name(ir));
    let unknown = ident(UNKNOWN_VARIANT);
    let variants = listed_event_types(&ir.profile.events)
        .into_iter()
        .map(|listed| {
            let variant = ident(&listed.variant);
            let wire = &listed.event_type;
            let doc = match listed.description.trim() {
                "" => format!(" `{wire}`"),
                description => format!(" `{wire}`: {description}"),
            };
            quote! {
                #[doc = #doc]
                #[wire(#wire)]
                #variant,
            }
        });
    let provider = &ir.profile.provider.display_name;
    let doc = format!(
        " The type of {} {provider} webhook event, as the provider profile lists them.",
        article(provider)
    );
    // pub enum EventType { #[wire("CHECKOUT.ORDER.APPROVED")] CheckoutOrderApproved, .., Unknown(String) }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::payforge::StringEnum)]
        pub enum #name {
            #(#variants)*
            /// A type this SDK version does not know yet, kept as received.
            #unknown(::std::string::String),
        }
    }
}

/// `EventCode`: every event code of the `webhooks:` map, and `Unknown(String)`.
fn event_codes(ir: &Ir) -> TokenStream {
    let name = ident(EVENT_CODE);
    let unknown = ident(UNKNOWN_VARIANT);
    let variants = ir.events.values().map(|event| {
        let variant = ident(&event.variant);
        let wire = &event.event_type;
        let doc = format!(" `{wire}`");
        quote! {
            #[doc = #doc]
            #[wire(#wire)]
            #variant,
        }
    });
    let provider = &ir.profile.provider.display_name;
    let doc = format!(
        " The code of {} {provider} webhook event, as the spec's `webhooks:` map lists them.",
        article(provider)
    );
    // pub enum EventCode { #[wire("AUTHORISATION")] Authorisation, .., Unknown(String) }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::payforge::StringEnum)]
        pub enum #name {
            #(#variants)*
            /// A code this SDK version does not know yet, kept as received.
            #unknown(::std::string::String),
        }
    }
}
