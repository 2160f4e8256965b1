//! # payforge-adyen: the typed Adyen Checkout SDK (API version 72)
//!
//! Every item of this crate is generated at build time by `payforge-generator` from the
//! pinned Adyen OpenAPI specs (`specs/adyen/provider.toml`: Checkout v72 and the three
//! webhook specs); see `docs/generated-code.md` for the shape of the code and
//! `generator/README.md` for how it is made.
//!
//! - One params struct per operation, grouped by the path's first segment (one cargo
//!   feature each: `payments`, `payment_methods`, `sessions`, …; `full` for all, `events`
//!   for typed webhook notifications). A JSON body's fields are the struct's fields, typed
//!   with the schema types: required ones are `new` arguments, optional ones builders.
//!   `Idempotency-Key` is never a field: the client sends the journaled key itself.
//! - `paymentMethod` is one enum, [`PaymentRequestPaymentMethod`], whose members are
//!   selected by their `type` (`scheme`, `ideal`, `klarna`, …); a `type` this SDK does not
//!   know decodes into `Unknown` with the raw JSON instead of failing. Actions
//!   ([`PaymentResponseAction`]) work the same way.
//! - String enums keep unknown values in `Unknown(String)`; `additionalData` is a
//!   `BTreeMap<String, String>`.
//!
//! ```
//! use payforge_adyen::{Amount, CreatePayment, PaymentRequestPaymentMethod};
//!
//! let card: PaymentRequestPaymentMethod = serde_json::from_value(serde_json::json!({
//!     "type": "scheme",
//!     "encryptedCardNumber": "test_4111111111111111",
//!     "encryptedExpiryMonth": "test_03",
//!     "encryptedExpiryYear": "test_2030",
//!     "encryptedSecurityCode": "test_737",
//! }))?;
//! assert!(matches!(card, PaymentRequestPaymentMethod::CardDetails(_)));
//! let amount = Amount { currency: "EUR".to_owned(), value: 1000 };
//! let payment = CreatePayment::new(
//!     amount,
//!     "YOUR_MERCHANT_ACCOUNT",
//!     card,
//!     "order-42",
//!     "https://shop.example/return",
//! )
//! .shopper_reference("shopper-7");
//! assert_eq!(serde_json::to_value(&payment)?["paymentMethod"]["type"], "scheme");
//! # Ok::<(), serde_json::Error>(())
//! ```
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
