//! The error catalogue -> the `errors` module: catalogue enums and the envelope enum
//! (docs/generated-code.md, "Errors").

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::ident;
use crate::ir::ErrorModel;
use crate::ir::errors::{CatalogueEnum, ErrorVariant};

/// The items of the errors module.
pub fn declare(model: &ErrorModel) -> TokenStream {
    let catalogues = model.catalogues.iter().map(catalogue);
    let envelope = envelope(model);
    quote! { #(#catalogues)* #envelope }
}

fn catalogue(catalogue: &CatalogueEnum) -> TokenStream {
    let name = ident(&catalogue.name);
    let doc = doc_attrs(Some(&catalogue.doc));
    let variants = catalogue.entries.iter().map(|entry| {
        let variant = ident(&entry.variant);
        let doc = doc_attrs(Some(&entry.doc));
        let code = &entry.code;
        let class = ident(&entry.class);
        let message = entry
            .user_message
            .as_ref()
            .map(|m| quote! { , user_message = #m });
        quote! {
            #doc
            #[provider_error(code = #code, class = #class #message)]
            #variant,
        }
    });
    // pub enum DeclineCode { #[provider_error(code = "...", class = card_decline)] InsufficientFunds, ..., Unknown(String) }
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::payforge::ProviderError)]
        pub enum #name {
            #(#variants)*
            /// A code this SDK version does not know yet, kept as received.
            Unknown(::std::string::String),
        }
    }
}

fn envelope(model: &ErrorModel) -> TokenStream {
    let name = ident(&model.envelope_name);
    let doc = doc_attrs(Some(&model.doc));
    let wrapper = &model.wrapper;
    let tag = &model.tag;
    let variants = model.variants.iter().map(|variant| {
        let doc = doc_attrs(Some(&variant.doc));
        let variant_name = ident(&variant.variant);
        let tag = &variant.tag;
        let class = ident(&variant.class);
        let fields = fields(model, Some(variant));
        quote! {
            #doc
            #[provider_error(tag = #tag, class = #class)]
            #variant_name { #fields },
        }
    });
    let unknown_fields = fields(model, None);
    // pub enum StripeError { #[provider_error(tag = "card_error", class = card_decline)] Card { code: ErrorCode, .. }, .., Unknown { tag: String, .. } }
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, ::payforge::ProviderError)]
        #[provider_error(envelope = #wrapper, tag = #tag)]
        pub enum #name {
            #(#variants)*
            /// An error type this SDK version does not know.
            #[provider_error(unknown)]
            Unknown {
                /// The error type as received.
                tag: ::std::string::String,
                #unknown_fields
            },
        }
    }
}

/// The common fields of a variant (`None`: the unknown variant), then the rest of the object.
fn fields(model: &ErrorModel, variant: Option<&ErrorVariant>) -> TokenStream {
    let fields = model.fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        let doc = doc_attrs(Some(&field.doc));
        // Catalogue-typed fields refine the variant's class (`classify`); see
        // docs/generated-code.md, "Envelope rules".
        let classify = field.catalogue.is_some().then(|| quote! { classify });
        let rename = (field.rust_name != field.wire_name).then(|| {
            let wire = &field.wire_name;
            quote! { rename = #wire }
        });
        let attr = match (classify, rename) {
            (None, None) => TokenStream::new(),
            (Some(c), None) => quote! { #[provider_error(#c)] },
            (None, Some(r)) => quote! { #[provider_error(#r)] },
            (Some(c), Some(r)) => quote! { #[provider_error(#c, #r)] },
        };
        let ty = match &field.catalogue {
            Some(catalogue) => {
                let catalogue = ident(catalogue);
                quote! { #catalogue }
            }
            None => quote! { ::std::string::String },
        };
        let required = variant.is_some_and(|v| v.required.contains(&field.wire_name));
        let ty = if required {
            ty
        } else {
            quote! { ::core::option::Option<#ty> }
        };
        quote! { #doc #attr #name: #ty, }
    });
    quote! {
        #(#fields)*
        /// Every other field of the error object, kept for debugging.
        #[provider_error(rest)]
        details: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
    }
}
