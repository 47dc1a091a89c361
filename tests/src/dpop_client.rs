//! A DPoP client for the tests, written on `jsonwebtoken` alone (not on tokengate): proofs as
//! RFC 9449 describes them, and every way of getting one wrong.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A client's key pair, its public JWK and thumbprint.
pub struct DpopKey {
    key: EncodingKey,
    alg: Algorithm,
    /// The public JWK, as the proof's header carries it.
    pub jwk: Value,
    /// The RFC 7638 thumbprint a bound token's `cnf.jkt` names.
    pub thumbprint: String,
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../crates/tokengate/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).expect("a key fixture")
}

impl DpopKey {
    /// The ES256 key of the fixtures.
    pub fn es256() -> DpopKey {
        let key = EncodingKey::from_ec_pem(&fixture("ec_private.pem")).unwrap();
        DpopKey::new(key, Algorithm::ES256)
    }

    /// Another client's key: the RS256 key of the fixtures.
    pub fn rs256() -> DpopKey {
        let key = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
        DpopKey::new(key, Algorithm::RS256)
    }

    /// The RSA key of the fixtures, proving with PS256 (its JWK names no algorithm).
    pub fn ps256() -> DpopKey {
        let key = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
        DpopKey::new(key, Algorithm::PS256)
    }

    /// The Ed25519 key of the fixtures.
    pub fn eddsa() -> DpopKey {
        let key = EncodingKey::from_ed_pem(&fixture("ed_private.pem")).unwrap();
        DpopKey::new(key, Algorithm::EdDSA)
    }

    fn new(key: EncodingKey, alg: Algorithm) -> DpopKey {
        crate::harness::third_party_crypto();
        let jwk = Jwk::from_encoding_key(&key, alg).unwrap();
        let thumbprint = jwk.thumbprint(ThumbprintHash::SHA256).unwrap();
        let mut jwk = serde_json::to_value(&jwk).unwrap();
        // The bare public key: no `alg`, `use` or `kid` to disagree with the header.
        jwk.as_object_mut()
            .unwrap()
            .retain(|name, _| ["kty", "crv", "x", "y", "n", "e"].contains(&name.as_str()));
        DpopKey {
            key,
            alg,
            jwk,
            thumbprint,
        }
    }

    /// The header a proof by this key has.
    pub fn header(&self) -> Value {
        json!({"typ": "dpop+jwt", "alg": format!("{:?}", self.alg), "jwk": self.jwk})
    }

    /// The claims of a fresh proof for `method` and `url`, with `ath` for `access_token`.
    pub fn claims(method: &str, url: &str, access_token: Option<&str>) -> Value {
        let mut claims = json!({
            "htm": method,
            "htu": url,
            "iat": crate::harness::now(),
            "jti": format!("{:x}", rand_u128()),
        });
        if let Some(token) = access_token {
            claims["ath"] = json!(ath(token));
        }
        claims
    }

    /// A good proof for `method` and `url`.
    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> String {
        self.sign(&self.header(), &DpopKey::claims(method, url, access_token))
    }

    /// A proof with exactly `header` and `claims`, signed by this key.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &self.key, self.alg).unwrap();
        format!("{input}.{signature}")
    }
}

/// The `ath` of an access token: base64url SHA-256.
pub fn ath(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// base64url of a JSON value.
pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A random number for proof ids, from the clock and a counter (no rand dependency).
fn rand_u128() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) as u128;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut hash = Sha256::new();
    hash.update(nanos.to_be_bytes());
    hash.update(count.to_be_bytes());
    hash.update(std::process::id().to_be_bytes());
    u128::from_be_bytes(hash.finalize()[..16].try_into().unwrap())
}
