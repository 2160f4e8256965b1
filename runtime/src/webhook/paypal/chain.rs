//! A PayPal signing certificate chain: parsed with `x509-parser`, each link's signature
//! checked with the `rsa` crate, anchored in a root the application configured.

use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey as _;
use rsa::signature::Verifier as _;
use sha2::{Sha256, Sha384, Sha512};
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::{
    OID_PKCS1_SHA256WITHRSA, OID_PKCS1_SHA384WITHRSA, OID_PKCS1_SHA512WITHRSA,
};
use x509_parser::pem::Pem;

/// Why a certificate or chain was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes hold no PEM certificate, or one that does not parse.
    #[error("not a PEM X.509 certificate chain: {0}")]
    Unparsable(String),
    /// The certificate's key is not an RSA key the `rsa` crate accepts.
    #[error("certificate `{subject}` has no usable RSA public key")]
    NotRsa {
        /// The certificate's subject.
        subject: String,
    },
    /// No link leads from the certificate to a configured trust anchor.
    #[error("certificate `{subject}` does not chain to a configured root: {reason}")]
    Untrusted {
        /// The certificate where the chain broke.
        subject: String,
        /// What is missing or wrong.
        reason: String,
    },
}

/// One parsed certificate, kept with what verification needs later.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub(crate) der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

impl Link {
    fn parse(der: Vec<u8>) -> Result<Self, CertificateError> {
        let (subject, not_before, not_after) = {
            let cert = parse(&der)?;
            (
                cert.subject().to_string(),
                cert.validity().not_before.timestamp(),
                cert.validity().not_after.timestamp(),
            )
        };
        Ok(Self {
            der,
            subject,
            not_before,
            not_after,
        })
    }
}

/// A leaf certificate whose chain to a trust anchor was checked, and its RSA key.
#[derive(Clone, Debug)]
pub struct VerifiedChain {
    /// Leaf first, the trust anchor last.
    pub(crate) links: Vec<Link>,
    pub(crate) key: VerifyingKey<Sha256>,
}

impl VerifiedChain {
    /// The leaf certificate's subject.
    pub fn subject(&self) -> &str {
        self.links.first().map_or("", |link| link.subject.as_str())
    }

    /// The first certificate of the chain (leaf first) that is not valid at `now` (Unix
    /// seconds): its subject, and its validity period.
    pub fn invalid_at(&self, now: i64) -> Option<(&str, i64, i64)> {
        self.links
            .iter()
            .find(|link| now < link.not_before || now > link.not_after)
            .map(|link| (link.subject.as_str(), link.not_before, link.not_after))
    }

    /// Whether the leaf's key made `signature` (RSASSA-PKCS1-v1_5, SHA-256) over `message`;
    /// the comparison is the `rsa` crate's.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature)
            .is_ok_and(|signature| self.key.verify(message, &signature).is_ok())
    }
}

/// The configured roots a chain must end in.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    roots: Vec<Link>,
}

impl TrustAnchors {
    /// Trusts every certificate of `pem` as a root (typically one CA certificate).
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertificateError> {
        let roots = pem_ders(pem)?
            .into_iter()
            .map(Link::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { roots })
    }

