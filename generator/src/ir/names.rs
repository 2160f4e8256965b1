//! Rust names, decided once: case conversion with `heck`, keyword escaping, and a registry
//! that keeps every type and operation name unique in the crate.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust's strict and reserved keywords (2024 edition), which a field name must not be.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Words for a leading digit, so `3d_secure` becomes `three_d_secure`.
const DIGITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// Spells out a leading digit (`3d` -> `three_d`), so the result can start an identifier;
/// leading punctuation, which case conversion drops, does not hide the digit (`_2EBOX` ->
/// `two_EBOX`).
fn spell_leading_digit(raw: &str) -> String {
    let raw = raw.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let mut chars = raw.chars();
    match chars.next().and_then(|c| c.to_digit(10)) {
        Some(digit) => format!("{}_{}", DIGITS[digit as usize], chars.as_str()),
        None => raw.to_owned(),
    }
}

/// A type or variant name: `payment_intent` -> `PaymentIntent`, `checkout.session` ->
/// `CheckoutSession`, `3d_secure` -> `ThreeDSecure`, `` -> `Empty`, `self` -> `SelfType`.
pub fn type_name(raw: &str) -> String {
    let name = spell_leading_digit(raw).to_upper_camel_case();
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if name.is_empty() {
        "Empty".to_owned()
    } else if name == "Self" {
        "SelfType".to_owned()
    } else {
        name
    }
}

/// The variants of the prelude's `Option` and `Result`, which a user's `match` or pattern
/// resolves to the prelude before an enum's own variant of the same name once that enum's
/// variants are imported (`use Status::*`), and which read as "no value" in every other
/// place: an enum value with one of these names takes the suffix `Value`.
const PRELUDE_VARIANTS: &[&str] = &["None", "Some", "Ok", "Err"];

/// The variant name of a string enum value: its type name, except for values with no
/// letter or digit, which are named after what they mean on the wire: `*` (every value, as
/// in a webhook endpoint's `enabled_events`) is `All`, the empty string `Empty`, and any
/// other punctuation is spelled out character by character (`-` -> `Hyphen`); versions
/// and dates keep their numbers apart (`2011-01-01` -> `V2011_01_01`). A name the prelude's
/// `Option` or `Result` has (`none` -> `NoneValue`) takes the suffix `Value`.
pub fn variant_name(value: &str) -> String {
    if let Some(version) = version_name(value) {
        return version;
    }
    if value.chars().any(|c| c.is_ascii_alphanumeric()) {
        let name = type_name(value);
        return if PRELUDE_VARIANTS.contains(&name.as_str()) {
            format!("{name}Value")
        } else {
            name
        };
    }
    if value == "*" {
        return "All".to_owned();
    }
    let words: String = value.chars().map(symbol_word).collect();
    if words.is_empty() {
        "Empty".to_owned()
    } else {
        words
    }
}

/// The name of a version or date value, digits and separators only (`1.0.2`,
/// `2011-01-01`): `V` and its numbers joined by `_` (`V1_0_2`, `V2011_01_01`), which keeps
/// the numbers apart where spelling out the first digit would not (`One02`).
fn version_name(value: &str) -> Option<String> {
    let starts_with_digit = value.starts_with(|c: char| c.is_ascii_digit());
    let digits_and_separators = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    (starts_with_digit && digits_and_separators).then(|| {
        let numbers: Vec<&str> = value
            .split(['.', '-', '_'])
            .filter(|n| !n.is_empty())
            .collect();
        format!("V{}", numbers.join("_"))
    })
}

/// The word for a punctuation character in a variant name.
fn symbol_word(c: char) -> &'static str {
    match c {
        '*' => "Star",
        '-' => "Hyphen",
        '+' => "Plus",
        '.' => "Dot",
        '/' => "Slash",
        '_' => "Underscore",
        '#' => "Hash",
        '@' => "At",
        '%' => "Percent",
        '&' => "Ampersand",
        '=' => "Equals",
        '?' => "Question",
        '!' => "Bang",
        ':' => "Colon",
        ' ' => "Space",
        _ => "Symbol",
    }
}

/// A field, parameter or module name: snake case, keywords escaped with a trailing `_`
/// (`type` -> `type_`), a leading digit spelled out.
pub fn field_name(raw: &str) -> String {
    let name = spell_leading_digit(raw).to_snake_case();
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() {
        "value".to_owned()
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Unique names within one scope (the crate's types and operations, or one enum's variants).
#[derive(Debug, Default)]
pub struct NameRegistry {
    taken: BTreeSet<String>,
}

impl NameRegistry {
    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Claims the first free name of `candidates`, or the last candidate with the smallest
    /// numeric suffix that is free.
    pub fn claim(&mut self, candidates: &[String]) -> String {
        let chosen = candidates
            .iter()
            .find(|candidate| !self.taken.contains(candidate.as_str()))
            .cloned()
            .unwrap_or_else(|| {
                let base = candidates
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "Type".to_owned());
                (2..)
                    .map(|n| format!("{base}{n}"))
                    .find(|name| !self.taken.contains(name))
                    .unwrap_or(base)
            });
        self.taken.insert(chosen.clone());
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rust_identifiers() {
        let cases = [
            ("payment_intent", "PaymentIntent", "payment_intent"),
            ("checkout.session", "CheckoutSession", "checkout_session"),
            ("3d_secure", "ThreeDSecure", "three_d_secure"),
            ("type", "Type", "type_"),
            ("self", "SelfType", "self_"),
            ("", "Empty", "value"),
            ("ssn_last_4", "SsnLast4", "ssn_last_4"),
            ("_2EBOX", "TwoEbox", "two_ebox"),
            ("-3d", "ThreeD", "three_d"),
        ];
        for (raw, ty, field) in cases {
            assert_eq!(type_name(raw), ty, "type name of {raw:?}");
            assert_eq!(field_name(raw), field, "field name of {raw:?}");
        }
    }

    #[test]
    fn variant_names_of_values_without_letters_say_what_the_value_is() {
        let cases = [
            ("*", "All"),
            ("", "Empty"),
            ("-", "Hyphen"),
            ("**", "StarStar"),
            ("3d_secure", "ThreeDSecure"),
            ("1.0.2", "V1_0_2"),
            ("2011-01-01", "V2011_01_01"),
            ("10", "V10"),
            ("charge.succeeded", "ChargeSucceeded"),
            ("none", "NoneValue"),
            ("some", "SomeValue"),
            ("ok", "OkValue"),
            ("err", "ErrValue"),
            ("none_of_these", "NoneOfThese"),
        ];
        for (value, variant) in cases {
            assert_eq!(variant_name(value), variant, "variant of {value:?}");
        }
    }

    #[test]
    fn the_registry_never_hands_out_a_name_twice() {
        let mut names = NameRegistry::default();
        let candidates = ["Status".to_owned(), "ChargeStatus".to_owned()];
        assert_eq!(names.claim(&candidates), "Status");
        assert_eq!(names.claim(&candidates), "ChargeStatus");
        assert_eq!(names.claim(&candidates), "ChargeStatus2");
    }
}
