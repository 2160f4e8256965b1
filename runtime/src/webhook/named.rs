//! Choosing a signature scheme by the name a provider profile gives (`provider.toml`'s
//! webhook scheme), so that provider knowledge stays data.

use super::adyen::AdyenHmac;
use super::error::SecretError;
use super::scheme::SignatureScheme;
use super::standard::StandardWebhooks;
use super::stripe::StripeSignature;

/// The scheme names payforge implements, as a provider profile writes them.
pub const SCHEME_NAMES: &[&str] = &[
    "stripe-v1",
    "standard-webhooks-v1",
    "adyen-hmac-v1",
    "adyen-hmac-body-v1",
];

/// Why a named scheme could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeSelectionError {
    /// The profile names a scheme this version does not implement.
    #[error(
        "unknown webhook signature scheme `{name}` (known: stripe-v1, standard-webhooks-v1, \
         adyen-hmac-v1, adyen-hmac-body-v1)"
    )]
    UnknownScheme {
        /// The name the profile gave.
        name: String,
    },
    /// The secrets do not suit the scheme.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Builds the scheme a profile names, with its default tolerance, from the active secrets.
pub fn scheme_by_name(
    name: &str,
    secrets: &[String],
) -> Result<Box<dyn SignatureScheme>, SchemeSelectionError> {
    match name {
        "stripe-v1" => Ok(Box::new(StripeSignature::new(secrets.iter().cloned())?)),
        "standard-webhooks-v1" => Ok(Box::new(StandardWebhooks::new(secrets)?)),
        "adyen-hmac-v1" => Ok(Box::new(AdyenHmac::notification_items(
            secrets.iter().cloned(),
        )?)),
        "adyen-hmac-body-v1" => Ok(Box::new(AdyenHmac::body_header(secrets.iter().cloned())?)),
        other => Err(SchemeSelectionError::UnknownScheme {
            name: other.to_owned(),
        }),
    }
}

impl SignatureScheme for Box<dyn SignatureScheme> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn verify(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<super::scheme::SignedMessage, super::error::VerificationError> {
        (**self).verify(headers, body, now)
    }

    fn envelope(&self) -> super::envelope::EnvelopeConvention {
        (**self).envelope()
    }

    fn acknowledgement(&self) -> super::scheme::Acknowledgement {
        (**self).acknowledgement()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_builds_the_scheme_of_that_name() -> Result<(), SchemeSelectionError> {
        let secrets = ["whsec_AAAA/AAAA+AAAA/AAAA+AAAA/AAAA+AA".to_owned()]; // audit:allow (a made-up test secret)
        let hex_keys = ["00".repeat(32)];
        for name in SCHEME_NAMES {
            let keys = if name.contains("hmac") {
                &hex_keys
            } else {
                &secrets
            };
            assert_eq!(scheme_by_name(name, keys)?.name(), *name);
        }
        assert_eq!(
            scheme_by_name("paypal-rsa", &secrets).err(),
            Some(SchemeSelectionError::UnknownScheme {
                name: "paypal-rsa".into()
            })
        );
        Ok(())
    }
}
