//! One decline vocabulary for every provider: [`DeclineCategory`] and the [`Decline`] view.
//!
//! Each provider names its declines its own way (Stripe's `insufficient_funds` decline
//! code, Adyen's refusal reason `12`, "Not enough balance"). Its error catalogue
//! (`specs/<provider>/errors.yaml`) maps every such code into one [`DeclineCategory`], as
//! data beside the code; the `ProviderError` derive turns that data into
//! [`ErrorCatalogue::decline_category`](crate::ErrorCatalogue::decline_category), and a
//! declined call answers [`Error::decline`](crate::Error::decline) with the same
//! [`Decline`] whatever the provider. A user who handles "insufficient funds" writes it once:
//!
//! ```
//! use payforge::{ApiError, DeclineCategory, Error};
//!
//! fn ask_for_another_card<E: ApiError>(error: &Error<E>) -> bool {
//!     error.decline().map(|decline| decline.category) == Some(DeclineCategory::InsufficientFunds)
//! }
//! ```
//!
//! The set follows Hyperswitch's unified codes in spirit: few enough to handle each, precise
//! enough to tell the customer what to do. A code that no catalogue maps (one added by the
//! provider after the SDK was generated) falls back to [`DeclineCategory::Unknown`].

use std::fmt;

/// A provider-neutral reason for a declined payment.
///
/// Marked `#[non_exhaustive]`: a later provider may need a category of its own, so a
/// `match` ends with a `_` arm (usually treated as [`DeclineCategory::Generic`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DeclineCategory {
    /// Not enough funds or credit on the card.
    InsufficientFunds,
    /// The card has expired.
    ExpiredCard,
    /// The security code (CVC) is wrong or failed the check.
    IncorrectCvc,
    /// The card number is wrong or not a card number.
    IncorrectNumber,
    /// The expiry month or year is wrong.
    IncorrectExpiry,
    /// The PIN is wrong, or too many wrong PINs were tried.
    IncorrectPin,
    /// The billing address or postal code failed the check (AVS).
    IncorrectAddress,
    /// The card was reported lost or stolen (or the issuer asks to keep it).
    LostOrStolen,
    /// The issuer, the acquirer or the provider's risk checks suspect fraud.
    FraudSuspected,
    /// The issuer declined without a specific reason ("do not honour", "call the issuer").
    Generic,
    /// A temporary problem (issuer unavailable, try again): the same card may succeed later.
    TryAgainLater,
    /// The issuer requires stronger customer authentication: 3-D Secure, a PIN, inserting
    /// the card.
    AuthenticationRequired,
    /// The payment failed in processing at the provider, acquirer or issuer.
    ProcessingError,
    /// The card cannot be used for this kind of payment (type, currency, merchant).
    CardNotSupported,
    /// The card is blocked or restricted by its issuer.
    RestrictedCard,
    /// An amount or count limit of the card was exceeded.
    LimitExceeded,
    /// The amount is not allowed.
    InvalidAmount,
    /// The card's account is invalid, closed or has changed.
    InvalidAccount,
    /// The issuer says never to try this card again for this merchant (revoked
    /// authorisation, stop-payment order, too many retries).
    DoNotRetry,
    /// The same payment was submitted very recently.
    DuplicateTransaction,
    /// The payment was cancelled (by the shopper or the merchant) before it completed.
    Cancelled,
    /// The fallback: a decline whose code no catalogue maps (a code newer than the SDK).
    /// The provider's code is in [`Decline::code`]; treat it as [`DeclineCategory::Generic`].
    Unknown,
}

impl DeclineCategory {
    /// Every category, fallback last.
    pub const ALL: [Self; 22] = [
        Self::InsufficientFunds,
        Self::ExpiredCard,
        Self::IncorrectCvc,
        Self::IncorrectNumber,
        Self::IncorrectExpiry,
        Self::IncorrectPin,
        Self::IncorrectAddress,
        Self::LostOrStolen,
        Self::FraudSuspected,
        Self::Generic,
        Self::TryAgainLater,
        Self::AuthenticationRequired,
        Self::ProcessingError,
        Self::CardNotSupported,
        Self::RestrictedCard,
        Self::LimitExceeded,
        Self::InvalidAmount,
        Self::InvalidAccount,
        Self::DoNotRetry,
        Self::DuplicateTransaction,
        Self::Cancelled,
        Self::Unknown,
    ];

