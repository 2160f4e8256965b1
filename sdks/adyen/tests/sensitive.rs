//! Card data never reaches a `Debug` print: the profile's `sensitive_fields` apply
//! everywhere (`sensitive_sites = "everywhere"`), so the component schemas Adyen's request
//! bodies are made of (`CardDetails`, `SepaDirectDebitDetails`, …) wrap them in
//! `payforge::Sensitive`, while the JSON body still carries the real values.
#![cfg(feature = "payments")]

use payforge_adyen::{
    Amount, CardDetails, CreatePayment, PaymentRequestPaymentMethod, SepaDirectDebitDetails,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const NUMBER: &str = "4111111111111111";
const CVC: &str = "737";

/// Raw card data, as a PCI-compliant merchant sends it, and the client-side encrypted form.
fn card_json() -> Value {
    json!({
        "type": "scheme",
        "number": NUMBER,
        "expiryMonth": "03",
        "expiryYear": "2030",
        "cvc": CVC,
        "holderName": "John Smith",
        "encryptedCardNumber": "adyenjs_0_1_25$cardnumber",
        "encryptedExpiryMonth": "adyenjs_0_1_25$expirymonth",
        "encryptedExpiryYear": "adyenjs_0_1_25$expiryyear",
        "encryptedSecurityCode": "adyenjs_0_1_25$securitycode",
        "encryptedPassword": "adyenjs_0_1_25$password",
    })
}

/// The secrets of [`card_json`]: none may appear in a `Debug` print.
const SECRETS: [&str; 7] = [
    NUMBER,
    CVC,
    "$cardnumber",
    "$expirymonth",
    "$expiryyear",
    "$securitycode",
    "$password",
];

fn assert_redacted(debug: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!debug.contains(secret), "{secret} leaked into {debug}");
    }
}

#[test]
fn card_details_debug_shows_no_card_data() -> TestResult {
    let card: CardDetails = serde_json::from_value(card_json())?;

    let debug = format!("{card:?}");

    assert_redacted(&debug, &SECRETS);
    assert!(
        debug.contains("John Smith"),
        "what is not sensitive stays readable: {debug}"
    );
    let number = card.number.as_ref().ok_or("the number")?;
    assert_eq!(number.expose(), NUMBER, "the value is kept, only hidden");
    Ok(())
}

#[test]
fn a_payment_carries_the_card_in_its_body_but_not_in_its_debug() -> TestResult {
    let card: PaymentRequestPaymentMethod = serde_json::from_value(card_json())?;
    let amount = Amount {
        currency: "EUR".to_owned(),
        value: 1000,
    };
    let payment = CreatePayment::new(
        amount,
        "ShopECOM",
        card,
        "order-1",
        "https://shop.example/return",
    );

    assert_redacted(&format!("{payment:?}"), &SECRETS);
    assert_redacted(&format!("{payment:#?}"), &SECRETS);
    let body = serde_json::to_value(&payment)?;
    assert_eq!(
        body["paymentMethod"],
        card_json(),
        "the wire gets every value"
    );
    Ok(())
}

#[test]
fn bank_and_identity_data_are_hidden_too() -> TestResult {
    let sepa: SepaDirectDebitDetails = serde_json::from_value(json!({
        "type": "sepadirectdebit",
        "iban": "NL13TEST0123456789",
        "ownerName": "A. Schneider",
    }))?;
    assert_redacted(&format!("{sepa:?}"), &["NL13TEST0123456789"]);
    assert_eq!(
        serde_json::to_value(&sepa)?["iban"],
        "NL13TEST0123456789",
        "the wire gets the IBAN"
    );
    Ok(())
}
