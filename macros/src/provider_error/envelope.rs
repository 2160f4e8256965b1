//! The envelope form: the provider's error object, one struct variant per error type.
//!
//! ```text
//! #[provider_error(envelope = "error", tag = "type")]
//! enum StripeError {
//!     #[provider_error(tag = "card_error", class = card_decline)]
//!     Card { #[provider_error(classify)] code: ErrorCode, message: Option<String>, … },
//!     #[provider_error(unknown)]
//!     Unknown { tag: String, … },
//! }
//! ```

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, Variant};

use super::attr::{Key, error_class, misplaced, parse_keys};
use crate::diagnostics::Diagnostics;
use crate::string_enum::check_no_generics;

/// One decoded field of an error variant.
struct ErrorField {
    ident: Ident,
    /// The name in the error object.
    wire: String,
    ty: Type,
    classify: bool,
}

/// One error type.
struct ErrorVariant {
    ident: Ident,
    /// The type tag; `None` for the unknown variant.
    tag: Option<LitStr>,
    class: TokenStream,
    fields: Vec<ErrorField>,
    rest: Option<Ident>,
}

/// The whole error object enum.
struct ErrorEnvelope {
    ident: Ident,
    envelope: LitStr,
    tag_key: LitStr,
    variants: Vec<ErrorVariant>,
    unknown: ErrorVariant,
}

pub(crate) fn expand_envelope(input: &DeriveInput) -> syn::Result<TokenStream> {
    let envelope = parse_envelope(input)?;
    let from_response = emit_from_response(&envelope);
    let class = emit_class(&envelope);
    let display = emit_display(&envelope);
    let ident = &envelope.ident;
    Ok(quote! {
        impl ::payforge::ApiError for #ident {
            #from_response
            #class
        }
        impl ::core::fmt::Display for #ident {
            #display
        }
        impl ::std::error::Error for #ident {}
    })
}

fn parse_envelope(input: &DeriveInput) -> syn::Result<ErrorEnvelope> {
    let mut diagnostics = Diagnostics::default();
    check_no_generics(input, &mut diagnostics);
    let (mut envelope, mut tag_key) = (None, None);
    for key in parse_keys(&input.attrs, &mut diagnostics) {
        match key.key {
            Key::Envelope(value) => envelope = Some(value),
            Key::Tag(value) => tag_key = Some(value),
            _ => misplaced(
                &key,
                "the error enum; expected `envelope`, `tag`",
                &mut diagnostics,
            ),
        }
    }
    if envelope.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing `envelope = \"…\"`: the key the error object sits under (`error`)",
        );
    }
    if tag_key.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing `tag = \"…\"`: the field naming the error type",
        );
    }
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`ProviderError` applies to an enum",
        ));
    };
    let mut variants = Vec::new();
    let mut unknown = None;
    for variant in &data.variants {
        let Some((parsed, is_unknown)) = parse_variant(variant, &mut diagnostics) else {
            continue;
        };
        if !is_unknown {
            check_unique_tag(&variants, &parsed, &mut diagnostics);
            variants.push(parsed);
        } else if unknown.is_some() {
            diagnostics.error_at(
                &variant.ident,
                "only one variant can be `#[provider_error(unknown)]`",
            );
        } else {
            unknown = Some(parsed);
        }
    }
    if unknown.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing a `#[provider_error(unknown)]` variant for error types this SDK does not know",
        );
    }
    diagnostics.finish()?;
    match (envelope, tag_key, unknown) {
        (Some(envelope), Some(tag_key), Some(unknown)) => Ok(ErrorEnvelope {
            ident: input.ident.clone(),
            envelope,
            tag_key,
            variants,
            unknown,
        }),
        _ => Err(syn::Error::new_spanned(
            &input.ident,
            "incomplete error envelope",
        )),
    }
}

