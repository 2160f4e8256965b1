//! Stripe's test cards and test payment methods, and what happens when they are charged.
//!
//! The table follows `specs/stripe/test-cards.yaml`. The sandbox never stores a card
//! number: a payment method keeps its brand, last four digits and [`Behaviour`].

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// What charging a test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// The charge succeeds.
    Succeed,
    /// The charge is declined with this `code` and `decline_code`.
    Decline(Decline),
    /// Every payment needs 3-D Secure; off-session payments are declined.
    AlwaysAuthenticate,
    /// Like [`Behaviour::AlwaysAuthenticate`], then declined for insufficient funds.
    AuthenticateThenDecline,
    /// On-session payments need 3-D Secure; off-session ones succeed.
    AuthenticateOnSetup,
    /// Declined as `incorrect_cvc` when a CVC was supplied, otherwise succeeds.
    CvcCheckFail,
}

/// The reasons a test card declines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decline {
    /// `card_declined` / `generic_decline`.
    Generic,
    /// `card_declined` / `insufficient_funds`.
    InsufficientFunds,
    /// `card_declined` / `lost_card`.
    LostCard,
    /// `card_declined` / `stolen_card`.
    StolenCard,
    /// `expired_card`.
    ExpiredCard,
    /// `incorrect_cvc`.
    IncorrectCvc,
    /// `processing_error`.
    ProcessingError,
    /// `card_declined` / `card_velocity_exceeded`.
    VelocityExceeded,
    /// `card_declined` / `fraudulent` (Radar block).
    Fraudulent,
    /// `card_declined` / `authentication_required` (off-session without 3-D Secure).
    AuthenticationRequired,
}

impl Decline {
    /// Stripe's `(code, decline_code, message)` for this decline.
    pub fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Generic => (
                "card_declined",
                "generic_decline",
                "Your card was declined.",
            ),
            Self::InsufficientFunds => (
                "card_declined",
                "insufficient_funds",
                "Your card has insufficient funds.",
            ),
            Self::LostCard => ("card_declined", "lost_card", "Your card was declined."),
            Self::StolenCard => ("card_declined", "stolen_card", "Your card was declined."),
            Self::ExpiredCard => ("expired_card", "expired_card", "Your card has expired."),
            Self::IncorrectCvc => (
                "incorrect_cvc",
                "incorrect_cvc",
                "Your card's security code is incorrect.",
            ),
            Self::ProcessingError => (
                "processing_error",
                "processing_error",
                "An error occurred while processing your card. Try again in a little bit.",
            ),
            Self::VelocityExceeded => (
                "card_declined",
                "card_velocity_exceeded",
                "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
            ),
            Self::Fraudulent => ("card_declined", "fraudulent", "Your card was declined."),
            Self::AuthenticationRequired => (
                "authentication_required",
                "authentication_required",
                "Your card was declined. This transaction requires authentication.",
            ),
        }
    }
}

/// One row of the test-card table.
#[derive(Debug, Clone, Copy)]
pub struct TestCard {
    /// The full test number.
    pub number: &'static str,
    /// Stripe's brand name.
    pub brand: &'static str,
    /// `credit`, `debit` or `prepaid`.
    pub funding: &'static str,
    /// The `pm_card_…` id that stands for this card, if any.
    pub payment_method: Option<&'static str>,
    /// The `tok_…` id that stands for this card, if any.
    pub token: Option<&'static str>,
    /// What charging it does.
    pub behaviour: Behaviour,
}

const fn card(
    number: &'static str,
    brand: &'static str,
    pm: &'static str,
    tok: &'static str,
    behaviour: Behaviour,
) -> TestCard {
    TestCard {
        number,
        brand,
        funding: "credit",
        payment_method: if pm.is_empty() { None } else { Some(pm) },
        token: if tok.is_empty() { None } else { Some(tok) },
        behaviour,
    }
}

const fn funded(mut card: TestCard, funding: &'static str) -> TestCard {
    card.funding = funding;
    card
}

