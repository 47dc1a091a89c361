//! Publishing keys: the public JWK of a key, its RFC 7638 thumbprint, and the JWKS document
//! of a key set. Secrets are never published.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use std::str::FromStr;

use super::key_set::KeySet;
use super::{Key, Material};

impl Key {
    /// The public key as a JWK (with `kid`, `alg` and `use: sig`), for asymmetric keys (made
    /// from a private or a public PEM). `None` for secrets, which must never be published.
    pub fn public_jwk(&self) -> Option<Jwk> {
        let mut jwk = self.derived_jwk()?.clone();
        jwk.common.key_id = self.kid.as_deref().map(str::to_owned);
        jwk.common.key_algorithm =
            jsonwebtoken::jwk::KeyAlgorithm::from_str(self.alg.as_str()).ok();
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        Some(jwk)
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key, base64url: a stable `kid` derived
    /// from the key itself, the same for a private key and its public half. `None` for
    /// secrets.
    pub fn thumbprint(&self) -> Option<String> {
        self.derived_jwk()?
            .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
            .ok()
    }

    /// The bare public JWK of an asymmetric key.
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

impl KeySet {
    /// The public keys of the set as a JWKS document (`/.well-known/jwks.json`). Secrets are
    /// never included.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys().filter_map(Key::public_jwk).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::keys::Algorithm;

    #[test]
    fn secrets_are_never_published() {
        let key = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("k");
        assert!(key.public_jwk().is_none());
        assert!(KeySet::new(key).jwks().keys.is_empty());
    }
}
