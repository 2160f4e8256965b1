//! # payforge-stripe: the typed Stripe SDK (API version 2023-08-16)
//!
//! Every item of this crate is generated at build time by `payforge-generator` from the
//! pinned Stripe OpenAPI spec (`specs/stripe/provider.toml`); see `docs/generated-code.md`
//! for the shape of the code and `generator/README.md` for how it is made.
//!
//! - One params struct per operation (`CreatePaymentIntent::new(amount, currency)` plus
//!   builder methods), annotated with `#[payforge::endpoint]`; send it with a
//!   `payforge::Client`.
//! - One type per schema, re-exported at the crate root; string enums keep unknown values
//!   in `Unknown(String)`; expandable fields are `payforge::wire::Expandable<T>`. A field
//!   whose inline type is shared with other fields has a type named after the field
//!   (`Charge::status` is a `ChargeStatus`), an alias where the type is declared elsewhere.
//! - Operations' `expand` parameters are typed by what they return:
//!   `RetrievePaymentIntent::new(id).expand([PaymentIntentExpand::LatestCharge])`, nested
//!   paths with `PaymentIntentExpand::latest_charge(ChargeExpand::BalanceTransaction)`,
//!   list operations adding `data.` themselves; `payforge::wire::ExpandPath::raw` for a
//!   path the SDK does not know.
//! - Ids are typed, one newtype per resource (`CustomerId`, `PaymentIntentId`,
//!   `PaymentMethodId`; docs/generated-code.md, "Typed ids"): a resource's `id`, the
//!   path parameters that address it and the request parameters named after it.
//!   Setters take `impl Into<CustomerId>`, so `"cus_123"` and a `String` still work, and an
//!   unexpanded `Expandable<Customer>` holds a `CustomerId`:
//!
//!   ```
//!   use payforge_stripe::{AttachPaymentMethod, CustomerId, PaymentMethodId};
//!
//!   let customer = CustomerId::from("cus_123");
//!   let card = PaymentMethodId::from("pm_card_visa");
//!   let _attach = AttachPaymentMethod::new(card, customer);
//!   let _attach = AttachPaymentMethod::new("pm_card_visa", String::from("cus_123"));
//!   ```
//!
//!   A payment method's id is no customer's:
//!
//!   ```compile_fail,E0277
//!   use payforge_stripe::{AttachPaymentMethod, PaymentMethodId};
//!
//!   let card = PaymentMethodId::from("pm_card_visa");
//!   let _attach = AttachPaymentMethod::new(card.clone(), card);
//!   ```
//! - [`errors`]: Stripe's error catalogue and the `StripeError` envelope.
//! - With the `events` feature, `EventObject`: typed webhook event payloads.
//!
//! Each resource group (the first path segment after `/v1/`) is a cargo feature; `full`
//! enables all of them. The default set is `customers`, `payment_intents`,
//! `payment_methods` and `refunds`. Timestamps are `i64` seconds since the Unix epoch;
//! amounts are `i64` in the currency's minor unit.
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
