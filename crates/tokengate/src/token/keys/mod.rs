//! Keys, each bound to exactly one algorithm, and key sets selected by `kid`.
//!
//! This module holds [`Key`] and [`KeyError`]; the algorithms, the HMAC machinery, key sets,
//! JWK publishing and reading JWKs and JWK sets live in the submodules below and are
//! re-exported here.

pub(crate) mod algorithm;
mod backend;
mod hmac;
mod jwk;
mod jwk_import;
mod jwks;
mod key_set;
mod soundness;

pub use algorithm::{Algorithm, DPOP_ALGORITHMS};
pub use backend::{crypto_backend, install_crypto_backend};
pub use jwk_import::JwkError;
pub use jwks::{JwksError, JwksKeys, SkippedJwk};
pub use key_set::KeySet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{DecodingKey, EncodingKey};
use std::fmt;
use std::sync::Arc;

use self::hmac::HmacKey;
use crate::token::error::AuthError;

/// Why a key could not be made or used. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The algorithm name is not one tokengate supports.
    #[error(
        "unknown algorithm (expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, \
         PS384, PS512, ES256, ES384, EdDSA)"
    )]
    UnknownAlgorithm,
    /// An HMAC secret is shorter than the hash output.
    #[error("a {alg} secret must be at least {min} bytes long, got {actual}")]
    SecretTooShort {
        /// The algorithm.
        alg: Algorithm,
        /// The minimum length.
        min: usize,
        /// The length that was given.
        actual: usize,
    },
    /// A secret was given for an asymmetric algorithm, or a PEM for an HMAC one.
    #[error("{0} cannot be used with this kind of key")]
    WrongKeyKind(Algorithm),
    /// The PEM could not be parsed as a key for the algorithm.
    #[error("the PEM is not a valid {0} key")]
    InvalidPem(Algorithm),
    /// An RSA modulus below 2048 bits (RFC 7518 section 3.3).
    #[error("an RSA key must have at least 2048 bits, this one has {bits}")]
    RsaTooSmall {
        /// The modulus size that was given.
        bits: usize,
    },
    /// An RSA public exponent that is even or below 3.
    #[error("the RSA public exponent must be odd and at least 3")]
    RsaExponent,
    /// An EC key on another curve than the algorithm's, or whose point is not on the curve.
    #[error("the key is not a point on the curve {0} uses ({curve} for {0})", curve = .0.curve().unwrap_or("no curve"))]
    NotOnCurve(Algorithm),
    /// The key can verify but not sign (a public key).
    #[error("the key cannot sign: it is a public key")]
    CannotSign,
}

/// What a key holds. The JWK of a private key is derived once, when the key is made.
enum Material {
    Hmac(HmacKey),
    Asymmetric {
        signing: Option<EncodingKey>,
        verifying: DecodingKey,
        public_jwk: Option<Jwk>,
    },
}

/// A key bound to exactly one algorithm, optionally named by a `kid`.
///
/// A token is only ever checked with the algorithm its key is bound to, whatever its header
/// says, which closes algorithm-confusion attacks (RFC 8725 section 2.1). `Debug` never shows
/// key material.
///
/// ```
/// use tokengate::{Algorithm, Key};
///
/// let key = Key::hmac(Algorithm::HS256, b"an HS256 secret of at least 32 bytes!").unwrap();
/// assert_eq!(key.algorithm(), Algorithm::HS256);
/// assert!(Key::hmac(Algorithm::HS256, b"short").is_err());
/// assert!(!format!("{key:?}").contains("at least 32"));
/// ```
#[derive(Clone)]
pub struct Key {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    material: Arc<Material>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.material {
            Material::Hmac(_) => "secret",
            Material::Asymmetric {
                signing: Some(_), ..
            } => "private",
            Material::Asymmetric { signing: None, .. } => "public",
        };
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("kind", &kind)
            .field("material", &"<redacted>")
            .finish()
    }
}