    /// How many roots are trusted.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether no root is trusted (every chain is then refused).
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Checks a served chain (PEM, leaf first, intermediates after it in any order): every
    /// link's signature by its issuer, up to one of these roots.
    pub fn verify_chain(&self, pem: &[u8]) -> Result<VerifiedChain, CertificateError> {
        let served = pem_ders(pem)?
            .into_iter()
            .map(Link::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = served
            .first()
            .ok_or_else(|| CertificateError::Unparsable("no certificate".to_owned()))?;
        let key = rsa_key(leaf)?;
        let mut links = vec![leaf.clone()];
        // A chain never needs more links than it served plus its root.
        for _ in 0..=served.len() {
            let current = links.last().map_or(leaf, |link| link);
            if let Some(root) = self.issuer_root(current)? {
                if root.der != current.der {
                    links.push(root.clone());
                }
                return Ok(VerifiedChain {
                    links,
                    key: VerifyingKey::new(key),
                });
            }
            let next = issuer_among(current, &served)?;
            links.push(next.clone());
        }
        Err(CertificateError::Untrusted {
            subject: leaf.subject.clone(),
            reason: "the chain loops".to_owned(),
        })
    }

    /// The root that is `cert` itself or that signed it, if any.
    fn issuer_root(&self, cert: &Link) -> Result<Option<&Link>, CertificateError> {
        if let Some(root) = self.roots.iter().find(|root| root.der == cert.der) {
            return Ok(Some(root));
        }
        for root in &self.roots {
            if issued_by(cert, root)? {
                return Ok(Some(root));
            }
        }
        Ok(None)
    }
}

/// The served CA certificate that signed `cert`.
fn issuer_among<'s>(cert: &Link, served: &'s [Link]) -> Result<&'s Link, CertificateError> {
    for candidate in served.iter().filter(|other| other.der != cert.der) {
        if parse(&candidate.der)?.is_ca() && issued_by(cert, candidate)? {
            return Ok(candidate);
        }
    }
    Err(CertificateError::Untrusted {
        subject: cert.subject.clone(),
        reason: "neither a configured root nor a served CA certificate signed it".to_owned(),
    })
}

/// Whether `issuer`'s subject is `cert`'s issuer and `issuer`'s key signed `cert`.
fn issued_by(cert: &Link, issuer: &Link) -> Result<bool, CertificateError> {
    let parsed = parse(&cert.der)?;
    let issuer_parsed = parse(&issuer.der)?;
    if parsed.issuer().as_raw() != issuer_parsed.subject().as_raw() {
        return Ok(false);
    }
    let Ok(key) = RsaPublicKey::from_public_key_der(issuer_parsed.public_key().raw) else {
        return Ok(false);
    };
    let tbs = parsed.tbs_certificate.as_ref();
    let Ok(signature) = Signature::try_from(parsed.signature_value.data.as_ref()) else {
        return Ok(false);
    };
    let algorithm = &parsed.signature_algorithm.algorithm;
    let valid = if *algorithm == OID_PKCS1_SHA256WITHRSA {
        VerifyingKey::<Sha256>::new(key)
            .verify(tbs, &signature)
            .is_ok()
    } else if *algorithm == OID_PKCS1_SHA384WITHRSA {
        VerifyingKey::<Sha384>::new(key)
            .verify(tbs, &signature)
            .is_ok()
    } else if *algorithm == OID_PKCS1_SHA512WITHRSA {
        VerifyingKey::<Sha512>::new(key)
            .verify(tbs, &signature)
            .is_ok()
    } else {
        false
    };
    Ok(valid)
}

fn rsa_key(link: &Link) -> Result<RsaPublicKey, CertificateError> {
    let cert = parse(&link.der)?;
    RsaPublicKey::from_public_key_der(cert.public_key().raw).map_err(|_| CertificateError::NotRsa {
        subject: link.subject.clone(),
    })
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertificateError> {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, cert)| cert)
        .map_err(|error| CertificateError::Unparsable(error.to_string()))
}

/// The DER of every `CERTIFICATE` block of a PEM text.
fn pem_ders(pem: &[u8]) -> Result<Vec<Vec<u8>>, CertificateError> {
    let mut ders = Vec::new();
    for block in Pem::iter_from_buffer(pem) {
        let block = block.map_err(|error| CertificateError::Unparsable(error.to_string()))?;
        if block.label == "CERTIFICATE" {
            ders.push(block.contents);
        }
    }
    if ders.is_empty() {
        return Err(CertificateError::Unparsable(
            "no CERTIFICATE block".to_owned(),
        ));
    }
    Ok(ders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_a_parsable_certificate_is_refused_not_trusted() {
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        for input in [&b""[..], b"not pem", garbage] {
            assert!(
                matches!(
                    TrustAnchors::from_pem(input),
                    Err(CertificateError::Unparsable(_))
                ),
                "{input:?}"
            );
            assert!(
                matches!(
                    TrustAnchors::default().verify_chain(input),
                    Err(CertificateError::Unparsable(_))
                ),
                "{input:?}"
            );
        }
    }
}
