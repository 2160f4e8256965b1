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
    /// The field of the error object holding a list of detail objects (PayPal's
    /// `details`), when the error's code is read from its details: `code_field` is then a
    /// catalogue field of the detail record, and the first detail that names a code gives
    /// the error's code (the detail-code convention).
    pub details_field: Option<String>,
    /// How a refused payment answered with a success status is recognised; absent when the
    /// provider reports every decline as an HTTP error.
    pub refusals: Option<RefusalRules>,
    /// The pinned facts file that catalogues marked `from_facts` read their codes from
    /// (the facts-catalogue convention); absent when every code is listed in the catalogue.
    pub facts: Option<FactsPin>,
}

/// `[errors.facts]`: the provider's error codes as facts, in a file under
/// `$PAYFORGE_SPECS_DIR` pinned by hash like a spec, listed per resource group
/// (`[operations.groups]`). A catalogue marked `from_facts` takes every code listed for any
/// group, and one enum per group with that group's codes; its `entries` only classify.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactsPin {
    /// The file, relative to `$PAYFORGE_SPECS_DIR` (YAML or JSON).
    pub file: String,
    /// Its lowercase hex sha256.
    pub sha256: String,
    /// The key of each listed item holding the code (`id`).
    #[serde(default = "default_code_key")]
    pub code_key: String,
    /// Keys of each listed item quoted in the code's doc comment (`http_status`).
    #[serde(default)]
    pub doc_keys: Vec<String>,
    /// Per resource group, the JSON pointer of its list of items (`orders` =
    /// `/issues_by_spec/checkout_orders_v2/issues`).
    pub groups: std::collections::BTreeMap<String, String>,
}

fn default_code_key() -> String {
    "id".to_owned()
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
    /// The success statuses a refusal comes with (`[201]`: a capture creates); any 2xx
    /// when empty (the default).
    #[serde(default)]
    pub statuses: Vec<u16>,
    /// JSON pointers of the objects of a success body that may report a refusal, `*`
    /// standing for every index of an array (`/purchase_units/*/payments/captures/*`); the
    /// body itself (`""`) by default. The first object whose result is refused is the
    /// refusal.
    #[serde(default)]
    pub objects: Vec<String>,
    /// The field of that object holding the result (`resultCode`).
    pub result_field: String,
    /// The catalogue (by `name` in the catalogue file) typing the result (`result_codes`).
    pub result_catalogue: String,
    /// The result values that mean refused (`["Refused"]`).
    pub refused: Vec<String>,
    /// The field holding the refusal reason's code (`refusalReasonCode`), or a JSON pointer
    /// inside the object (`/processor_response/response_code`).
    pub reason_code_field: String,
    /// The catalogue typing the reason code (`refusal_reasons`); its codes map to decline
    /// categories.
    pub reason_catalogue: String,
    /// The field holding the refusal reason's text (`refusalReason`), the decline's message.
    pub reason_field: Option<String>,
}