impl Key {
    /// An HMAC key. Refuses a secret shorter than the hash output (32, 48 or 64 bytes).
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Key, KeyError> {
        // HMAC never uses the provider, but an app that makes only HMAC keys may still call
        // jsonwebtoken itself.
        install_crypto_backend();
        let min = alg.min_secret_len().ok_or(KeyError::WrongKeyKind(alg))?;
        if secret.len() < min {
            return Err(KeyError::SecretTooShort {
                alg,
                min,
                actual: secret.len(),
            });
        }
        let hmac = HmacKey::new(alg, secret).ok_or(KeyError::WrongKeyKind(alg))?;
        Ok(Key::new(alg, Material::Hmac(hmac)))
    }

    /// A signing key from a PKCS#8 (or PKCS#1 for RSA, SEC1 for EC) private key PEM. The
    /// public half is derived, so the key also verifies and can be published as a JWK.
    /// Unsound keys are refused here, naming the problem: RSA moduli under 2048 bits, RSA
    /// exponents that are even or below 3, EC keys of another curve, PEMs of another kind.
    pub fn from_private_pem(alg: Algorithm, pem: &[u8]) -> Result<Key, KeyError> {
        install_crypto_backend();
        let text = std::str::from_utf8(pem).map_err(|_| KeyError::InvalidPem(alg))?;
        soundness::check_private(alg, text)?;
        let signing = match alg {
            alg if alg.is_rsa() => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            _ => return Err(KeyError::WrongKeyKind(alg)),
        }
        .map_err(|_| KeyError::InvalidPem(alg))?;
        let mut jwk = Jwk::from_encoding_key(&signing, alg.to_jwt())
            .map_err(|_| KeyError::InvalidPem(alg))?;
        jwk.common.key_algorithm = None;
        let verifying = DecodingKey::from_jwk(&jwk).map_err(|_| KeyError::InvalidPem(alg))?;
        Ok(Key::new(
            alg,
            Material::Asymmetric {
                signing: Some(signing),
                verifying,
                public_jwk: Some(jwk),
            },
        ))
    }

    /// A verify-only key from a public key PEM (SPKI, or PKCS#1 for RSA), refused like
    /// [`from_private_pem`](Self::from_private_pem) refuses when unsound (and an EC point
    /// that is not on the curve).
    pub fn from_public_pem(alg: Algorithm, pem: &[u8]) -> Result<Key, KeyError> {
        install_crypto_backend();
        let text = std::str::from_utf8(pem).map_err(|_| KeyError::InvalidPem(alg))?;
        soundness::check_public(alg, text)?;
        let verifying = match alg {
            alg if alg.is_rsa() => DecodingKey::from_rsa_pem(pem),
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
            _ => return Err(KeyError::WrongKeyKind(alg)),
        }
        .map_err(|_| KeyError::InvalidPem(alg))?;
        // Its JWK, so that a verify-only key (the previous key during a rotation) can be
        // published and has a thumbprint, the same as its private half's.
        let mut public_jwk = Jwk::from_decoding_key(&verifying, Some(alg.to_jwt()))
            .map_err(|_| KeyError::InvalidPem(alg))?;
        public_jwk.common.key_algorithm = None;
        Ok(Key::new(
            alg,
            Material::Asymmetric {
                signing: None,
                verifying,
                public_jwk: Some(public_jwk),
            },
        ))
    }

    fn new(alg: Algorithm, material: Material) -> Key {
        Key {
            alg,
            kid: None,
            material: Arc::new(material),
        }
    }

    /// Names the key; tokens it signs carry this `kid`, and a [`KeySet`] selects it by it.
    pub fn with_kid(mut self, kid: impl Into<Arc<str>>) -> Key {
        self.kid = Some(kid.into());
        self
    }

    /// The same key without its `kid`.
    pub(crate) fn without_kid(mut self) -> Key {
        self.kid = None;
        self
    }

