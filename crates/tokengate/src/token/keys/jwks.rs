//! Reading a JWK set (a provider's `jwks_uri` document) into verification keys selected by
//! `kid`. A key that cannot be used is skipped with its reason; it never spoils the rest.

use std::fmt;

use super::jwk_import::JwkError;
use super::Key;

/// The usable verification keys of a JWK set document, and the keys it skipped.
///
/// Keys are selected by `kid`, and each is bound to one algorithm (see
/// [`Key::from_jwk`]). A key without `kid` is kept only when it is the set's one usable key;
/// a later key repeating an earlier `kid` is skipped.
///
/// ```
/// use tokengate::token::JwksKeys;
///
/// let jwks = br#"{"keys": [
///     {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
///     {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig",
///      "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
/// ]}"#;
/// let keys = JwksKeys::parse(jwks).unwrap();
/// assert!(keys.get(Some("ed-1")).is_some());
/// assert!(keys.get(Some("hmac")).is_none());
/// assert_eq!(keys.skipped()[0].to_string(),
///     r#"JWKS key #0 (kid "hmac") skipped: a symmetric (oct) key is never used to verify"#);
/// ```
#[derive(Debug, Clone, Default)]
pub struct JwksKeys {
    keys: Vec<Key>,
    skipped: Vec<SkippedJwk>,
}

/// A key of a JWK set that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedJwk {
    /// Its position in the set's `keys` array, from 0.
    pub index: usize,
    /// Its `kid`, if it has a string one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: JwkError,
}

impl fmt::Display for SkippedJwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JWKS key #{}", self.index)?;
        if let Some(kid) = &self.kid {
            write!(f, " (kid {kid:?})")?;
        }
        write!(f, " skipped: {}", self.reason)
    }
}

/// Why a JWK set document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The document is not JSON, or not an object with a `keys` array.
    #[error("the document is not a JWK set (a JSON object with a \"keys\" array)")]
    NotAJwkSet,
}

impl JwksKeys {
    /// Reads a JWK set document. Only a document that is not a JSON object with a `keys`
    /// array fails; unusable keys are skipped (see [`skipped`](Self::skipped)).
    pub fn parse(json: &[u8]) -> Result<JwksKeys, JwksError> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(json).map_err(|_| JwksError::NotAJwkSet)?;
        Ok(JwksKeys::from_jwks(&document.keys))
    }

    /// The usable keys among `jwks`, each a JWK as JSON.
    pub fn from_jwks(jwks: &[serde_json::Value]) -> JwksKeys {
        let mut set = JwksKeys::default();
        let mut loaded: Vec<(usize, Key)> = Vec::new();
        for (index, jwk) in jwks.iter().enumerate() {
            let kid = jwk
                .get("kid")
                .and_then(|kid| kid.as_str())
                .map(str::to_owned);
            let reason = match Key::from_jwk(jwk) {
                Ok(key) if kid.is_some() && loaded.iter().any(|(_, k)| k.kid() == key.kid()) => {
                    JwkError::DuplicateKid
                }
                Ok(key) => {
                    loaded.push((index, key));
                    continue;
                }
                Err(reason) => reason,
            };
            set.skipped.push(SkippedJwk { index, kid, reason });
        }
        // Among several keys, a token without `kid` cannot choose: unnamed keys serve nothing.
        let several = loaded.len() > 1;
        for (index, key) in loaded {
            if several && key.kid().is_none() {
                set.skipped.push(SkippedJwk {
                    index,
                    kid: None,
                    reason: JwkError::MissingKid,
                });
            } else {
                set.keys.push(key);
            }
        }
        set.skipped.sort_by_key(|skipped| skipped.index);
        set
    }

    /// The key a token's `kid` selects: the key of that `kid`; for a token without `kid`, the
    /// set's only key if it has exactly one. `None` when nothing matches.
    pub fn get(&self, kid: Option<&str>) -> Option<&Key> {
        match kid {
            Some(kid) => self.keys.iter().find(|key| key.kid() == Some(kid)),
            None => match self.keys.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
    }

    /// The usable keys, in the order of the document.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The keys that were skipped, in the order of the document, each with its reason.
    pub fn skipped(&self) -> &[SkippedJwk] {
        &self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::keys::Algorithm;
    use serde_json::json;

    fn ec_jwk(kid: Option<&str>) -> serde_json::Value {
        let key = Key::from_private_pem(
            Algorithm::ES256,
            include_bytes!("../../../tests/fixtures/ec_private.pem"),
        )
        .unwrap();
        let mut jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
        match kid {
            Some(kid) => jwk["kid"] = json!(kid),
            None => drop(jwk.as_object_mut().unwrap().remove("kid")),
        }
        jwk
    }

    #[test]
    fn bad_keys_are_skipped_one_reason_each_and_the_rest_load() {
        let mut enc = ec_jwk(Some("enc"));
        enc["use"] = json!("enc");
        let document = json!({"keys": [
            ec_jwk(Some("a")),
            {"kty": "oct", "k": "c2VjcmV0", "kid": "h"},
            enc,
            {"kty": "RSA", "kid": "small", "n": "_w", "e": "AQAB"},
            ec_jwk(Some("a")),
            {"kty": "XYZ", "kid": "odd"},
            ec_jwk(None),
            ec_jwk(Some("b")),
        ]});
        let keys = JwksKeys::parse(document.to_string().as_bytes()).unwrap();
        let kids: Vec<_> = keys.keys().iter().map(|key| key.kid().unwrap()).collect();
        assert_eq!(kids, ["a", "b"]);
        let reasons: Vec<_> = keys
            .skipped()
            .iter()
            .map(|skipped| (skipped.index, skipped.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                (1, JwkError::Symmetric),
                (2, JwkError::NotForSignatures("enc".into())),
                (
                    3,
                    JwkError::Unsound(crate::token::KeyError::RsaTooSmall { bits: 8 })
                ),
                (4, JwkError::DuplicateKid),
                (5, JwkError::UnsupportedKeyType("XYZ".into())),
                (6, JwkError::MissingKid),
            ]
        );
        assert!(keys.get(None).is_none());
        assert_eq!(keys.get(Some("b")).unwrap().algorithm(), Algorithm::ES256);
    }

    #[test]
    fn a_lone_key_without_kid_serves_tokens_without_kid() {
        let keys = JwksKeys::from_jwks(&[ec_jwk(None)]);
        assert!(keys.skipped().is_empty());
        assert!(keys.get(None).is_some());
        assert!(keys.get(Some("x")).is_none());
    }

    #[test]
    fn only_a_keys_array_is_a_jwk_set() {
        for bad in [&b"[]"[..], b"{}", b"{\"keys\": {}}", b"not json"] {
            assert_eq!(JwksKeys::parse(bad).unwrap_err(), JwksError::NotAJwkSet);
        }
        assert!(JwksKeys::parse(b"{\"keys\": []}")
            .unwrap()
            .keys()
            .is_empty());
    }
}
