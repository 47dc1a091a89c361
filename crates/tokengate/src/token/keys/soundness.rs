//! Refusing unsound asymmetric keys when they are loaded, with a message naming the problem,
//! rather than letting them fail every token later as "bad signature" (or, worse, work).
//!
//! The PEM is parsed with the curve and RSA crates, which check what jsonwebtoken's PEM
//! decoding does not: that an EC key's curve is the algorithm's and its point lies on it.

// One pkcs8 crate underlies rsa, p256, p384 and ed25519-dalek: its traits parse all four.
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts;

use super::{Algorithm, KeyError};

/// The smallest RSA modulus accepted, in bits (RFC 7518 section 3.3).
pub const MIN_RSA_BITS: usize = 2048;

/// Whether `pem` is a public key (SPKI, or PKCS#1 for RSA) fit for `alg`.
pub(super) fn check_public(alg: Algorithm, pem: &str) -> Result<(), KeyError> {
    match alg {
        alg if alg.is_rsa() => {
            let key = rsa::RsaPublicKey::from_public_key_pem(pem)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
                // The rsa crate refuses some unsound keys outright; say why when we can.
                .map_err(|_| raw_rsa_problem(pem).unwrap_or(KeyError::InvalidPem(alg)))?;
            check_rsa(&key)
        }
        Algorithm::ES256 => p256::PublicKey::from_public_key_pem(pem)
            .map(drop)
            .map_err(|_| KeyError::NotOnCurve(alg)),
        Algorithm::ES384 => p384::PublicKey::from_public_key_pem(pem)
            .map(drop)
            .map_err(|_| KeyError::NotOnCurve(alg)),
        Algorithm::EdDSA => ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
            .map(drop)
            .map_err(|_| KeyError::InvalidPem(alg)),
        _ => Err(KeyError::WrongKeyKind(alg)),
    }
}

/// Whether `pem` is a private key (PKCS#8, or PKCS#1 for RSA, SEC1 for EC) fit for `alg`.
pub(super) fn check_private(alg: Algorithm, pem: &str) -> Result<(), KeyError> {
    match alg {
        alg if alg.is_rsa() => {
            let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
                .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
                .map_err(|_| KeyError::InvalidPem(alg))?;
            check_rsa(&key.to_public_key())
        }
        Algorithm::ES256 => p256::SecretKey::from_pkcs8_pem(pem)
            .or_else(|_| p256::SecretKey::from_sec1_pem(pem))
            .map(drop)
            .map_err(|_| KeyError::NotOnCurve(alg)),
        Algorithm::ES384 => p384::SecretKey::from_pkcs8_pem(pem)
            .or_else(|_| p384::SecretKey::from_sec1_pem(pem))
            .map(drop)
            .map_err(|_| KeyError::NotOnCurve(alg)),
        Algorithm::EdDSA => ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(drop)
            .map_err(|_| KeyError::InvalidPem(alg)),
        _ => Err(KeyError::WrongKeyKind(alg)),
    }
}

fn check_rsa(key: &rsa::RsaPublicKey) -> Result<(), KeyError> {
    check_rsa_numbers(&key.n().to_bytes_be(), &key.e().to_bytes_be())
}

/// The checks on the big-endian modulus and exponent of an RSA public key.
pub(super) fn check_rsa_numbers(modulus: &[u8], exponent: &[u8]) -> Result<(), KeyError> {
    let bits = significant_bits(modulus);
    if bits < MIN_RSA_BITS {
        return Err(KeyError::RsaTooSmall { bits });
    }
    let odd = exponent.last().is_some_and(|low| low & 1 == 1);
    if significant_bits(exponent) < 2 || !odd {
        return Err(KeyError::RsaExponent);
    }
    Ok(())
}

fn significant_bits(big_endian: &[u8]) -> usize {
    let mut bytes = big_endian.iter().skip_while(|b| **b == 0);
    match bytes.next() {
        Some(first) => 8 * bytes.count() + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// What is wrong with an RSA public key PEM (PKCS#1 or SPKI) that the rsa crate would not
/// load, read from its numbers without validating them; `None` if it is not RSA at all.
fn raw_rsa_problem(pem: &str) -> Option<KeyError> {
    use rsa::pkcs8::der::{Decode, Document};
    let (label, document) = Document::from_pem(pem).ok()?;
    let spki;
    let pkcs1 = match label {
        "RSA PUBLIC KEY" => document.as_bytes(),
        "PUBLIC KEY" => {
            spki = rsa::pkcs8::SubjectPublicKeyInfoRef::from_der(document.as_bytes()).ok()?;
            spki.subject_public_key.as_bytes()?
        }
        _ => return None,
    };
    let numbers = rsa::pkcs1::RsaPublicKey::from_der(pkcs1).ok()?;
    check_rsa_numbers(
        numbers.modulus.as_bytes(),
        numbers.public_exponent.as_bytes(),
    )
    .err()
}

#[cfg(test)]
mod tests {
    use super::significant_bits;

    #[test]
    fn bits_count_from_the_highest_one() {
        assert_eq!(significant_bits(&[0, 0, 1]), 1);
        assert_eq!(significant_bits(&[0x01, 0x00]), 9);
        assert_eq!(significant_bits(&[0x80; 256]), 2048);
        assert_eq!(significant_bits(&[0, 0]), 0);
    }
}
