//! The profile's `[errors]` section: where the error catalogue is, and the provider's
//! error conventions — where the error object sits in a body (under a wrapper key or at the
//! top), which of its fields holds the type, the code, the message and the reference, and
//! how a refusal reported in a success response is recognised (`[errors.refusals]`).
//! docs/generated-code.md, "Errors", documents every key.

use serde::Deserialize;

/// The `[errors]` section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRules {
    /// The catalogue file, relative to the profile's directory.
    pub catalogue: String,
    /// The key of an error response's body holding the error object (Stripe's `error`);
    /// absent when the error object is the body itself (Adyen's `ServiceError`).
    pub wrapper: Option<String>,
    /// The field of the error object naming its type (`type`, `errorType`): the tag of the
    /// error enum's variants.
    pub type_field: String,
    /// The field holding the error code (`code`, `errorCode`); a catalogue field of the
    /// catalogue's envelope.
    pub code_field: String,
    /// The field holding the developer message (`message`).
    #[serde(default = "default_message_field")]
    pub message_field: String,
    /// The field holding the provider's reference of the request or payment
    /// (`pspReference`), when the error object carries one.
    pub reference_field: Option<String>,
    /// The field holding the issuer's decline code (`decline_code`), when the error object
    /// carries one apart from the code; a decline's code and category come from it first.
    pub decline_code_field: Option<String>,
    /// How a refused payment answered with a success status is recognised; absent when the
    /// provider reports every decline as an HTTP error.
    pub refusals: Option<RefusalRules>,
}

fn default_message_field() -> String {
    "message".to_owned()
}

/// `[errors.refusals]`: a success body whose `result_field` holds one of `refused` is a
/// refused payment, decoded into the error enum's refusal variant (`Refused`) instead of the
/// operation's output.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalRules {
    /// The Rust name of the refusal variant (`Refused`).
    pub variant: String,
    /// The field of the success body holding the result (`resultCode`).
    pub result_field: String,
    /// The catalogue (by `name` in the catalogue file) typing the result (`result_codes`).
    pub result_catalogue: String,
    /// The result values that mean refused (`["Refused"]`).
    pub refused: Vec<String>,
    /// The field holding the refusal reason's code (`refusalReasonCode`).
    pub reason_code_field: String,
    /// The catalogue typing the reason code (`refusal_reasons`); its codes map to decline
    /// categories.
    pub reason_catalogue: String,
    /// The field holding the refusal reason's text (`refusalReason`), the decline's message.
    pub reason_field: Option<String>,
}
