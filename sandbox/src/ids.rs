//! Stripe-style object ids: a prefix and 24 random alphanumerics (`pi_3Nb…`).

use rand::Rng;
use rand::distributions::Alphanumeric;

/// A fresh id with Stripe's prefix for the object type, such as `cus` or `pi`.
pub fn new_id(prefix: &str) -> String {
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}_{suffix}")
}
