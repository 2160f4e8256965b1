//! Typed reads of a parsed form, each failure naming the parameter as Stripe does.

use serde_json::{Map, Value};

use crate::currencies;
use crate::error::{ApiError, echo};

/// The largest amount Stripe accepts in one charge (eight digits in the smallest unit).
pub const MAX_AMOUNT: i64 = 99_999_999;

/// The last second of the year 9999, the latest timestamp accepted.
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// A request's parameters (or one nested hash of them, such as `card[…]`).
#[derive(Debug, Clone, Default)]
pub struct Params {
    prefix: String,
    fields: Map<String, Value>,
}

impl Params {
    /// Wraps the top-level parameters of a request.
    pub fn new(fields: Map<String, Value>) -> Self {
        Self {
            prefix: String::new(),
            fields,
        }
    }

    /// The full Stripe name of a field: `card[number]` inside `card`.
    pub fn name(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}[{key}]", self.prefix)
        }
    }

    /// Rejects any field outside `allowed` (and `expand`) with `parameter_unknown`.
    pub fn allow(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self
            .fields
            .keys()
            .find(|key| *key != "expand" && !allowed.contains(&key.as_str()))
        {
            Some(unknown) => Err(ApiError::parameter_unknown(&self.name(unknown))),
            None => Ok(()),
        }
    }

    /// Whether the field was sent at all.
    pub fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// A string field; an empty string (Stripe's "unset") is reported as `Some("")`.
    pub fn str(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.fields.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(ApiError::invalid_value(
                &self.name(key),
                format!(
                    "Invalid string: {} must be a string, not a hash or list.",
                    self.name(key)
                ),
            )),
        }
    }

    /// A string field that must be present and non-empty.
    pub fn required_str(&self, key: &str) -> Result<&str, ApiError> {
        match self.str(key)? {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(ApiError::parameter_missing(&self.name(key))),
        }
    }

    /// A string field as JSON: an empty string clears it to `null`.
    pub fn nullable_str(&self, key: &str) -> Result<Option<Value>, ApiError> {
        Ok(self.str(key)?.map(|text| {
            if text.is_empty() {
                Value::Null
            } else {
                Value::String(text.to_owned())
            }
        }))
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.str(key)? else {
            return Ok(None);
        };
        text.parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid_param(
                "parameter_invalid_integer",
                &self.name(key),
                format!("Invalid integer: {}", echo(text)),
            )
        })
    }

    /// A Unix timestamp between 1970 and the end of year 9999, so date arithmetic on it
    /// cannot overflow.
    pub fn timestamp(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.int(key)? {
            Some(time) if !(0..=MAX_TIMESTAMP).contains(&time) => Err(ApiError::invalid_param(
                "parameter_invalid_integer",
                &self.name(key),
                format!(
                    "Invalid timestamp: {} must lie between 0 and {MAX_TIMESTAMP}.",
                    self.name(key)
                ),
            )),
            other => Ok(other),
        }
    }

    /// A positive amount in the smallest currency unit, at most [`MAX_AMOUNT`].
    pub fn amount(&self, key: &str) -> Result<Option<i64>, ApiError> {
        let Some(amount) = self.int(key)? else {
            return Ok(None);
        };
        if amount < 1 {
            return Err(ApiError::invalid_param(
                "amount_too_small",
                &self.name(key),
                "Amount must be at least 1 in the smallest currency unit.",
            ));
        }
        if amount > MAX_AMOUNT {
            return Err(ApiError::invalid_param(
                "amount_too_large",
                &self.name(key),
                format!("Amount must be no more than {MAX_AMOUNT}."),
            ));
        }
        Ok(Some(amount))
    }

    /// A boolean field: `true`/`false` as most of Stripe's libraries send it, or
    /// `True`/`False` as Stripe's Python library sends it (`str(True)`); Stripe accepts
    /// both. Other spellings (`1`, `yes`, `TRUE`) are refused, as a stand-in that accepts
    /// more than Stripe would hide bugs that Stripe then reports.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some("true" | "True") => Ok(Some(true)),
            Some("false" | "False") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_value(
                &self.name(key),
                format!("Invalid boolean: {}", echo(other)),
            )),
        }
    }

    /// A field restricted to a set of values.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some(value) if allowed.contains(&value) => Ok(Some(value.to_owned())),
            Some(value) => Err(ApiError::invalid_value(
                &self.name(key),
                format!(
                    "Invalid {}: must be one of {}; got '{}'.",
                    self.name(key),
                    allowed.join(", "),
                    echo(value)
                ),
            )),
        }
    }

    /// A currency Stripe supports: an ISO 4217 code from Stripe's list, in any case,
    /// returned lowercase.
    pub fn currency(&self, key: &str) -> Result<Option<String>, ApiError> {
        let Some(code) = self.str(key)? else {
            return Ok(None);
        };
        let code = code.to_ascii_lowercase();
        if currencies::is_supported(&code) {
            Ok(Some(code))
        } else {
            Err(ApiError::invalid_value(
                &self.name(key),
                format!(
                    "Invalid currency: {}. Stripe currently supports these currencies: {}",
                    echo(&code),
                    currencies::SUPPORTED.join(", ")
                ),
            ))
        }
    }

    /// A nested hash such as `card[…]`, checked against its own allowed keys.
    pub fn hash(&self, key: &str, allowed: &[&str]) -> Result<Option<Params>, ApiError> {
        match self.fields.get(key) {
            None => Ok(None),
            Some(Value::Object(fields)) => {
                let nested = Params {
                    prefix: self.name(key),
                    fields: fields.clone(),
                };
                nested.allow(allowed)?;
                Ok(Some(nested))
            }
            Some(Value::String(text)) if text.is_empty() => Ok(Some(Params {
                prefix: self.name(key),
                fields: Map::new(),
            })),
            Some(_) => Err(ApiError::invalid_value(
                &self.name(key),
                format!("Invalid hash: {} must be a hash.", self.name(key)),
            )),
        }
    }

    /// A nested hash's raw fields, unchecked (for peeking before validation).
    pub fn raw_hash(&self, key: &str) -> Option<&Map<String, Value>> {
        self.fields.get(key).and_then(Value::as_object)
    }

    /// A list sent as `key[]=…` or `key[0]=…`, in index order.
    pub fn list(&self, key: &str) -> Result<Vec<Value>, ApiError> {
        match self.fields.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(Value::String(text)) if text.is_empty() => Ok(Vec::new()),
            Some(Value::Object(indexed)) => {
                let mut entries = Vec::with_capacity(indexed.len());
                for (index, value) in indexed {
                    let position = index.parse::<usize>().map_err(|_| {
                        ApiError::invalid_value(
                            &self.name(key),
                            format!(
                                "Invalid array: {} must be indexed by numbers.",
                                self.name(key)
                            ),
                        )
                    })?;
                    entries.push((position, value.clone()));
                }
                entries.sort_by_key(|(position, _)| *position);
                Ok(entries.into_iter().map(|(_, value)| value).collect())
            }
            Some(Value::String(_) | _) => Err(ApiError::invalid_value(
                &self.name(key),
                format!("Invalid array: {} must be a list.", self.name(key)),
            )),
        }
    }

    /// A list of strings such as `enabled_events[]` or `expand[]`.
    pub fn string_list(&self, key: &str) -> Result<Vec<String>, ApiError> {
        self.list(key)?
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(ApiError::invalid_value(
                    &self.name(key),
                    format!("Invalid array: {} must hold strings.", self.name(key)),
                )),
            })
            .collect()
    }

    /// Treats each entry of a list as its own nested hash (`items[0][price]`).
    pub fn hash_list(&self, key: &str, allowed: &[&str]) -> Result<Vec<Params>, ApiError> {
        let items = self.list(key)?;
        let mut hashes = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let prefix = format!("{}[{index}]", self.name(key));
            let Value::Object(fields) = item else {
                return Err(ApiError::invalid_value(
                    &prefix,
                    format!("Invalid hash: {prefix} must be a hash."),
                ));
            };
            let nested = Params { prefix, fields };
            nested.allow(allowed)?;
            hashes.push(nested);
        }
        Ok(hashes)
    }

    /// Applies `metadata[k]=v` to existing metadata: an empty value deletes a key, and
    /// `metadata=` clears it, as Stripe does.
    pub fn apply_metadata(&self, existing: &mut Value) -> Result<(), ApiError> {
        let Some(sent) = self.fields.get("metadata") else {
            return Ok(());
        };
        let target = match existing {
            Value::Object(map) => map,
            other => {
                *other = Value::Object(Map::new());
                match other {
                    Value::Object(map) => map,
                    _ => return Ok(()),
                }
            }
        };
        match sent {
            Value::String(text) if text.is_empty() => target.clear(),
            Value::Object(entries) => {
                for (key, value) in entries {
                    match value {
                        Value::String(text) if text.is_empty() => {
                            target.remove(key);
                        }
                        Value::String(text) => {
                            check_metadata_entry(key, text)?;
                            target.insert(key.clone(), Value::String(text.clone()));
                        }
                        _ => {
                            return Err(ApiError::invalid_value(
                                &format!("metadata[{key}]"),
                                "Metadata values must be strings.",
                            ));
                        }
                    }
                }
                if target.len() > 50 {
                    return Err(ApiError::invalid_value(
                        "metadata",
                        "Metadata can have at most 50 keys.",
                    ));
                }
            }
            _ => {
                return Err(ApiError::invalid_value(
                    "metadata",
                    "Invalid hash: metadata must be a hash.",
                ));
            }
        }
        Ok(())
    }

    /// The `expand[]` (or `expand[0]`) paths of the request.
    pub fn expand(&self) -> Result<Vec<String>, ApiError> {
        self.string_list("expand")
    }

    /// All fields, for fingerprinting the request.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }
}

/// The longest metadata key Stripe accepts.
pub const METADATA_KEY_LIMIT: usize = 40;
/// The longest metadata value Stripe accepts.
pub const METADATA_VALUE_LIMIT: usize = 500;

/// Refuses a metadata key over 40 characters or a value over 500, with Stripe's own
/// wording ("Invalid key: … must be a string under 40 characters", `param` `metadata`).
fn check_metadata_entry(key: &str, value: &str) -> Result<(), ApiError> {
    if key.chars().count() > METADATA_KEY_LIMIT {
        return Err(ApiError::invalid_value(
            "metadata",
            format!(
                "Invalid key: {} must be a string under {METADATA_KEY_LIMIT} characters",
                echo(key)
            ),
        ));
    }
    if value.chars().count() > METADATA_VALUE_LIMIT {
        return Err(ApiError::invalid_value(
            "metadata",
            format!(
                "Invalid val: {} must be a string under {METADATA_VALUE_LIMIT} characters",
                echo(value)
            ),
        ));
    }
    Ok(())
}
