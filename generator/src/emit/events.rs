//! Webhook events -> the `EventObject` enum (docs/generated-code.md, "Webhook events").

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, type_tokens};
use crate::ir::Ir;

/// The name of the generated event payload enum.
pub const EVENT_OBJECT: &str = "EventObject";

/// `EventObject`, one variant per event type plus `Unknown`.
pub fn declare(ir: &Ir) -> TokenStream {
    let name = ident(EVENT_OBJECT);
    let variants = ir.events.values().map(|event| {
        let variant = ident(&event.variant);
        let wire = &event.event_type;
        let ty = type_tokens(ir, &event.object);
        let doc = format!(" `{wire}`");
        quote! {
            #[doc = #doc]
            #[event(#wire)]
            #variant(#ty),
        }
    });
    let doc = format!(
        " The typed `data.object` of a {} webhook event, by event type.",
        ir.profile.provider.display_name
    );
    // pub enum EventObject { #[event("payment_intent.succeeded")] PaymentIntentSucceeded(crate::PaymentIntent), .., Unknown { .. } }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::payforge::WebhookEvent)]
        pub enum #name {
            #(#variants)*
            /// An event type this SDK version does not know: the raw `data.object`.
            #[event(unknown)]
            Unknown {
                /// The event type as received.
                event_type: ::std::string::String,
                /// The raw `data.object`.
                object: ::serde_json::Value,
            },
        }
    }
}