fn check_unique_tag(
    variants: &[ErrorVariant],
    parsed: &ErrorVariant,
    diagnostics: &mut Diagnostics,
) {
    let Some(tag) = &parsed.tag else { return };
    if let Some(earlier) = variants.iter().find(|seen| {
        seen.tag
            .as_ref()
            .is_some_and(|seen| seen.value() == tag.value())
    }) {
        diagnostics.error_at(
            tag,
            format!(
                "the tag {:?} is already used by `{}`",
                tag.value(),
                earlier.ident
            ),
        );
    }
}

/// Reads one variant; the flag says whether it is the unknown variant.
fn parse_variant(variant: &Variant, diagnostics: &mut Diagnostics) -> Option<(ErrorVariant, bool)> {
    let (mut tag, mut class, mut is_unknown, mut class_written) = (None, None, false, false);
    for key in parse_keys(&variant.attrs, diagnostics) {
        match key.key {
            Key::Tag(value) => tag = Some(value),
            Key::Class(value) => {
                class_written = true;
                class = error_class(&value, diagnostics);
            }
            Key::Unknown => is_unknown = true,
            _ => misplaced(
                &key,
                "an error variant; expected `tag`, `class`, `unknown`",
                diagnostics,
            ),
        }
    }
    let Fields::Named(named) = &variant.fields else {
        diagnostics.error_at(
            variant,
            "an error variant has named fields: `Name { code: …, message: … }`",
        );
        return None;
    };
    if is_unknown {
        if let Some(tag) = &tag {
            diagnostics.error_at(
                tag,
                "the unknown variant takes every other tag; it has no `tag` of its own",
            );
        }
        class = Some(quote!(::payforge::ErrorClass::Unknown));
    } else {
        if tag.is_none() {
            diagnostics.error_at(
                &variant.ident,
                "missing `tag = \"…\"`: the error type this variant decodes",
            );
        }
        if !class_written {
            diagnostics.error_at(
                &variant.ident,
                "missing `class = …`: how the runtime treats this error type",
            );
        }
    }
    let mut fields = Vec::new();
    let mut rest: Option<Ident> = None;
    let mut tag_field = false;
    for field in &named.named {
        let ident = field.ident.clone()?;
        if is_unknown && ident == "tag" {
            tag_field = true;
            continue;
        }
        let (parsed, is_rest) = parse_field(field, ident, diagnostics);
        if !is_rest {
            fields.push(parsed);
        } else if rest.is_some() {
            diagnostics.error_at(
                &parsed.ident,
                "only one field can be `#[provider_error(rest)]`",
            );
        } else {
            rest = Some(parsed.ident);
        }
    }
    if is_unknown && !tag_field {
        diagnostics.error_at(
            &variant.ident,
            "the unknown variant needs a field `tag: String` to keep the type it received",
        );
    }
    Some((
        ErrorVariant {
            ident: variant.ident.clone(),
            tag,
            class: class?,
            fields,
            rest,
        },
        is_unknown,
    ))
}

/// Reads one field; the flag says whether it is the `rest` map.
fn parse_field(
    field: &syn::Field,
    ident: Ident,
    diagnostics: &mut Diagnostics,
) -> (ErrorField, bool) {
    let mut parsed = ErrorField {
        wire: ident.unraw_name(),
        ident,
        ty: field.ty.clone(),
        classify: false,
    };
    let mut is_rest = false;
    for key in parse_keys(&field.attrs, diagnostics) {
        match key.key {
            Key::Classify => parsed.classify = true,
            Key::Rename(value) => parsed.wire = value.value(),
            Key::Rest => is_rest = true,
            _ => misplaced(
                &key,
                "a field; expected `classify`, `rename`, `rest`",
                diagnostics,
            ),
        }
    }
    if is_rest && (parsed.classify || parsed.wire != parsed.ident.unraw_name()) {
        diagnostics.error_at(
            &parsed.ident,
            "the `rest` map cannot also be `classify` or `rename`d",
        );
    }
    (parsed, is_rest)
}

trait UnrawName {
    fn unraw_name(&self) -> String;
}

impl UnrawName for Ident {
    fn unraw_name(&self) -> String {
        let name = self.to_string();
        name.strip_prefix("r#")
            .map_or_else(|| name.clone(), str::to_owned)
    }
}

