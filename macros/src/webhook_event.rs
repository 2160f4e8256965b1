//! `#[derive(WebhookEvent)]`: an enum of event types, each carrying its typed
//! `data.object`, implements `payforge::webhook::EventPayload`.
//!
//! ```text
//! enum EventObject {
//!     #[event("payment_intent.succeeded")] PaymentIntentSucceeded(PaymentIntent),
//!     #[event(unknown)] Unknown { event_type: String, object: serde_json::Value },
//! }
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, Variant};

use crate::diagnostics::Diagnostics;
use crate::string_enum::check_no_generics;

mod kw {
    syn::custom_keyword!(unknown);
}

/// What one `#[event(...)]` says.
enum EventAttribute {
    /// `#[event("payment_intent.succeeded")]`.
    Type(LitStr),
    /// `#[event(unknown)]`.
    Unknown,
}

impl Parse for EventAttribute {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(LitStr) {
            Ok(Self::Type(input.parse()?))
        } else if lookahead.peek(kw::unknown) {
            input.parse::<kw::unknown>()?;
            Ok(Self::Unknown)
        } else {
            Err(lookahead.error())
        }
    }
}

/// A known event type and the variant carrying its object.
struct KnownEvent {
    event_type: LitStr,
    variant: Ident,
    object: Type,
}

/// Expands `#[derive(WebhookEvent)]`.
pub(crate) fn expand_webhook_event(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let mut diagnostics = Diagnostics::default();
    check_no_generics(&input, &mut diagnostics);
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`WebhookEvent` applies to an enum with one variant per event type",
        ));
    };
    let mut known: Vec<KnownEvent> = Vec::new();
    let mut unknown: Option<Ident> = None;
    for variant in &data.variants {
        match read_variant(variant, &mut diagnostics) {
            Some(EventVariant::Known(event)) => {
                check_unique_type(&known, &event, &mut diagnostics);
                known.push(*event);
            }
            Some(EventVariant::Unknown) if unknown.is_some() => diagnostics.error_at(
                &variant.ident,
                "only one variant can be `#[event(unknown)]`",
            ),
            Some(EventVariant::Unknown) => unknown = Some(variant.ident.clone()),
            None => {}
        }
    }
    if unknown.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing the `#[event(unknown)] Unknown { event_type: String, object: serde_json::Value }` \
             variant for event types this SDK does not know",
        );
    }
    diagnostics.finish()?;
    let unknown =
        unknown.ok_or_else(|| syn::Error::new_spanned(&input.ident, "no unknown variant"))?;
    Ok(emit(&input.ident, &known, &unknown))
}

enum EventVariant {
    Known(Box<KnownEvent>),
    Unknown,
}

fn read_variant(variant: &Variant, diagnostics: &mut Diagnostics) -> Option<EventVariant> {
    let mut attrs = variant
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("event"));
    let Some(attr) = attrs.next() else {
        diagnostics.error_at(
            &variant.ident,
            "missing `#[event(\"type.name\")]` (or `#[event(unknown)]`) on this variant",
        );
        return None;
    };
    for duplicate in attrs {
        diagnostics.error_at(duplicate, "duplicate `#[event]` attribute");
    }
    match diagnostics.capture(attr.parse_args::<EventAttribute>())? {
        EventAttribute::Type(event_type) => match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                Some(EventVariant::Known(Box::new(KnownEvent {
                    event_type,
                    variant: variant.ident.clone(),
                    object: fields.unnamed[0].ty.clone(),
                })))
            }
            _ => {
                diagnostics.error_at(
                    &variant.fields,
                    "an event variant carries exactly its object: `Name(ObjectType)`",
                );
                None
            }
        },
        EventAttribute::Unknown => {
            check_unknown_fields(variant, diagnostics);
            Some(EventVariant::Unknown)
        }
    }
}

/// The unknown variant keeps the type and the raw object, under fixed names.
fn check_unknown_fields(variant: &Variant, diagnostics: &mut Diagnostics) {
    let names: Vec<String> = match &variant.fields {
        Fields::Named(named) => named
            .named
            .iter()
            .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if names != ["event_type", "object"] {
        diagnostics.error_at(
            variant,
            "the unknown variant is `Unknown { event_type: String, object: serde_json::Value }`",
        );
    }
}

fn check_unique_type(known: &[KnownEvent], event: &KnownEvent, diagnostics: &mut Diagnostics) {
    if let Some(earlier) = known
        .iter()
        .find(|seen| seen.event_type.value() == event.event_type.value())
    {
        diagnostics.error_at(
            &event.event_type,
            format!(
                "the event type {:?} is already carried by `{}`",
                event.event_type.value(),
                earlier.variant
            ),
        );
    }
}

/// The `EventPayload` impl: one `match` arm per type decoding its object, the unknown
/// variant keeping anything else raw.
fn emit(ident: &Ident, known: &[KnownEvent], unknown: &Ident) -> TokenStream {
    let types: Vec<&LitStr> = known.iter().map(|event| &event.event_type).collect();
    let variants: Vec<&Ident> = known.iter().map(|event| &event.variant).collect();
    // Spanned at the object type: a type that is not `DeserializeOwned` is reported there.
    let decodes = known.iter().map(|event| {
        let (variant, object) = (&event.variant, &event.object);
        quote_spanned! {object.span()=>
            ::payforge::__private::serde_json::from_value::<#object>(object).map(Self::#variant)
        }
    });
    quote! {
        impl ::payforge::webhook::EventPayload for #ident {
            fn decode(
                event_type: &str,
                object: ::payforge::__private::serde_json::Value,
            ) -> ::core::result::Result<Self, ::payforge::__private::serde_json::Error> {
                match event_type {
                    #(#types => #decodes,)*
                    _ => ::core::result::Result::Ok(Self::#unknown {
                        event_type: ::std::borrow::ToOwned::to_owned(event_type),
                        object,
                    }),
                }
            }
            fn event_type(&self) -> &str {
                match self {
                    #(Self::#variants(_) => #types,)*
                    Self::#unknown { event_type, .. } => event_type,
                }
            }
            fn known_types() -> &'static [&'static str] {
                &[#(#types),*]
            }
        }
    }
}
