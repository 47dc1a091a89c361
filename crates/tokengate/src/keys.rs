//! Keys, each bound to exactly one algorithm, and key sets selected by `kid`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Sha256, Sha384, Sha512};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::AuthError;

/// A signature algorithm tokengate accepts. `none` is not one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

impl Algorithm {
    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::PS256 => "PS256",
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// For HMAC algorithms, the shortest secret accepted: the hash output size (RFC 7518
    /// section 3.2). `None` for asymmetric algorithms.
    pub fn min_secret_len(self) -> Option<usize> {
        match self {
            Algorithm::HS256 => Some(32),
            Algorithm::HS384 => Some(48),
            Algorithm::HS512 => Some(64),
            _ => None,
        }
    }

    fn to_jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
            Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::PS256 => jsonwebtoken::Algorithm::PS256,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;

    /// Parses an `alg` name exactly (case-sensitive, as in JOSE headers).
    fn from_str(name: &str) -> Result<Self, KeyError> {
        Ok(match name {
            "HS256" => Algorithm::HS256,
            "HS384" => Algorithm::HS384,
            "HS512" => Algorithm::HS512,
            "RS256" => Algorithm::RS256,
            "PS256" => Algorithm::PS256,
            "ES256" => Algorithm::ES256,
            "EdDSA" => Algorithm::EdDSA,
            _ => return Err(KeyError::UnknownAlgorithm),
        })
    }
}

/// Why a key could not be made or used. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The algorithm name is not one tokengate supports.
    #[error("unknown algorithm (expected one of HS256, HS384, HS512, RS256, PS256, ES256, EdDSA)")]
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
    /// The key can verify but not sign (a public key).
    #[error("the key cannot sign: it is a public key")]
    CannotSign,
}

type HmacSha256 = Hmac<Sha256>;
type HmacSha384 = Hmac<Sha384>;
type HmacSha512 = Hmac<Sha512>;

/// An HMAC key, keyed once. Cloning the keyed state per token skips re-deriving the inner
/// and outer pads, which is most of the cost of an HMAC over a short token.
#[derive(Clone)]
enum HmacKey {
    S256(HmacSha256),
    S384(HmacSha384),
    S512(HmacSha512),
}

/// The longest HMAC output (SHA-512).
const MAX_HMAC_LEN: usize = 64;

impl HmacKey {
    fn new(alg: Algorithm, secret: &[u8]) -> Self {
        // new_from_slice accepts any key length for HMAC; lengths were checked before.
        match alg {
            Algorithm::HS384 => HmacKey::S384(HmacSha384::new_from_slice(secret).expect("hmac")),
            Algorithm::HS512 => HmacKey::S512(HmacSha512::new_from_slice(secret).expect("hmac")),
            _ => HmacKey::S256(HmacSha256::new_from_slice(secret).expect("hmac")),
        }
    }

