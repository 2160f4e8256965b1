//! The currencies Stripe accepts for payments: ISO 4217 codes from Stripe's list of
//! supported presentment currencies (as of API version 2023-08-16), which the spec does not
//! enumerate (`currency` is a free string there). A code outside this list (`xyz`, or an ISO
//! code Stripe does not support) is refused as Stripe refuses it.

/// Stripe's supported currencies, lowercase, in the order Stripe's error message lists
/// them: `usd` first, then alphabetical.
pub const SUPPORTED: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
    "bdt", "bgn", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg",
    "huf", "idr", "ils", "inr", "isk", "jmd", "jpy", "kes", "kgs", "khr", "kmf", "krw", "kyd",
    "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop",
    "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "pab",
    "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd",
    "scr", "sek", "sgd", "shp", "sle", "sll", "sos", "srd", "std", "szl", "thb", "tjs", "top",
    "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd",
    "xof", "xpf", "yer", "zar", "zmw",
];

/// Whether `code` (lowercase) is one of Stripe's supported currencies.
pub fn is_supported(code: &str) -> bool {
    SUPPORTED.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_currencies_pass_and_made_up_codes_do_not() {
        let cases = [
            ("usd", true),
            ("eur", true),
            ("jpy", true),
            ("xof", true),
            ("xyz", false),
            ("xau", false), // ISO 4217 (gold), but not a currency Stripe charges in.
            ("us", false),
            ("", false),
        ];
        for (code, expected) in cases {
            assert_eq!(is_supported(code), expected, "{code}");
        }
    }

    #[test]
    fn the_list_is_usd_then_alphabetical_without_duplicates() {
        assert_eq!(SUPPORTED.first(), Some(&"usd"));
        assert!(SUPPORTED[1..].windows(2).all(|pair| pair[0] < pair[1]));
    }
}