    /// The base64url header segment of tokens this key signs:
    /// `{"alg":ALG,"typ":"JWT"}` plus `kid` when the key is named.
    pub(crate) fn header_segment(&self) -> String {
        #[derive(serde::Serialize)]
        struct Header<'a> {
            alg: &'a str,
            typ: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            kid: Option<&'a str>,
        }
        let header = Header {
            alg: self.alg.as_str(),
            typ: "JWT",
            kid: self.kid(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header serializes"))
    }

    /// The one algorithm this key is used with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if named.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether `other` is a clone of this very key (same material, algorithm and `kid`): a
    /// pointer comparison, for caches of verifiers built around a key and for a key set's
    /// choice of key.
    pub(crate) fn is_same(&self, other: &Key) -> bool {
        Arc::ptr_eq(&self.material, &other.material)
            && self.alg == other.alg
            && self.kid == other.kid
    }

    /// Whether the key can sign (a secret or a private key).
    pub fn can_sign(&self) -> bool {
        !matches!(&*self.material, Material::Asymmetric { signing: None, .. })
    }

    /// Signs `signing_input` (`BASE64URL(header) "." BASE64URL(payload)`) and returns the
    /// base64url signature segment.
    pub fn sign(&self, signing_input: &[u8]) -> Result<String, KeyError> {
        match &*self.material {
            Material::Hmac(mac) => Ok(mac.sign(signing_input)),
            Material::Asymmetric {
                signing: Some(key), ..
            } => jsonwebtoken::crypto::sign(signing_input, key, self.alg.to_jwt())
                .map_err(|_| KeyError::InvalidPem(self.alg)),
            Material::Asymmetric { signing: None, .. } => Err(KeyError::CannotSign),
        }
    }

    /// Signs `token`, the signing input, and appends `.` and the signature segment to it:
    /// what [`sign`](Self::sign) computes, without a second string for an HMAC.
    pub(crate) fn append_signature(&self, token: &mut Vec<u8>) -> Result<(), KeyError> {
        match &*self.material {
            Material::Hmac(mac) => {
                mac.append_signature(token);
                Ok(())
            }
            Material::Asymmetric { .. } => {
                let signature = self.sign(token)?;
                token.push(b'.');
                token.extend_from_slice(signature.as_bytes());
                Ok(())
            }
        }
    }

    /// About how long this key's signature segment is, to size a token's buffer.
    pub(crate) fn signature_len_hint(&self) -> usize {
        match &*self.material {
            Material::Hmac(_) => 86,
            Material::Asymmetric { .. } => 700,
        }
    }

    /// Checks the base64url signature segment against `signing_input`.
    pub fn verify(&self, signing_input: &[u8], signature_b64: &str) -> Result<(), AuthError> {
        let valid = match &*self.material {
            Material::Hmac(mac) => mac.verify(signing_input, signature_b64)?,
            Material::Asymmetric { verifying, .. } => jsonwebtoken::crypto::verify(
                signature_b64,
                signing_input,
                verifying,
                self.alg.to_jwt(),
            )
            .unwrap_or(false),
        };
        if valid {
            Ok(())
        } else {
            Err(AuthError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused_with_the_minimum_named() {
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            let err = Key::hmac(alg, &vec![7; min - 1]).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "a {alg} secret must be at least {min} bytes long, got {}",
                    min - 1
                )
            );
            assert!(Key::hmac(alg, &vec![7; min]).is_ok());
        }
    }

    #[test]
    fn hmac_signatures_verify_and_tampering_fails() {
        let key = Key::hmac(Algorithm::HS512, &[9; 64]).unwrap();
        let sig = key.sign(b"a.b").unwrap();
        assert!(key.verify(b"a.b", &sig).is_ok());
        assert_eq!(key.verify(b"a.c", &sig), Err(AuthError::BadSignature));
        assert_eq!(
            key.verify(b"a.b", &sig[..sig.len() - 2]),
            Err(AuthError::BadSignature)
        );
        assert_eq!(key.verify(b"a.b", ""), Err(AuthError::BadSignature));
        let long = format!("{sig}{sig}");
        assert_eq!(key.verify(b"a.b", &long), Err(AuthError::BadSignature));
    }

    #[test]
    fn debug_never_shows_material() {
        let key = Key::hmac(Algorithm::HS256, b"0123456789abcdef0123456789abcdef").unwrap();
        let debug = format!("{key:?} {:?}", KeySet::new(key.clone()));
        assert!(!debug.contains("0123456789"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }
}