    fn tag(&self, message: &[u8], out: &mut [u8; MAX_HMAC_LEN]) -> usize {
        fn run<M: Mac + Clone>(mac: &M, message: &[u8], out: &mut [u8]) -> usize {
            let mut mac = mac.clone();
            mac.update(message);
            let tag = mac.finalize().into_bytes();
            out[..tag.len()].copy_from_slice(&tag);
            tag.len()
        }
        match self {
            HmacKey::S256(mac) => run(mac, message, out),
            HmacKey::S384(mac) => run(mac, message, out),
            HmacKey::S512(mac) => run(mac, message, out),
        }
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        fn run<M: Mac + Clone>(mac: &M, message: &[u8], signature: &[u8]) -> bool {
            let mut mac = mac.clone();
            mac.update(message);
            // Constant-time comparison; also rejects a signature of the wrong length.
            mac.verify_slice(signature).is_ok()
        }
        match self {
            HmacKey::S256(mac) => run(mac, message, signature),
            HmacKey::S384(mac) => run(mac, message, signature),
            HmacKey::S512(mac) => run(mac, message, signature),
        }
    }
}

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
        let min = alg.min_secret_len().ok_or(KeyError::WrongKeyKind(alg))?;
        if secret.len() < min {
            return Err(KeyError::SecretTooShort {
                alg,
                min,
                actual: secret.len(),
            });
        }
        Ok(Key::new(alg, Material::Hmac(HmacKey::new(alg, secret))))
    }

    /// A signing key from a PKCS#8 (or PKCS#1 for RSA, SEC1 for EC) private key PEM. The
    /// public half is derived, so the key also verifies and can be published as a JWK.
    pub fn from_private_pem(alg: Algorithm, pem: &[u8]) -> Result<Key, KeyError> {
        let signing = match alg {
            Algorithm::RS256 | Algorithm::PS256 => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
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

    /// A verify-only key from a public key PEM (SPKI, or PKCS#1 for RSA).
    pub fn from_public_pem(alg: Algorithm, pem: &[u8]) -> Result<Key, KeyError> {
        let verifying = match alg {
            Algorithm::RS256 | Algorithm::PS256 => DecodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
            _ => return Err(KeyError::WrongKeyKind(alg)),
        }
        .map_err(|_| KeyError::InvalidPem(alg))?;
        Ok(Key::new(
            alg,
            Material::Asymmetric {
                signing: None,
                verifying,
                public_jwk: None,
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

    /// Whether the key can sign (a secret or a private key).
    pub fn can_sign(&self) -> bool {
        !matches!(&*self.material, Material::Asymmetric { signing: None, .. })
    }

    /// Signs `signing_input` (`BASE64URL(header) "." BASE64URL(payload)`) and returns the
    /// base64url signature segment.
    pub fn sign(&self, signing_input: &[u8]) -> Result<String, KeyError> {
        match &*self.material {
            Material::Hmac(mac) => {
                let mut tag = [0u8; MAX_HMAC_LEN];
                let len = mac.tag(signing_input, &mut tag);
                Ok(URL_SAFE_NO_PAD.encode(&tag[..len]))
            }
            Material::Asymmetric {
                signing: Some(key), ..
            } => jsonwebtoken::crypto::sign(signing_input, key, self.alg.to_jwt())
                .map_err(|_| KeyError::InvalidPem(self.alg)),
            Material::Asymmetric { signing: None, .. } => Err(KeyError::CannotSign),
        }
    }

    /// Checks the base64url signature segment against `signing_input`.
    pub fn verify(&self, signing_input: &[u8], signature_b64: &str) -> Result<(), AuthError> {
        let valid = match &*self.material {
            Material::Hmac(mac) => {
                let mut signature = [0u8; MAX_HMAC_LEN];
                let len = match URL_SAFE_NO_PAD.decode_slice(signature_b64, &mut signature) {
                    Ok(len) => len,
                    // Too long to be any HMAC output: a wrong signature.
                    Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
                        return Err(AuthError::BadSignature)
                    }
                    Err(base64::DecodeSliceError::DecodeError(_)) => {
                        return Err(AuthError::Malformed("the signature is not valid base64url"))
                    }
                };
                mac.verify(signing_input, &signature[..len])
            }
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

    /// The public key as a JWK (with `kid`, `alg` and `use: sig`), for asymmetric keys made
    /// from a private PEM. `None` for secrets, which must never be published.
    pub fn public_jwk(&self) -> Option<Jwk> {
        let mut jwk = self.derived_jwk()?.clone();
        jwk.common.key_id = self.kid.as_deref().map(str::to_owned);
        jwk.common.key_algorithm =
            jsonwebtoken::jwk::KeyAlgorithm::from_str(self.alg.as_str()).ok();
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        Some(jwk)
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key, base64url: a stable `kid` derived
    /// from the key itself. `None` for secrets and for keys made from a public PEM.
    pub fn thumbprint(&self) -> Option<String> {
        self.derived_jwk()?
            .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
            .ok()
    }

    /// The bare public JWK derived from a private key.
    fn derived_jwk(&self) -> Option<&Jwk> {
        match &*self.material {
            Material::Asymmetric {
                public_jwk: Some(jwk),
                ..
            } => Some(jwk),
            _ => None,
        }
    }
}

/// Several live keys for rotation: one signs, all verify, selected by the token's `kid`.
///
/// A token without `kid` is checked with the signing key. When the keys are named, a `kid`
/// that names none of them is rejected at once, without any I/O: keys are never fetched
/// because a token asks for it. When no key is named, a `kid` is only a label.
///
/// ```
/// use tokengate::{Algorithm, Key, KeySet};
///
/// let old = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("2026-10");
/// let new = Key::hmac(Algorithm::HS256, &[2; 32]).unwrap().with_kid("2026-11");
/// let keys = KeySet::new(new).with_verify_only(old);
/// assert_eq!(keys.signing_key().kid(), Some("2026-11"));
/// assert!(keys.select(Some("2026-10")).is_ok());
/// assert!(keys.select(Some("2025-01")).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct KeySet {
    signing: Key,
    others: Vec<Key>,
}

impl KeySet {
    /// A set whose signing key is `signing`.
    pub fn new(signing: Key) -> KeySet {
        KeySet {
            signing,
            others: Vec::new(),
        }
    }

    /// Adds a key that still verifies but no longer signs (the previous key during rotation).
    pub fn with_verify_only(mut self, key: Key) -> KeySet {
        self.others.push(key);
        self
    }

    /// The key new tokens are signed with.
    pub fn signing_key(&self) -> &Key {
        &self.signing
    }

    /// Every key of the set, the signing key first.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.signing).chain(&self.others)
    }

    /// The key to verify a token whose header names `kid`.
    ///
    /// Named keys are chosen by name, and a `kid` naming none of them is refused. In a set
    /// whose keys have no names there is nothing for a `kid` to choose between, so it is only
    /// a label: the token is checked with the signing key, as one without `kid`.
    pub fn select(&self, kid: Option<&str>) -> Result<&Key, AuthError> {
        let Some(kid) = kid else {
            return Ok(&self.signing);
        };
        if let Some(key) = self.keys().find(|key| key.kid() == Some(kid)) {
            return Ok(key);
        }
        if self.keys().all(|key| key.kid().is_none()) {
            Ok(&self.signing)
        } else {
            Err(AuthError::UnknownKey)
        }
    }

    /// The public keys of the set as a JWKS document (`/.well-known/jwks.json`). Secrets are
    /// never included.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: std::iter::once(&self.signing)
                .chain(&self.others)
                .filter_map(Key::public_jwk)
                .collect(),
        }
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> Self {
        KeySet::new(key)
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
    fn algorithms_parse_exactly() {
        assert_eq!("HS384".parse::<Algorithm>(), Ok(Algorithm::HS384));
        for bad in ["hs256", "none", "None", "HS256 ", "", "RS512"] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad}");
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

    #[test]
    fn secrets_are_never_published() {
        let key = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("k");
        assert!(key.public_jwk().is_none());
        assert!(KeySet::new(key).jwks().keys.is_empty());
    }

    #[test]
    fn unknown_kid_is_rejected_among_named_keys_and_a_label_otherwise() {
        let keys = KeySet::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("a"));
        assert_eq!(keys.select(Some("b")).unwrap_err(), AuthError::UnknownKey);
        assert_eq!(keys.select(None).unwrap().kid(), Some("a"));
        let unnamed = KeySet::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap());
        assert!(unnamed.select(Some("b")).is_ok());
    }
}
