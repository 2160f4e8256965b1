//! The catalogue form: an enum of codes, each with its class, an optional message for
//! the customer and, for declines, its provider-neutral decline category, plus the
//! `Unknown(String)` fallback.
//!
//! ```text
//! #[provider_error(code = "insufficient_funds", class = card_decline,
//!                  category = insufficient_funds,
//!                  user_message = "Your card has insufficient funds.")]
//! InsufficientFunds,
//! ```

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, DeriveInput, LitStr};

use super::attr::{Key, decline_category, error_class, misplaced, parse_keys};
use crate::diagnostics::Diagnostics;
use crate::string_enum::{emit_serde_impls, emit_string_enum_impl, parse_wire_enum};

/// What a code variant declares besides its code.
struct CodeFacts {
    class: TokenStream,
    user_message: Option<LitStr>,
    /// `::payforge::DeclineCategory::…`, for a code mapped to one.
    category: Option<TokenStream>,
}

pub(crate) fn expand_catalogue(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut facts: Vec<CodeFacts> = Vec::new();
    let catalogue = parse_wire_enum(input, "provider_error", |attr| {
        let (code, code_facts) = read_code_attribute(attr)?;
        facts.push(code_facts);
        Ok(code)
    })?;
    let ident = &catalogue.ident;
    let fallback = &catalogue.fallback.ident;
    let variants: Vec<_> = catalogue.known.iter().map(|(variant, _)| variant).collect();
    let classes = facts.iter().map(|facts| &facts.class);
    let messages = facts.iter().map(|facts| match &facts.user_message {
        Some(message) => quote!(::core::option::Option::Some(#message)),
        None => quote!(::core::option::Option::None),
    });
    let categories = facts.iter().map(|facts| match &facts.category {
        Some(category) => quote!(::core::option::Option::Some(#category)),
        None => quote!(::core::option::Option::None),
    });
    let string_enum_impl = emit_string_enum_impl(&catalogue);
    let serde_impls = emit_serde_impls(ident);
    Ok(quote! {
        #string_enum_impl
        #serde_impls
        impl ::payforge::ErrorCatalogue for #ident {
            fn class(&self) -> ::payforge::ErrorClass {
                match self {
                    #(Self::#variants => #classes,)*
                    Self::#fallback(_) => ::payforge::ErrorClass::Unknown,
                }
            }
            fn user_message(&self) -> ::core::option::Option<&'static str> {
                match self {
                    #(Self::#variants => #messages,)*
                    Self::#fallback(_) => ::core::option::Option::None,
                }
            }
            fn decline_category(&self) -> ::core::option::Option<::payforge::DeclineCategory> {
                match self {
                    #(Self::#variants => #categories,)*
                    Self::#fallback(_) => ::core::option::Option::None,
                }
            }
        }
        impl ::core::default::Default for #ident {
            /// The empty unknown code: what a missing code decodes to.
            fn default() -> Self {
                Self::#fallback(::std::string::String::new())
            }
        }
        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
    })
}

/// Reads `#[provider_error(code = "…", class = …, category = …, user_message = "…")]`,
/// reporting every mistake in it at once.
fn read_code_attribute(attr: &Attribute) -> syn::Result<(LitStr, CodeFacts)> {
    let mut diagnostics = Diagnostics::default();
    let (mut code, mut class, mut user_message, mut category) = (None, None, None, None);
    let mut class_written = false;
    for key in parse_keys(std::slice::from_ref(attr), &mut diagnostics) {
        match key.key {
            Key::Code(value) => code = Some(value),
            Key::Class(value) => {
                class_written = true;
                class = error_class(&value, &mut diagnostics);
            }
            Key::UserMessage(value) => user_message = Some(value),
            Key::Category(value) => category = decline_category(&value, &mut diagnostics),
            _ => misplaced(
                &key,
                "a catalogue code; expected `code`, `class`, `category`, `user_message`",
                &mut diagnostics,
            ),
        }
    }
    if code.is_none() {
        diagnostics.error_at(
            attr,
            "missing `code = \"…\"`: the code as the provider sends it",
        );
    }
    if !class_written {
        diagnostics.error_at(
            attr,
            "missing `class = …`: how the runtime treats this code",
        );
    }
    diagnostics.finish()?;
    match (code, class) {
        (Some(code), Some(class)) => Ok((
            code,
            CodeFacts {
                class,
                user_message,
                category,
            },
        )),
        _ => Err(syn::Error::new_spanned(attr, "incomplete code declaration")),
    }
}