    /// The snake-case name used in `errors.yaml` and in `#[provider_error(category = …)]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::IncorrectCvc => "incorrect_cvc",
            Self::IncorrectNumber => "incorrect_number",
            Self::IncorrectExpiry => "incorrect_expiry",
            Self::IncorrectPin => "incorrect_pin",
            Self::IncorrectAddress => "incorrect_address",
            Self::LostOrStolen => "lost_or_stolen",
            Self::FraudSuspected => "fraud_suspected",
            Self::Generic => "generic",
            Self::TryAgainLater => "try_again_later",
            Self::AuthenticationRequired => "authentication_required",
            Self::ProcessingError => "processing_error",
            Self::CardNotSupported => "card_not_supported",
            Self::RestrictedCard => "restricted_card",
            Self::LimitExceeded => "limit_exceeded",
            Self::InvalidAmount => "invalid_amount",
            Self::InvalidAccount => "invalid_account",
            Self::DoNotRetry => "do_not_retry",
            Self::DuplicateTransaction => "duplicate_transaction",
            Self::Cancelled => "cancelled",
            Self::Unknown => "unknown",
        }
    }

    /// A message fit to show the paying customer, the same for every provider. It never
    /// says "fraud" or "stolen": a customer told why a risk check failed learns how to
    /// pass it.
    pub fn customer_message(self) -> &'static str {
        match self {
            Self::InsufficientFunds => "Your card has insufficient funds.",
            Self::ExpiredCard => "Your card has expired.",
            Self::IncorrectCvc => "Your card's security code is incorrect.",
            Self::IncorrectNumber => "Your card number is incorrect.",
            Self::IncorrectExpiry => "Your card's expiration date is incorrect.",
            Self::IncorrectPin => "The PIN is incorrect.",
            Self::IncorrectAddress => "Your billing address or postal code is incorrect.",
            Self::TryAgainLater | Self::ProcessingError => {
                "Your payment could not be processed. Please try again."
            }
            Self::AuthenticationRequired => "Your card requires authentication.",
            Self::Cancelled => "Your payment was cancelled.",
            Self::DuplicateTransaction => "This payment was already submitted.",
            Self::LostOrStolen
            | Self::FraudSuspected
            | Self::Generic
            | Self::CardNotSupported
            | Self::RestrictedCard
            | Self::LimitExceeded
            | Self::InvalidAmount
            | Self::InvalidAccount
            | Self::DoNotRetry
            | Self::Unknown => "Your card was declined.",
        }
    }

    /// Whether the same card may succeed if the payment is tried again later (a new
    /// payment, not a retry of the declined request, which the provider would decline again).
    pub fn may_succeed_later(self) -> bool {
        matches!(self, Self::TryAgainLater | Self::ProcessingError)
    }
}

impl fmt::Display for DeclineCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A declined payment, the same shape for every provider: what
/// [`ApiError::decline`](crate::ApiError::decline) and
/// [`Error::decline`](crate::Error::decline) answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decline {
    /// The provider-neutral category, from the catalogue's mapping of [`Decline::code`].
    pub category: DeclineCategory,
    /// The provider's own code, as received: Stripe's decline code (or error code, when
    /// the decline has none), Adyen's refusal reason code.
    pub code: String,
    /// The provider's message for the decline (Stripe's `message`, Adyen's
    /// `refusalReason`), for logs; show the customer [`DeclineCategory::customer_message`].
    pub message: Option<String>,
}

impl fmt::Display for Decline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "declined ({}, code {})", self.category, self.code)?;
        match &self.message {
            Some(message) => write!(f, ": {message}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_is_listed_once_with_a_distinct_name() {
        let names: std::collections::BTreeSet<&str> =
            DeclineCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), DeclineCategory::ALL.len());
        assert_eq!(DeclineCategory::ALL.last(), Some(&DeclineCategory::Unknown));
    }

    #[test]
    fn customer_messages_never_reveal_risk_checks() {
        for category in DeclineCategory::ALL {
            let message = category.customer_message().to_ascii_lowercase();
            assert!(
                !message.contains("fraud") && !message.contains("stolen"),
                "{category}: {message}"
            );
        }
    }

    #[test]
    fn a_decline_displays_category_code_and_message() {
        let decline = Decline {
            category: DeclineCategory::InsufficientFunds,
            code: "12".to_owned(),
            message: Some("Not enough balance".to_owned()),
        };
        assert_eq!(
            decline.to_string(),
            "declined (insufficient_funds, code 12): Not enough balance"
        );
    }
}