use Behaviour::{
    AlwaysAuthenticate, AuthenticateOnSetup, AuthenticateThenDecline, CvcCheckFail, Succeed,
};

/// Every test card the sandbox knows, from `specs/stripe/test-cards.yaml`.
pub const TEST_CARDS: &[TestCard] = &[
    card(
        "4242424242424242",
        "visa",
        "pm_card_visa",
        "tok_visa",
        Succeed,
    ),
    funded(
        card(
            "4000056655665556",
            "visa",
            "pm_card_visa_debit",
            "tok_visa_debit",
            Succeed,
        ),
        "debit",
    ),
    card(
        "5555555555554444",
        "mastercard",
        "pm_card_mastercard",
        "tok_mastercard",
        Succeed,
    ),
    card("2223003122003222", "mastercard", "", "", Succeed),
    funded(
        card(
            "5200828282828210",
            "mastercard",
            "pm_card_mastercard_debit",
            "tok_mastercard_debit",
            Succeed,
        ),
        "debit",
    ),
    funded(
        card(
            "5105105105105100",
            "mastercard",
            "pm_card_mastercard_prepaid",
            "tok_mastercard_prepaid",
            Succeed,
        ),
        "prepaid",
    ),
    card(
        "378282246310005",
        "amex",
        "pm_card_amex",
        "tok_amex",
        Succeed,
    ),
    card(
        "371449635398431",
        "amex",
        "pm_card_amex_threeDSecureNotSupported",
        "tok_amex_threeDSecureNotSupported",
        Succeed,
    ),
    card(
        "6011111111111117",
        "discover",
        "pm_card_discover",
        "tok_discover",
        Succeed,
    ),
    card("6011000990139424", "discover", "", "", Succeed),
    card(
        "3056930009020004",
        "diners",
        "pm_card_diners",
        "tok_diners",
        Succeed,
    ),
    card("36227206271667", "diners", "", "", Succeed),
    card("3566002020360505", "jcb", "pm_card_jcb", "tok_jcb", Succeed),
    card(
        "6200000000000005",
        "unionpay",
        "pm_card_unionpay",
        "tok_unionpay",
        Succeed,
    ),
    card("4012888888881881", "visa", "", "", Succeed),
    card(
        "4000000000000077",
        "visa",
        "pm_card_bypassPending",
        "tok_bypassPending",
        Succeed,
    ),
    card(
        "4000000000000093",
        "visa",
        "pm_card_domesticPricing",
        "tok_domesticPricing",
        Succeed,
    ),
    card(
        "4000000000000010",
        "visa",
        "pm_card_avsFail",
        "tok_avsFail",
        Succeed,
    ),
    card(
        "4000000000000028",
        "visa",
        "pm_card_avsLine1Fail",
        "tok_avsLine1Fail",
        Succeed,
    ),
    card(
        "4000000000000036",
        "visa",
        "pm_card_avsZipFail",
        "tok_avsZipFail",
        Succeed,
    ),
    card(
        "4000000000000044",
        "visa",
        "pm_card_avsUnchecked",
        "tok_avsUnchecked",
        Succeed,
    ),
    card(
        "4000000000000259",
        "visa",
        "pm_card_createDispute",
        "tok_createDispute",
        Succeed,
    ),
    card(
        "4000000000005126",
        "visa",
        "pm_card_refundFail",
        "tok_refundFail",
        Succeed,
    ),
    card(
        "4000000000003055",
        "visa",
        "pm_card_threeDSecureOptional",
        "tok_threeDSecureOptional",
        Succeed,
    ),
    card(
        "4000000000000002",
        "visa",
        "pm_card_chargeDeclined",
        "tok_chargeDeclined",
        Behaviour::Decline(Decline::Generic),
    ),
    card(
        "4000000000009995",
        "visa",
        "pm_card_chargeDeclinedInsufficientFunds",
        "tok_chargeDeclinedInsufficientFunds",
        Behaviour::Decline(Decline::InsufficientFunds),
    ),
    card(
        "4000000000009987",
        "visa",
        "pm_card_chargeDeclinedLostCard",
        "tok_chargeDeclinedLostCard",
        Behaviour::Decline(Decline::LostCard),
    ),
    card(
        "4000000000009979",
        "visa",
        "pm_card_chargeDeclinedStolenCard",
        "tok_chargeDeclinedStolenCard",
        Behaviour::Decline(Decline::StolenCard),
    ),
    card(
        "4000000000000069",
        "visa",
        "pm_card_chargeDeclinedExpiredCard",
        "tok_chargeDeclinedExpiredCard",
        Behaviour::Decline(Decline::ExpiredCard),
    ),
    card(
        "4000000000000127",
        "visa",
        "pm_card_chargeDeclinedIncorrectCvc",
        "tok_chargeDeclinedIncorrectCvc",
        Behaviour::Decline(Decline::IncorrectCvc),
    ),
    card(
        "4000000000000119",
        "visa",
        "pm_card_chargeDeclinedProcessingError",
        "tok_chargeDeclinedProcessingError",
        Behaviour::Decline(Decline::ProcessingError),
    ),
    card(
        "4000000000006975",
        "visa",
        "pm_card_chargeDeclinedVelocityLimitExceeded",
        "",
        Behaviour::Decline(Decline::VelocityExceeded),
    ),
    card(
        "4100000000000019",
        "visa",
        "pm_card_radarBlock",
        "",
        Behaviour::Decline(Decline::Fraudulent),
    ),
    card(
        "4000000000000341",
        "visa",
        "pm_card_chargeCustomerFail",
        "tok_chargeCustomerFail",
        Behaviour::Decline(Decline::Generic),
    ),
    card(
        "4000000000000101",
        "visa",
        "pm_card_cvcCheckFail",
        "tok_cvcCheckFail",
        CvcCheckFail,
    ),
    card(
        "4000002500003155",
        "visa",
        "pm_card_authenticationRequiredOnSetup",
        "",
        AuthenticateOnSetup,
    ),
    card(
        "4000002760003184",
        "visa",
        "pm_card_authenticationRequired",
        "tok_authenticationRequired",
        AlwaysAuthenticate,
    ),
    card(
        "4000008260003178",
        "visa",
        "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
        "",
        AuthenticateThenDecline,
    ),
    card(
        "4000000000003220",
        "visa",
        "pm_card_threeDSecure2Required",
        "tok_threeDSecure2Required",
        AlwaysAuthenticate,
    ),
    card(
        "4000000000003063",
        "visa",
        "pm_card_threeDSecureRequired",
        "tok_threeDSecureRequired",
        AlwaysAuthenticate,
    ),
];