/// `from_response`: take the object under the envelope, read its tag, and decode the
/// matching variant field by field:
///
/// ```text
/// let mut object = error_object(body, "error")?;
/// let tag = take_tag(&mut object, "type");
/// let error = match tag.as_str() {
///     "card_error" => Self::Card { code: take_field::<ErrorCode>(&mut object, "code")?, …, details: object },
///     _ => Self::Unknown { tag, …, details: object },
/// };
/// Some(error)
/// ```
fn emit_from_response(envelope: &ErrorEnvelope) -> TokenStream {
    let envelope_key = &envelope.envelope;
    let tag_key = &envelope.tag_key;
    let arms = envelope.variants.iter().map(|variant| {
        let construct = emit_construct(variant, quote!());
        let tag = &variant.tag;
        quote!(#tag => #construct,)
    });
    let unknown = emit_construct(&envelope.unknown, quote!(tag,));
    quote! {
        fn from_response(
            _status: ::payforge::__private::http::StatusCode,
            body: &[u8],
        ) -> ::core::option::Option<Self> {
            let mut object = ::payforge::catalogue::error_object(body, #envelope_key)?;
            let tag = ::payforge::catalogue::take_tag(&mut object, #tag_key);
            let error = match tag.as_str() {
                #(#arms)*
                _ => #unknown,
            };
            ::core::option::Option::Some(error)
        }
    }
}

fn emit_construct(variant: &ErrorVariant, tag_field: TokenStream) -> TokenStream {
    let ident = &variant.ident;
    // Spanned at each field's type: a type that is not `Default + DeserializeOwned` is
    // reported at the field.
    let fields = variant.fields.iter().map(|field| {
        let (ident, ty, wire) = (&field.ident, &field.ty, &field.wire);
        quote_spanned!(ty.span()=> #ident: ::payforge::catalogue::take_field::<#ty>(&mut object, #wire)?,)
    });
    let rest = variant.rest.as_ref().map(|rest| quote!(#rest: object,));
    quote!(Self::#ident { #tag_field #(#fields)* #rest })
}

/// `class()`: the variant's class refined by its `classify` fields, in declaration order.
fn emit_class(envelope: &ErrorEnvelope) -> TokenStream {
    let arms = envelope.variants.iter().chain([&envelope.unknown]).map(|variant| {
        let ident = &variant.ident;
        let class = &variant.class;
        let classified: Vec<&ErrorField> = variant.fields.iter().filter(|field| field.classify).collect();
        // Each binding is spanned at its field's type, so a field that is not a catalogue
        // code is reported at the field.
        let bindings = classified.iter().enumerate().map(|(index, field)| {
            let (name, binding) = (&field.ident, field_binding(index, field));
            quote!(#name: #binding)
        });
        let classes = classified.iter().enumerate().map(|(index, field)| {
            let binding = field_binding(index, field);
            quote_spanned!(field.ty.span()=> ::payforge::catalogue::CatalogueField::catalogue_class(#binding))
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

/// `Display`: the type, each set `classify` code as ` name=code`, then `: message`.
fn emit_display(envelope: &ErrorEnvelope) -> TokenStream {
    let known = envelope.variants.iter().map(|variant| {
        let tag = &variant.tag;
        emit_display_arm(variant, quote!(), quote!(formatter.write_str(#tag)?;))
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
        if field.classify {
            bindings.push(quote!(#name: #binding,));
            writes.push(quote_spanned!(field.ty.span()=> ::payforge::catalogue::write_code(formatter, #wire, #binding)?;));
        } else if wire == "message" {
            bindings.push(quote!(#name: #binding,));
            writes.push(quote_spanned!(field.ty.span()=> ::payforge::catalogue::write_message(formatter, #binding)?;));
        }
    }
    quote! {
        Self::#ident { #(#bindings)* .. } => {
            #(#writes)*
            ::core::result::Result::Ok(())
        }
    }
}

/// The name a field is bound to in a `match` arm, spanned at the field's type.
fn field_binding(index: usize, field: &ErrorField) -> Ident {
    format_ident!("field_{index}", span = field.ty.span())
}
