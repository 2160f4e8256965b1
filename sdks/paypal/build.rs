//! Generates the PayPal SDK from the pinned specs (`specs/paypal/provider.toml`: Orders v2,
//! Payments v2, Subscriptions v1 and Webhooks Management v1, read from `$PAYFORGE_SPECS_DIR`)
//! into `OUT_DIR`; `src/lib.rs` includes it. Nothing generated is committed.

fn main() {
    if let Err(error) = payforge_generator::build_script("../../specs/paypal/provider.toml") {
        eprintln!("payforge-paypal: cannot generate the SDK: {error}");
        std::process::exit(1);
    }
}
