//! The envelope form: the provider's error object, one struct variant per error type, and
//! at most one variant for a refusal reported in a success response.
//!
//! ```text
//! #[provider_error(envelope = "error", tag = "type")]      // or `top_level, tag = "errorType"`
//! enum StripeError {
//!     #[provider_error(tag = "card_error", class = card_decline)]
//!     Card {
//!         #[provider_error(classify)] code: ErrorCode,
//!         #[provider_error(classify, decline, rename = "decline_code")] decline: Option<DeclineCode>,
//!         message: Option<String>, …
//!     },
//!     #[provider_error(result = "resultCode", refused = ["Refused"], class = card_decline)]
//!     Refused { #[provider_error(decline, rename = "refusalReasonCode")] reason: Option<Reason>, … },
//!     #[provider_error(unknown)]
//!     Unknown { tag: String, … },
//! }
//! ```
//!
//! This file parses and checks; `envelope_emit.rs` writes the impls.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, Variant};

use super::attr::{Key, error_class, misplaced, parse_keys};
use super::envelope_emit::emit_envelope;
use crate::diagnostics::Diagnostics;
use crate::string_enum::check_no_generics;

/// One decoded field of an error variant.
pub(super) struct ErrorField {
    pub(super) ident: Ident,
    /// The name in the error object.
    pub(super) wire: String,
    pub(super) ty: Type,
    pub(super) classify: bool,
    /// A decline code: the decline's code and category come from it first.
    pub(super) decline: bool,
    /// Marked as the message.
    pub(super) message: bool,
    /// Marked as the provider's reference.
    pub(super) reference: bool,
    /// A list whose items hold the error's code: the items' field and its catalogue type
    /// (`detail_code(issue: Issue)`); such a field classifies by its first item with a code.
    pub(super) detail_code: Option<(Ident, Box<Type>)>,
}

/// How a refusal variant recognises a success body that reports a refusal.
pub(super) struct Refusal {
    /// The result field (`resultCode`).
    pub(super) field: LitStr,
    /// Its values that mean "refused".
    pub(super) refused: Vec<LitStr>,
    /// JSON pointers of the objects that may report it (`*` for any array index); empty:
    /// the body itself.
    pub(super) at: Vec<LitStr>,
    /// The success statuses it comes with; empty: any.
    pub(super) statuses: Vec<syn::LitInt>,
}

/// One error type.
pub(super) struct ErrorVariant {
    pub(super) ident: Ident,
    /// The type tag; `None` for the unknown and the refusal variants.
    pub(super) tag: Option<LitStr>,
    pub(super) class: TokenStream,
    pub(super) fields: Vec<ErrorField>,
    pub(super) rest: Option<Ident>,
    /// `Some` for the refusal variant.
    pub(super) refusal: Option<Refusal>,
}

impl ErrorVariant {
    /// The field holding the message: the one marked `message`, else the one named
    /// `message` on the wire.
    pub(super) fn message_field(&self) -> Option<(usize, &ErrorField)> {
        let fields = || self.fields.iter().enumerate();
        fields()
            .find(|(_, field)| field.message)
            .or_else(|| fields().find(|(_, field)| field.wire == "message"))
    }
}

/// Where the error object sits in an error response's body.
pub(super) enum Placement {
    /// Under a wrapper key (`{"error": {...}}`).
    Wrapped(LitStr),
    /// At the top of the body.
    TopLevel,
}

/// The whole error object enum.
pub(super) struct ErrorEnvelope {
    pub(super) ident: Ident,
    pub(super) placement: Placement,
    pub(super) tag_key: LitStr,
    /// The tagged variants.
    pub(super) variants: Vec<ErrorVariant>,
    pub(super) refusal: Option<ErrorVariant>,
    pub(super) unknown: ErrorVariant,
}

impl ErrorEnvelope {
    /// Every variant: the tagged ones, the refusal variant, the unknown one.
    pub(super) fn all_variants(&self) -> impl Iterator<Item = &ErrorVariant> {
        self.variants
            .iter()
            .chain(self.refusal.as_ref())
            .chain([&self.unknown])
    }
}

pub(crate) fn expand_envelope(input: &DeriveInput) -> syn::Result<TokenStream> {
    Ok(emit_envelope(&parse_envelope(input)?))
}