/// The card a `pm_card_…` id stands for.
pub fn by_payment_method(id: &str) -> Option<&'static TestCard> {
    TEST_CARDS
        .iter()
        .find(|card| card.payment_method == Some(id))
}

/// The card a `tok_…` id stands for.
pub fn by_token(id: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.token == Some(id))
}

/// A card number's brand and behaviour: a test card from the table, or any other number
/// that passes the Luhn check (which then succeeds). Numbers that fail the check are
/// refused with `incorrect_number`, as Stripe refuses them.
pub fn by_number(number: &str) -> Result<TestCard, ApiError> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(known) = TEST_CARDS.iter().find(|card| card.number == digits) {
        return Ok(*known);
    }
    let plausible = (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if !plausible || !passes_luhn(&digits) {
        return Err(
            ApiError::card("incorrect_number", None, "Your card number is incorrect.")
                .with_param("card[number]"),
        );
    }
    let brand = match digits.as_bytes()[0] {
        b'4' => "visa",
        b'5' | b'2' => "mastercard",
        b'3' => "amex",
        b'6' => "discover",
        _ => "unknown",
    };
    Ok(TestCard {
        number: "",
        brand,
        funding: "credit",
        payment_method: None,
        token: None,
        behaviour: Succeed,
    })
}

fn passes_luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_number_passes_luhn_except_none() {
        for card in TEST_CARDS {
            assert!(passes_luhn(card.number), "{}", card.number);
        }
        assert!(!passes_luhn("4242424242424241"));
    }
}
