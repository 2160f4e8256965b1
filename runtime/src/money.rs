//! Money on the wire: ISO 4217 currencies. Amounts are integers in the currency's minor
//! unit (cents for USD, yen for JPY), as every provider sends them; never floats.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! currencies {
    ($($variant:ident = $code:literal, $minor:literal;)*) => {
        /// An ISO 4217 currency.
        ///
        /// Serialised as the lowercase three-letter code (`"usd"`), as Stripe sends it;
        /// decoding accepts any case. A code this list does not know yet decodes into
        /// [`Currency::Other`] rather than failing, so a provider that adds a currency
        /// breaks nothing.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Currency {
            $(
                #[doc = concat!("`", $code, "`")]
                $variant,
            )*
            /// A code not in this list, kept as received (lowercased).
            Other(String),
        }

        impl Currency {
            /// The lowercase ISO 4217 code, for example `"usd"`.
            pub fn code(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// The number of decimal places of the minor unit (2 for USD, 0 for JPY, 3 for
            /// KWD); 2 for an unknown code.
            pub fn minor_unit_digits(&self) -> u8 {
                match self {
                    $(Self::$variant => $minor,)*
                    Self::Other(_) => 2,
                }
            }

            fn from_lowercase(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

currencies! {
    Aed = "aed", 2; Afn = "afn", 2; All = "all", 2; Amd = "amd", 2; Ang = "ang", 2;
    Aoa = "aoa", 2; Ars = "ars", 2; Aud = "aud", 2; Awg = "awg", 2; Azn = "azn", 2;
    Bam = "bam", 2; Bbd = "bbd", 2; Bdt = "bdt", 2; Bgn = "bgn", 2; Bhd = "bhd", 3;
    Bif = "bif", 0; Bmd = "bmd", 2; Bnd = "bnd", 2; Bob = "bob", 2; Brl = "brl", 2;
    Bsd = "bsd", 2; Bwp = "bwp", 2; Byn = "byn", 2; Bzd = "bzd", 2; Cad = "cad", 2;
    Cdf = "cdf", 2; Chf = "chf", 2; Clp = "clp", 0; Cny = "cny", 2; Cop = "cop", 2;
    Crc = "crc", 2; Cve = "cve", 2; Czk = "czk", 2; Djf = "djf", 0; Dkk = "dkk", 2;
    Dop = "dop", 2; Dzd = "dzd", 2; Egp = "egp", 2; Etb = "etb", 2; Eur = "eur", 2;
    Fjd = "fjd", 2; Fkp = "fkp", 2; Gbp = "gbp", 2; Gel = "gel", 2; Gip = "gip", 2;
    Gmd = "gmd", 2; Gnf = "gnf", 0; Gtq = "gtq", 2; Gyd = "gyd", 2; Hkd = "hkd", 2;
    Hnl = "hnl", 2; Htg = "htg", 2; Huf = "huf", 2; Idr = "idr", 2; Ils = "ils", 2;
    Inr = "inr", 2; Isk = "isk", 0; Jmd = "jmd", 2; Jod = "jod", 3; Jpy = "jpy", 0;
    Kes = "kes", 2; Kgs = "kgs", 2; Khr = "khr", 2; Kmf = "kmf", 0; Krw = "krw", 0;
    Kwd = "kwd", 3; Kyd = "kyd", 2; Kzt = "kzt", 2; Lak = "lak", 2; Lbp = "lbp", 2;
    Lkr = "lkr", 2; Lrd = "lrd", 2; Lsl = "lsl", 2; Mad = "mad", 2; Mdl = "mdl", 2;
    Mga = "mga", 0; Mkd = "mkd", 2; Mmk = "mmk", 2; Mnt = "mnt", 2; Mop = "mop", 2;
    Mur = "mur", 2; Mvr = "mvr", 2; Mwk = "mwk", 2; Mxn = "mxn", 2; Myr = "myr", 2;
    Mzn = "mzn", 2; Nad = "nad", 2; Ngn = "ngn", 2; Nio = "nio", 2; Nok = "nok", 2;
    Npr = "npr", 2; Nzd = "nzd", 2; Omr = "omr", 3; Pab = "pab", 2; Pen = "pen", 2;
    Pgk = "pgk", 2; Php = "php", 2; Pkr = "pkr", 2; Pln = "pln", 2; Pyg = "pyg", 0;
    Qar = "qar", 2; Ron = "ron", 2; Rsd = "rsd", 2; Rub = "rub", 2; Rwf = "rwf", 0;
    Sar = "sar", 2; Sbd = "sbd", 2; Scr = "scr", 2; Sek = "sek", 2; Sgd = "sgd", 2;
    Shp = "shp", 2; Sle = "sle", 2; Sos = "sos", 2; Srd = "srd", 2; Std = "std", 2;
    Szl = "szl", 2; Thb = "thb", 2; Tjs = "tjs", 2; Tnd = "tnd", 3; Top = "top", 2;
    Try = "try", 2; Ttd = "ttd", 2; Twd = "twd", 2; Tzs = "tzs", 2; Uah = "uah", 2;
    Ugx = "ugx", 0; Usd = "usd", 2; Usdc = "usdc", 2; Uyu = "uyu", 2; Uzs = "uzs", 2;
    Vnd = "vnd", 0; Vuv = "vuv", 0; Wst = "wst", 2; Xaf = "xaf", 0; Xcd = "xcd", 2;
    Xof = "xof", 0; Xpf = "xpf", 0; Yer = "yer", 2; Zar = "zar", 2; Zmw = "zmw", 2;
}

impl FromStr for Currency {
    type Err = std::convert::Infallible;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_lowercase(&code.to_ascii_lowercase()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_lowercase(&code.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_survive() -> Result<(), serde_json::Error> {
        for (wire, expected) in [
            ("\"usd\"", Currency::Usd),
            ("\"EUR\"", Currency::Eur),
            ("\"jpy\"", Currency::Jpy),
            ("\"xyz\"", Currency::Other("xyz".to_owned())),
        ] {
            let decoded: Currency = serde_json::from_str(wire)?;
            assert_eq!(decoded, expected, "{wire}");
            assert_eq!(serde_json::to_string(&decoded)?, wire.to_ascii_lowercase());
        }
        assert_eq!(Currency::Jpy.minor_unit_digits(), 0);
        assert_eq!(Currency::Kwd.minor_unit_digits(), 3);
        Ok(())
    }
}