/// Reads the enum's keys: the placement (`envelope` or `top_level`, exactly one) and `tag`.
fn parse_enum_keys(
    input: &DeriveInput,
    diagnostics: &mut Diagnostics,
) -> (Option<Placement>, Option<LitStr>) {
    let (mut envelope, mut top_level, mut tag_key) = (None, None, None);
    for key in parse_keys(&input.attrs, diagnostics) {
        match key.key {
            Key::Envelope(value) => envelope = Some(value),
            Key::TopLevel => top_level = Some(key.span),
            Key::Tag(value) => tag_key = Some(value),
            _ => misplaced(
                &key,
                "the error enum; expected `envelope`, `top_level`, `tag`",
                diagnostics,
            ),
        }
    }
    let placement = match (envelope, top_level) {
        (Some(_), Some(span)) => {
            diagnostics.push(syn::Error::new(
                span,
                "`top_level` and `envelope` exclude each other: the error object is either \
                 under a wrapper key or the body itself",
            ));
            None
        }
        (Some(envelope), None) => Some(Placement::Wrapped(envelope)),
        (None, Some(_)) => Some(Placement::TopLevel),
        (None, None) => {
            diagnostics.error_at(
                &input.ident,
                "missing `envelope = \"…\"` (the key the error object sits under, `error`) \
                 or `top_level` (the error object is the body itself)",
            );
            None
        }
    };
    if tag_key.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing `tag = \"…\"`: the field naming the error type",
        );
    }
    (placement, tag_key)
}

