//! `#[derive(StringEnum)]`: an enum of wire strings with an `Unknown(String)` fallback.
//!
//! ```text
//! enum PaymentIntentStatus {
//!     #[wire("succeeded")] Succeeded,
//!     Unknown(String),
//! }
//! ```
//! The derive writes the two `match`es between variants and strings; serde plumbing lives
//! in the runtime (`payforge::wire::string_enum`), so each of the SDK's hundreds of enums
//! stays cheap to compile.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, Ident, LitStr, Variant};

use crate::diagnostics::Diagnostics;

/// One enum of wire strings, validated.
pub(crate) struct WireEnum {
    /// The enum's name.
    pub(crate) ident: Ident,
    /// The unit variants with their wire strings, in declaration order.
    pub(crate) known: Vec<(Ident, LitStr)>,
    /// The `Unknown(String)` fallback variant.
    pub(crate) fallback: Variant,
}

/// Expands `#[derive(StringEnum)]`.
pub(crate) fn expand_string_enum(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let wire_enum = parse_wire_enum(&input, "wire", wire_attribute)?;
    let ident = &wire_enum.ident;
    let string_enum_impl = emit_string_enum_impl(&wire_enum);
    let serde_impls = emit_serde_impls(ident);
    // The inherent `as_str`, `Display` and `FromStr` all forward to the one `match` of
    // `StringEnum::as_wire_str` / `known`.
    Ok(quote! {
        #string_enum_impl
        #serde_impls
        impl #ident {
            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                ::payforge::wire::StringEnum::as_wire_str(self)
            }
        }
        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
        impl ::core::str::FromStr for #ident {
            type Err = ::core::convert::Infallible;
            fn from_str(wire: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(::payforge::wire::StringEnum::from_wire_str(wire))
            }
        }
    })
}

/// Reads a unit variant's `#[wire("…")]` attribute.
fn wire_attribute(attr: &Attribute) -> syn::Result<LitStr> {
    attr.parse_args::<LitStr>()
}

/// Parses and validates an enum of unit variants, each carrying a wire string in its
/// `#[<attribute>(…)]` (read by `read_value`), plus one `Unknown(String)` fallback.
/// Shared with the error catalogue form of `#[derive(ProviderError)]`.
pub(crate) fn parse_wire_enum(
    input: &DeriveInput,
    attribute: &str,
    mut read_value: impl FnMut(&Attribute) -> syn::Result<LitStr>,
) -> syn::Result<WireEnum> {
    let mut diagnostics = Diagnostics::default();
    check_no_generics(input, &mut diagnostics);
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "this derive only applies to an enum of unit variants plus `Unknown(String)`",
        ));
    };
    let mut known: Vec<(Ident, LitStr)> = Vec::new();
    let mut fallback: Option<Variant> = None;
    for variant in &data.variants {
        let attrs: Vec<&Attribute> = variant
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident(attribute))
            .collect();
        match &variant.fields {
            Fields::Unit => {
                let Some((first, rest)) = attrs.split_first() else {
                    diagnostics.error_at(
                        &variant.ident,
                        format!(
                            "missing `#[{attribute}(…)]`: every unit variant needs its wire string"
                        ),
                    );
                    continue;
                };
                for duplicate in rest {
                    diagnostics
                        .error_at(duplicate, format!("duplicate `#[{attribute}]` attribute"));
                }
                if let Some(value) = diagnostics.capture(read_value(first)) {
                    check_unique_value(&known, &value, &mut diagnostics);
                    known.push((variant.ident.clone(), value));
                }
            }
            Fields::Unnamed(fields) if variant.ident == "Unknown" && fields.unnamed.len() == 1 => {
                for attr in attrs {
                    diagnostics.error_at(attr, "the `Unknown` fallback takes no wire string");
                }
                fallback = Some(variant.clone());
            }
            _ => diagnostics.error_at(
                variant,
                "expected a unit variant with a wire string, or the fallback `Unknown(String)`",
            ),
        }
    }
    if fallback.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing the fallback variant `Unknown(String)` that keeps values this SDK does not know",
        );
    }
    diagnostics.finish()?;
    let fallback = fallback.ok_or_else(|| syn::Error::new(input.ident.span(), "no fallback"))?;
    Ok(WireEnum {
        ident: input.ident.clone(),
        known,
        fallback,
    })
}

/// Wire enums are concrete: a generic one has no single set of strings.
pub(crate) fn check_no_generics(input: &DeriveInput, diagnostics: &mut Diagnostics) {
    if !input.generics.params.is_empty() {
        diagnostics.error_at(
            &input.generics,
            "this derive does not support generic types",
        );
    }
}

/// Two variants with one wire string would make decoding ambiguous.
fn check_unique_value(known: &[(Ident, LitStr)], value: &LitStr, diagnostics: &mut Diagnostics) {
    if let Some((earlier, _)) = known.iter().find(|(_, seen)| seen.value() == value.value()) {
        diagnostics.error_at(
            value,
            format!(
                "the wire string {:?} is already used by `{earlier}`",
                value.value()
            ),
        );
    }
}

/// Emits `impl ::payforge::wire::StringEnum`.
pub(crate) fn emit_string_enum_impl(wire_enum: &WireEnum) -> TokenStream {
    let ident = &wire_enum.ident;
    let fallback = &wire_enum.fallback.ident;
    let fallback_span = wire_enum.fallback.fields.span();
    let variants: Vec<&Ident> = wire_enum.known.iter().map(|(variant, _)| variant).collect();
    let values: Vec<&LitStr> = wire_enum.known.iter().map(|(_, value)| value).collect();
    let wire = format_ident!("wire");
    // `Self::Unknown(wire)` is spanned at the fallback's field so a wrong field type reports
    // there rather than at the derive.
    let unknown = quote_spanned!(fallback_span=> Self::#fallback(#wire));
    quote! {
        impl ::payforge::wire::StringEnum for #ident {
            fn as_wire_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    #unknown => #wire,
                }
            }
            fn known(wire: &str) -> ::core::option::Option<Self> {
                match wire {
                    #(#values => ::core::option::Option::Some(Self::#variants),)*
                    _ => ::core::option::Option::None,
                }
            }
            fn unknown(#wire: ::std::string::String) -> Self {
                #unknown
            }
        }
    }
}

/// Emits `Serialize` (the wire string) and `Deserialize` (via the runtime's visitor).
pub(crate) fn emit_serde_impls(ident: &Ident) -> TokenStream {
    quote! {
        impl ::payforge::__private::serde::Serialize for #ident {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: ::payforge::__private::serde::Serializer,
            {
                serializer.serialize_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
        impl<'de> ::payforge::__private::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: ::payforge::__private::serde::Deserializer<'de>,
            {
                ::payforge::wire::string_enum::deserialize(deserializer)
            }
        }
    }
}
