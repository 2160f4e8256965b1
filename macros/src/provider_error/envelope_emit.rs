//! The impls of the envelope form: `ApiError` (decoding, class, decline view, reference),
//! `Display` and `std::error::Error`. Every decoding step is a runtime helper in
//! `::payforge::catalogue`; what is written here is the per-variant tables.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::envelope::{ErrorEnvelope, ErrorField, ErrorVariant, Placement};

pub(super) fn emit_envelope(envelope: &ErrorEnvelope) -> TokenStream {
    let from_response = emit_from_response(envelope);
    let from_refusal = emit_from_refusal(envelope);
    let class = emit_class(envelope);
    let decline = emit_decline(envelope);
    let reference = emit_reference(envelope);
    let display = emit_display(envelope);
    let accessor = emit_detail_code_accessor(envelope);
    let ident = &envelope.ident;
    quote! {
        #accessor
        impl ::payforge::ApiError for #ident {
            #from_response
            #class
            #from_refusal
            #decline
            #reference
        }
        impl ::core::fmt::Display for #ident {
            #display
        }
        impl ::std::error::Error for #ident {}
    }
}

/// `from_response`: take the error object (under the envelope, or the body itself), read
/// its tag, and decode the matching variant field by field:
///
/// ```text
/// let mut object = error_object(body, "error")?;          // or top_level_object(body, "errorType")?
/// let tag = take_tag(&mut object, "type");
/// let error = match tag.as_str() {
///     "card_error" => Self::Card { code: take_field::<ErrorCode>(&mut object, "code")?, …, details: object },
///     _ => Self::Unknown { tag, …, details: object },
/// };
/// Some(error)
/// ```
fn emit_from_response(envelope: &ErrorEnvelope) -> TokenStream {
    let tag_key = &envelope.tag_key;
    let object = match &envelope.placement {
        Placement::Wrapped(key) => quote!(::payforge::catalogue::error_object(body, #key)?),
        Placement::TopLevel => quote!(::payforge::catalogue::top_level_object(body, #tag_key)?),
    };
    let arms = envelope.variants.iter().map(|variant| {
        let construct = emit_construct(variant, quote!(), false);
        let tag = &variant.tag;
        quote!(#tag => #construct,)
    });
    let unknown = emit_construct(&envelope.unknown, quote!(tag,), false);
    quote! {
        fn from_response(
            _status: ::payforge::__private::http::StatusCode,
            body: &[u8],
        ) -> ::core::option::Option<Self> {
            let mut object = #object;
            let tag = ::payforge::catalogue::take_tag(&mut object, #tag_key);
            let error = match tag.as_str() {
                #(#arms)*
                _ => #unknown,
            };
            ::core::option::Option::Some(error)
        }
    }
}

/// `from_refusal`, for an enum with a refusal variant: a success body whose result field is
/// a refused value decodes into it. A field of the wrong shape does not undo the refusal:
/// it takes its default and its value stays in the `rest` map.
///
/// ```text
/// let mut object = refused_object(body, "resultCode", &["Refused"])?;
/// Some(Self::Refused { reason: take_field_or_keep::<Option<Reason>>(&mut object, "refusalReasonCode"), …, details: object })
/// ```
fn emit_from_refusal(envelope: &ErrorEnvelope) -> TokenStream {
    let Some(variant) = &envelope.refusal else {
        return TokenStream::new();
    };
    let Some(refusal) = &variant.refusal else {
        return TokenStream::new();
    };
    let (field, refused, at) = (&refusal.field, &refusal.refused, &refusal.at);
    let statuses = &refusal.statuses;
    let status_check = (!statuses.is_empty()).then(|| {
        quote! {
            if !matches!(status.as_u16(), #(#statuses)|*) {
                return ::core::option::Option::None;
            }
        }
    });
    let status = if statuses.is_empty() {
        quote!(_status)
    } else {
        quote!(status)
    };
    let construct = emit_construct(variant, quote!(), true);
    let object = if at.is_empty() {
        quote!(::payforge::catalogue::refused_object(body, #field, &[#(#refused),*])?)
    } else {
        quote!(::payforge::catalogue::refused_object_at(body, &[#(#at),*], #field, &[#(#refused),*])?)
    };
    quote! {
        fn from_refusal(
            #status: ::payforge::__private::http::StatusCode,
            body: &[u8],
        ) -> ::core::option::Option<Self> {
            #status_check
            let mut object = #object;
            ::core::option::Option::Some(#construct)
        }
    }
}

fn emit_construct(variant: &ErrorVariant, tag_field: TokenStream, lenient: bool) -> TokenStream {
    let ident = &variant.ident;
    // Spanned at each field's type: a type that is not `Default + DeserializeOwned` is
    // reported at the field.
    let fields = variant.fields.iter().map(|field| {
        let (ident, ty, wire) = (&field.ident, &field.ty, &field.wire);
        if lenient {
            quote_spanned!(ty.span()=> #ident: ::payforge::catalogue::take_field_or_keep::<#ty>(&mut object, #wire),)
        } else {
            quote_spanned!(ty.span()=> #ident: ::payforge::catalogue::take_field::<#ty>(&mut object, #wire)?,)
        }
    });
    let rest = variant.rest.as_ref().map(|rest| quote!(#rest: object,));
    quote!(Self::#ident { #tag_field #(#fields)* #rest })
}

/// `class()`: the variant's class refined by its `classify` fields, in declaration order.
fn emit_class(envelope: &ErrorEnvelope) -> TokenStream {
    let arms = envelope.all_variants().map(|variant| {
        let ident = &variant.ident;
        let class = &variant.class;
        let classified: Vec<(usize, &ErrorField)> =
            variant.fields.iter().enumerate().filter(|(_, field)| field.classify).collect();
        // Each binding is spanned at its field's type, so a field that is not a catalogue
        // code is reported at the field.
        let bindings = classified.iter().map(|(index, field)| {
            let (name, binding) = (&field.ident, field_binding(*index, field));
            quote!(#name: #binding)
        });
        let classes = classified.iter().map(|(index, field)| {
            let code = code_of(*index, field);
            quote_spanned!(field.ty.span()=> ::payforge::catalogue::CatalogueField::catalogue_class(#code))
        });
        quote!(Self::#ident { #(#bindings,)* .. } => ::payforge::catalogue::refine_class(#class, &[#(#classes),*]),)
    });
    quote! {
        fn class(&self) -> ::payforge::ErrorClass {
            match self {
                #(#arms)*
            }
        }
    }
}

/// `decline()`: for each variant, its decline codes (the `decline` fields, then the other
/// `classify` fields, in declaration order) and its message, given to `decline_view`, which
/// answers `None` unless the error's class is a card decline:
///
/// ```text
/// Self::Card { code: field_0, decline: field_1, message: field_2, .. } => decline_view(
///     ApiError::class(self), &[field_1.decline_reason(), field_0.decline_reason()], field_2.message()),
/// ```
fn emit_decline(envelope: &ErrorEnvelope) -> TokenStream {
    let arms = envelope.all_variants().map(|variant| {
        let ident = &variant.ident;
        let reasons: Vec<(usize, &ErrorField)> = {
            let indexed = || variant.fields.iter().enumerate();
            indexed()
                .filter(|(_, field)| field.decline)
                .chain(indexed().filter(|(_, field)| field.classify && !field.decline))
                .collect()
        };
        let message = variant.message_field();
        let bindings = reasons.iter().copied().chain(message).map(|(index, field)| {
            let (name, binding) = (&field.ident, field_binding(index, field));
            quote!(#name: #binding,)
        });
        let reason_values = reasons.iter().map(|(index, field)| {
            let code = code_of(*index, field);
            quote_spanned!(field.ty.span()=> ::payforge::catalogue::CatalogueField::decline_reason(#code))
        });
        let message_value = match message {
            Some((index, field)) => {
                let binding = field_binding(index, field);
                quote_spanned!(field.ty.span()=> ::payforge::catalogue::MessageField::message(#binding))
            }
            None => quote!(::core::option::Option::None),
        };
        // A field can be both a reason and the message only by mistake; bind it once.
        let bindings: Vec<TokenStream> = dedup_tokens(bindings);
        quote! {
            Self::#ident { #(#bindings)* .. } => ::payforge::catalogue::decline_view(
                ::payforge::ApiError::class(self),
                &[#(#reason_values),*],
                #message_value,
            ),
        }
    });
    quote! {
        fn decline(&self) -> ::core::option::Option<::payforge::Decline> {
            match self {
                #(#arms)*
            }
        }
    }
}

/// Token streams in order, each once.
fn dedup_tokens(tokens: impl Iterator<Item = TokenStream>) -> Vec<TokenStream> {
    let mut seen: Vec<String> = Vec::new();
    tokens
        .filter(|tokens| {
            let text = tokens.to_string();
            let new = !seen.contains(&text);
            seen.push(text);
            new
        })
        .collect()
}

/// `reference()`, for an enum with a `reference` field in some variant.
fn emit_reference(envelope: &ErrorEnvelope) -> TokenStream {
    if !envelope
        .all_variants()
        .any(|variant| variant.fields.iter().any(|f| f.reference))
    {
        return TokenStream::new();
    }
    let arms = envelope.all_variants().map(|variant| {
        let ident = &variant.ident;
        match variant.fields.iter().enumerate().find(|(_, field)| field.reference) {
            Some((index, field)) => {
                let (name, binding) = (&field.ident, field_binding(index, field));
                quote_spanned!(field.ty.span()=> Self::#ident { #name: #binding, .. } => ::payforge::catalogue::MessageField::message(#binding),)
            }
            None => quote!(Self::#ident { .. } => ::core::option::Option::None,),
        }
    });
    quote! {
        fn reference(&self) -> ::core::option::Option<&str> {
            match self {
                #(#arms)*
            }
        }
    }
}

/// `Display`: the type (`refused` for the refusal variant), each set `classify` or
/// `decline` code as ` name=code`, then `: message`.
fn emit_display(envelope: &ErrorEnvelope) -> TokenStream {
    let known = envelope.variants.iter().map(|variant| {
        let tag = &variant.tag;
        emit_display_arm(variant, quote!(), quote!(formatter.write_str(#tag)?;))
    });
    let refusal = envelope.refusal.iter().map(|variant| {
        emit_display_arm(variant, quote!(), quote!(formatter.write_str("refused")?;))
    });
    let unknown = emit_display_arm(
        &envelope.unknown,
        quote!(tag: field_tag,),
        quote!(formatter.write_str(field_tag)?;),
    );
    quote! {
        fn fmt(&self, formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            match self {
                #(#known)*
                #(#refusal)*
                #unknown
            }
        }
    }
}

fn emit_display_arm(
    variant: &ErrorVariant,
    extra_binding: TokenStream,
    write_tag: TokenStream,
) -> TokenStream {
    let ident = &variant.ident;
    let mut bindings = vec![extra_binding];
    let mut writes = vec![write_tag];
    for (index, field) in variant.fields.iter().enumerate() {
        let (name, binding, wire) = (&field.ident, field_binding(index, field), &field.wire);
        if field.classify || field.decline {
            bindings.push(quote!(#name: #binding,));
            let code = code_of(index, field);
            let wire = match &field.detail_code {
                Some((item_field, _)) => item_field.to_string(),
                None => wire.clone(),
            };
            writes.push(quote_spanned!(field.ty.span()=> ::payforge::catalogue::write_code(formatter, #wire, #code)?;));
        }
    }
    if let Some((index, field)) = variant.message_field() {
        let (name, binding) = (&field.ident, field_binding(index, field));
        if !(field.classify || field.decline) {
            bindings.push(quote!(#name: #binding,));
        }
        writes.push(quote_spanned!(field.ty.span()=> ::payforge::catalogue::write_message(formatter, #binding)?;));
    }
    quote! {
        Self::#ident { #(#bindings)* .. } => {
            #(#writes)*
            ::core::result::Result::Ok(())
        }
    }
}

/// The catalogue code a classifying field holds, as a `&impl CatalogueField`: the field
/// itself, or for a `detail_code` list the first item's code that is set.
fn code_of(index: usize, field: &ErrorField) -> TokenStream {
    let binding = field_binding(index, field);
    match &field.detail_code {
        Some((item_field, _)) => quote_spanned!(field.ty.span()=>
            &::payforge::catalogue::FirstCode::of(#binding.iter().map(|item| &item.#item_field))),
        None => quote!(#binding),
    }
}

/// For an enum with a `detail_code(issue: Issue)` field, the accessor `issue()`: the code
/// of the first item that names one, in any variant that has the list.
///
/// ```text
/// impl PaypalError { pub fn issue(&self) -> Option<&Issue> { match self { Self::X { details: field_2, .. } => FirstCode::of(…).get(), _ => None } } }
/// ```
fn emit_detail_code_accessor(envelope: &ErrorEnvelope) -> TokenStream {
    let Some((item_field, ty)) = envelope
        .all_variants()
        .flat_map(|variant| &variant.fields)
        .find_map(|field| field.detail_code.as_ref())
    else {
        return TokenStream::new();
    };
    let arms = envelope.all_variants().filter_map(|variant| {
        let (index, field) = variant.fields.iter().enumerate().find(|(_, field)| {
            field
                .detail_code
                .as_ref()
                .is_some_and(|(name, _)| name == item_field)
        })?;
        let (ident, name, binding) = (&variant.ident, &field.ident, field_binding(index, field));
        Some(quote! {
            Self::#ident { #name: #binding, .. } =>
                ::payforge::catalogue::FirstCode::of(#binding.iter().map(|item| &item.#item_field)).get(),
        })
    });
    let ident = &envelope.ident;
    let doc = format!(
        " The `{item_field}` of the first detail that names one: the error's code, as the \
         provider-wide catalogue `{}` types it. `None` when no detail names one.",
        quote!(#ty)
    );
    quote! {
        impl #ident {
            #[doc = #doc]
            pub fn #item_field(&self) -> ::core::option::Option<&#ty> {
                #[allow(unreachable_patterns)]
                match self {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}

/// The name a field is bound to in a `match` arm, spanned at the field's type.
fn field_binding(index: usize, field: &ErrorField) -> Ident {
    format_ident!("field_{index}", span = field.ty.span())
}
