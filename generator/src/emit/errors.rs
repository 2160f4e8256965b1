//! The error catalogue -> the `errors` module: catalogue enums and the envelope enum
//! (docs/generated-code.md, "Errors").

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::ident;
use crate::ir::ErrorModel;
use crate::ir::error_facts::RecordModel;
use crate::ir::errors::{CatalogueEnum, ErrorField, ErrorVariant, RefusalVariant};
use crate::spec::catalogue::FieldKind;

/// The items of the errors module.
pub fn declare(model: &ErrorModel) -> TokenStream {
    let catalogues = model.catalogues.iter().map(catalogue);
    let records = model.records.iter().map(record);
    let envelope = envelope(model);
    quote! { #(#catalogues)* #(#records)* #envelope }
}

fn catalogue(catalogue: &CatalogueEnum) -> TokenStream {
    let name = ident(&catalogue.name);
    let doc = doc_attrs(Some(&catalogue.doc));
    let variants = catalogue.entries.iter().map(|entry| {
        let variant = ident(&entry.variant);
        let doc = doc_attrs(Some(&entry.doc));
        let code = &entry.code;
        let class = ident(&entry.class);
        let category = entry.category.as_ref().map(|category| {
            let category = ident(category);
            quote! { , category = #category }
        });
        let message = entry
            .user_message
            .as_ref()
            .map(|m| quote! { , user_message = #m });
        quote! {
            #doc
            #[provider_error(code = #code, class = #class #category #message)]
            #variant,
        }
    });
    // pub enum DeclineCode { #[provider_error(code = "...", class = card_decline, category = insufficient_funds)] InsufficientFunds, ..., Unknown(String) }
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
    let tag = &model.tag;
    let placement = match &model.wrapper {
        Some(wrapper) => quote! { envelope = #wrapper },
        None => quote! { top_level },
    };
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
    let refusal = model.refusal.as_ref().map(refusal);
    let unknown_fields = fields(model, None);
    // pub enum StripeError { #[provider_error(tag = "card_error", class = card_decline)] Card { code: ErrorCode, .. }, .., Unknown { tag: String, .. } }
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, ::payforge::ProviderError)]
        #[provider_error(#placement, tag = #tag)]
        pub enum #name {
            #(#variants)*
            #refusal
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

/// The refusal variant: its fields, none of them required but the result.
///
/// ```text
/// /// A payment refused in a success response: `resultCode` is `Refused`.
/// #[provider_error(result = "resultCode", refused = ["Refused"], class = card_decline)]
/// Refused { #[provider_error(rename = "resultCode")] result_code: ResultCode, …, details: Map<…> },
/// ```
fn refusal(refusal: &RefusalVariant) -> TokenStream {
    let name = ident(&refusal.variant);
    let (result, refused) = (&refusal.result_field, &refusal.refused);
    let objects = &refusal.objects;
    let at = (!objects.is_empty()).then(|| quote! { , at = [#(#objects),*] });
    let statuses: Vec<_> = refusal
        .statuses
        .iter()
        .map(|status| proc_macro2::Literal::u16_unsuffixed(*status))
        .collect();
    let statuses = (!statuses.is_empty()).then(|| quote! { , statuses = [#(#statuses),*] });
    let listed = refused
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    let doc = doc_attrs(Some(&format!(
        "A payment refused in a success response: `{result}` is {listed}. Decoded by the \
         client instead of the operation's output; `decline()` gives its category."
    )));
    let fields = refusal
        .fields
        .iter()
        .map(|field| field_tokens(field, field.wire_name == refusal.result_field));
    quote! {
        #doc
        #[provider_error(result = #result, refused = [#(#refused),*] #at #statuses, class = card_decline)]
        #name {
            #(#fields)*
            /// Every other field of the response, kept as received.
            #[provider_error(rest)]
            details: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        },
    }
}

/// One field with its role attributes; `required` fields are not wrapped in `Option`.
fn field_tokens(field: &ErrorField, required: bool) -> TokenStream {
    let name = ident(&field.rust_name);
    let doc = doc_attrs(Some(&field.doc));
    // Roles, then the wire name when it differs; see docs/generated-code.md, "Envelope
    // rules". The message role is implied for a field named `message`.
    let mut keys = Vec::new();
    let role = field.role;
    if role.classify {
        keys.push(quote! { classify });
    }
    if role.decline {
        keys.push(quote! { decline });
    }
    if role.message && field.wire_name != "message" {
        keys.push(quote! { message });
    }
    if role.reference {
        keys.push(quote! { reference });
    }
    if let Some((code, catalogue)) = &field.detail_code {
        let (code, catalogue) = (ident(code), ident(catalogue));
        keys.push(quote! { detail_code(#code: #catalogue) });
    }
    if field.rust_name != field.wire_name {
        let wire = &field.wire_name;
        keys.push(quote! { rename = #wire });
    }
    let attr = (!keys.is_empty()).then(|| quote! { #[provider_error(#(#keys),*)] });
    // A list is never optional: a missing list is empty.
    let ty = match &field.item {
        Some(item) => {
            let item = ident(item);
            quote! { ::std::vec::Vec<#item> }
        }
        None if required => field_type(field),
        None => {
            let ty = field_type(field);
            quote! { ::core::option::Option<#ty> }
        }
    };
    quote! { #doc #attr #name: #ty, }
}

/// The type of a field that is not a list, without `Option`.
fn field_type(field: &ErrorField) -> TokenStream {
    match (&field.catalogue, field.kind) {
        (Some(catalogue), _) => {
            let catalogue = ident(catalogue);
            quote! { #catalogue }
        }
        (None, FieldKind::String | FieldKind::List) => quote! { ::std::string::String },
        (None, FieldKind::Integer) => quote! { i64 },
        (None, FieldKind::Json) => quote! { ::serde_json::Value },
    }
}

/// A record held in a list field of the error object: a plain serde struct, every field
/// optional, the rest kept.
///
/// ```text
/// pub struct ErrorDetail { pub field: Option<String>, …, pub issue: Option<Issue>, pub rest: Map<…> }
/// ```
fn record(record: &RecordModel) -> TokenStream {
    let name = ident(&record.name);
    let doc = doc_attrs(Some(&record.doc));
    let fields = record.fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        let doc = doc_attrs(Some(&field.doc));
        let ty = field_type(field);
        let rename = (field.rust_name != field.wire_name).then(|| {
            let wire = &field.wire_name;
            quote! { #[serde(rename = #wire)] }
        });
        quote! {
            #doc
            #rename
            #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
            pub #name: ::core::option::Option<#ty>,
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            /// Every other field, kept as received.
            #[serde(flatten)]
            pub rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }
    }
}

/// The common fields of a variant (`None`: the unknown variant), then the rest of the object.
fn fields(model: &ErrorModel, variant: Option<&ErrorVariant>) -> TokenStream {
    let fields = model.fields.iter().map(|field| {
        let required = variant.is_some_and(|v| v.required.contains(&field.wire_name));
        field_tokens(field, required)
    });
    // The rest map is `details`, or `rest` when the error object has a field of that name
    // (PayPal's list of details).
    let rest = if model
        .fields
        .iter()
        .any(|field| field.rust_name == "details")
    {
        ident("rest")
    } else {
        ident("details")
    };
    quote! {
        #(#fields)*
        /// Every other field of the error object, kept for debugging.
        #[provider_error(rest)]
        #rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
    }
}
