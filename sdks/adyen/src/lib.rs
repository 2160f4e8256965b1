//! # payforge-adyen: the typed Adyen Checkout SDK (API version 72)
//!
//! Every item of this crate is generated at build time by `payforge-generator` from the
//! pinned Adyen OpenAPI specs (`specs/adyen/provider.toml`); see `docs/generated-code.md`
//! for the shape of the code and `generator/README.md` for how it is made.
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
