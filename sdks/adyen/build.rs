//! Generates the Adyen Checkout SDK from the pinned specs (`specs/adyen/provider.toml`, specs
//! read from `$PAYFORGE_SPECS_DIR`) into `OUT_DIR`; `src/lib.rs` includes it. Nothing
//! generated is committed.

fn main() {
    if let Err(error) = payforge_generator::build_script("../../specs/adyen/provider.toml") {
        eprintln!("payforge-adyen: cannot generate the SDK: {error}");
        std::process::exit(1);
    }
}
