//! Choosing a signature scheme by the name a provider profile gives (`provider.toml`'s
//! webhook scheme), so that provider knowledge stays data.

use std::sync::Arc;

use super::adyen::AdyenHmac;
use super::error::SecretError;
use super::paypal::{CertUrlPolicy, PaypalCertificates, PaypalSignature, TrustAnchors};
use super::scheme::SignatureScheme;
use super::standard::StandardWebhooks;
use super::stripe::StripeSignature;

/// The scheme names payforge implements, as a provider profile writes them.
pub const SCHEME_NAMES: &[&str] = &[
    "stripe-v1",
    "standard-webhooks-v1",
    "adyen-hmac-v1",
    "adyen-hmac-body-v1",
    "paypal-sha256withrsa",
];

/// Why a named scheme could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeSelectionError {
    /// The profile names a scheme this version does not implement.
    #[error(
        "unknown webhook signature scheme `{name}` (known: stripe-v1, standard-webhooks-v1, \
         adyen-hmac-v1, adyen-hmac-body-v1, paypal-sha256withrsa)"
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
///
/// `paypal-sha256withrsa` signs with certificates, not secrets: its first value is the
/// webhook id, every further value a PEM root its certificate chains must end in (at least
/// one); certificate URLs must be https on PayPal's hosts, and, with the `client` feature,
/// are fetched once each.
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
        "paypal-sha256withrsa" => Ok(Box::new(paypal_scheme(secrets)?)),
        other => Err(SchemeSelectionError::UnknownScheme {
            name: other.to_owned(),
        }),
    }
}

/// PayPal's local scheme from `[webhook id, root PEM, …]`.
fn paypal_scheme(values: &[String]) -> Result<PaypalSignature, SecretError> {
    let (webhook_id, roots) = values.split_first().ok_or(SecretError::NoSecrets)?;
    if webhook_id.trim().is_empty() {
        return Err(SecretError::Empty);
    }
    if roots.is_empty() {
        return Err(SecretError::NoTrustRoot);
    }
    let anchors = TrustAnchors::from_pem(roots.concat().as_bytes())
        .map_err(|error| SecretError::TrustRoot(error.to_string()))?;
    let certificates = PaypalCertificates::new(CertUrlPolicy::default(), anchors);
    #[cfg(feature = "client")]
    let certificates = {
        let fetcher = super::paypal::ReqwestFetcher::new()
            .map_err(|error| SecretError::TrustRoot(error.to_string()))?;
        certificates.with_fetcher(Arc::new(fetcher))
    };
    Ok(PaypalSignature::new(
        webhook_id.trim(),
        Arc::new(certificates),
    ))
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

    fn prepare<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
        body: &'a [u8],
    ) -> futures::future::BoxFuture<'a, Result<(), super::error::VerificationError>> {
        (**self).prepare(headers, body)
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
        for name in SCHEME_NAMES
            .iter()
            .filter(|name| !name.starts_with("paypal"))
        {
            let keys = if name.contains("hmac") {
                &hex_keys
            } else {
                &secrets
            };
            assert_eq!(scheme_by_name(name, keys)?.name(), *name);
        }
        // PayPal's scheme wants a webhook id and a root, and refuses to trust nothing.
        assert_eq!(
            scheme_by_name("paypal-sha256withrsa", &["WH-1".to_owned()]).err(),
            Some(SchemeSelectionError::Secret(SecretError::NoTrustRoot))
        );
        assert_eq!(
            scheme_by_name("paypal-rsa", &secrets).err(),
            Some(SchemeSelectionError::UnknownScheme {
                name: "paypal-rsa".into()
            })
        );
        Ok(())
    }
}