fn parse_envelope(input: &DeriveInput) -> syn::Result<ErrorEnvelope> {
    let mut diagnostics = Diagnostics::default();
    check_no_generics(input, &mut diagnostics);
    let (placement, tag_key) = parse_enum_keys(input, &mut diagnostics);
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`ProviderError` applies to an enum",
        ));
    };
    let (mut variants, mut refusal, mut unknown) = (Vec::new(), None, None);
    for variant in &data.variants {
        let Some((parsed, is_unknown)) = parse_variant(variant, &mut diagnostics) else {
            continue;
        };
        let slot = if is_unknown {
            &mut unknown
        } else if parsed.refusal.is_some() {
            &mut refusal
        } else {
            check_unique_tag(&variants, &parsed, &mut diagnostics);
            variants.push(parsed);
            continue;
        };
        if slot.is_some() {
            let which = if is_unknown {
                "`#[provider_error(unknown)]`"
            } else {
                "a refusal (`result = …`)"
            };
            diagnostics.error_at(&variant.ident, format!("only one variant can be {which}"));
        } else {
            *slot = Some(parsed);
        }
    }
    if unknown.is_none() {
        diagnostics.error_at(
            &input.ident,
            "missing a `#[provider_error(unknown)]` variant for error types this SDK does not know",
        );
    }
    diagnostics.finish()?;
    match (placement, tag_key, unknown) {
        (Some(placement), Some(tag_key), Some(unknown)) => Ok(ErrorEnvelope {
            ident: input.ident.clone(),
            placement,
            tag_key,
            variants,
            refusal,
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

/// The keys of one variant.
#[derive(Default)]
struct VariantKeys {
    tag: Option<LitStr>,
    class: Option<TokenStream>,
    class_written: bool,
    unknown: bool,
    result: Option<LitStr>,
    refused: Option<Vec<LitStr>>,
    at: Vec<LitStr>,
    statuses: Vec<syn::LitInt>,
}

fn parse_variant_keys(variant: &Variant, diagnostics: &mut Diagnostics) -> VariantKeys {
    let mut keys = VariantKeys::default();
    for key in parse_keys(&variant.attrs, diagnostics) {
        match key.key {
            Key::Tag(value) => keys.tag = Some(value),
            Key::Class(value) => {
                keys.class_written = true;
                keys.class = error_class(&value, diagnostics);
            }
            Key::Unknown => keys.unknown = true,
            Key::ResultField(value) => keys.result = Some(value),
            Key::Refused(values) => keys.refused = Some(values),
            Key::At(values) => keys.at = values,
            Key::Statuses(values) => keys.statuses = values,
            _ => misplaced(
                &key,
                "an error variant; expected `tag`, `class`, `unknown`, `result`, `refused`, `at`, \
                 `statuses`",
                diagnostics,
            ),
        }
    }
    keys
}

/// Checks the keys of one variant against its kind (tagged, refusal or unknown) and
/// returns its refusal rule, if it is the refusal variant.
fn check_variant_keys(
    variant: &Variant,
    keys: &mut VariantKeys,
    diagnostics: &mut Diagnostics,
) -> Option<Refusal> {
    let declares_refusal = keys.result.is_some() || keys.refused.is_some();
    let refusal = match (keys.result.take(), keys.refused.take()) {
        (Some(field), Some(refused)) if !refused.is_empty() => Some(Refusal {
            field,
            refused,
            at: std::mem::take(&mut keys.at),
            statuses: std::mem::take(&mut keys.statuses),
        }),
        (Some(field), _) => {
            diagnostics.error_at(
                &field,
                "a refusal variant needs `refused = [\"…\"]`: the result values that mean refused",
            );
            None
        }
        (None, Some(_)) => {
            diagnostics.error_at(
                &variant.ident,
                "`refused` needs `result = \"…\"`: the success-body field holding the result",
            );
            None
        }
        (None, None) => None,
    };
    if keys.unknown {
        if let Some(tag) = &keys.tag {
            diagnostics.error_at(
                tag,
                "the unknown variant takes every other tag; it has no `tag` of its own",
            );
        }
        keys.class = Some(quote!(::payforge::ErrorClass::Unknown));
        return None;
    }
    match (&keys.tag, declares_refusal) {
        (None, false) => diagnostics.error_at(
            &variant.ident,
            "missing `tag = \"…\"`: the error type this variant decodes",
        ),
        (Some(tag), true) => diagnostics.error_at(
            tag,
            "a refusal variant is found by its `result` field, not by a `tag`",
        ),
        _ => {}
    }
    if !keys.class_written {
        diagnostics.error_at(
            &variant.ident,
            "missing `class = …`: how the runtime treats this error type",
        );
    }
    refusal
}

/// Reads one variant; the flag says whether it is the unknown variant.
fn parse_variant(variant: &Variant, diagnostics: &mut Diagnostics) -> Option<(ErrorVariant, bool)> {
    let mut keys = parse_variant_keys(variant, diagnostics);
    let refusal = check_variant_keys(variant, &mut keys, diagnostics);
    let is_unknown = keys.unknown;
    let Fields::Named(named) = &variant.fields else {
        diagnostics.error_at(
            variant,
            "an error variant has named fields: `Name { code: …, message: … }`",
        );
        return None;
    };
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
    check_single_roles(&fields, diagnostics);
    Some((
        ErrorVariant {
            ident: variant.ident.clone(),
            tag: keys.tag,
            class: keys.class?,
            fields,
            rest,
            refusal,
        },
        is_unknown,
    ))
}

/// A variant has at most one `message` and one `reference` field.
fn check_single_roles(fields: &[ErrorField], diagnostics: &mut Diagnostics) {
    for (role, marked) in [
        (
            "message",
            fields.iter().filter(|f| f.message).collect::<Vec<_>>(),
        ),
        ("reference", fields.iter().filter(|f| f.reference).collect()),
    ] {
        for extra in marked.iter().skip(1) {
            diagnostics.error_at(
                &extra.ident,
                format!("only one field can be `#[provider_error({role})]`"),
            );
        }
    }
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
        decline: false,
        message: false,
        reference: false,
        detail_code: None,
    };
    let mut is_rest = false;
    for key in parse_keys(&field.attrs, diagnostics) {
        match key.key {
            Key::Classify => parsed.classify = true,
            Key::Decline => parsed.decline = true,
            Key::Message => parsed.message = true,
            Key::Reference => parsed.reference = true,
            Key::DetailCode(code, ty) => {
                parsed.classify = true;
                parsed.detail_code = Some((code, ty));
            }
            Key::Rename(value) => parsed.wire = value.value(),
            Key::Rest => is_rest = true,
            _ => misplaced(
                &key,
                "a field; expected `classify`, `decline`, `message`, `reference`, `detail_code`, \
                 `rename`, `rest`",
                diagnostics,
            ),
        }
    }
    let has_role = parsed.classify || parsed.decline || parsed.message || parsed.reference;
    if is_rest && (has_role || parsed.wire != parsed.ident.unraw_name()) {
        diagnostics.error_at(
            &parsed.ident,
            "the `rest` map cannot also be `classify`, `decline`, `message`, `reference` or `rename`d",
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
