//! Generates the Stripe SDK from the pinned spec (`specs/stripe/provider.toml`, spec read
//! from `$PAYFORGE_SPECS_DIR`) into `OUT_DIR`; `src/lib.rs` includes it. Nothing generated
//! is committed.

fn main() {
    if let Err(error) = payforge_generator::build_script("../../specs/stripe/provider.toml") {
        eprintln!("payforge-stripe: cannot generate the SDK: {error}");
        std::process::exit(1);
    }
}
