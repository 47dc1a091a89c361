//! Verification keys read from a JWK (RFC 7517): RSA (`n`, `e`), EC on P-256 or P-384
//! (`crv`, `x`, `y`) and OKP Ed25519 (`crv`, `x`). Each key is bound to one algorithm: the
//! JWK's `alg` where given, else the one its type fits (RSA without `alg` is RS256 only), and
//! checked as sound as a PEM is when loaded.

use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use super::{soundness, Algorithm, Key, KeyError, Material};

/// Why a JWK cannot be used to verify tokens. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwkError {
    /// Not a JSON object, or a member of the wrong JSON type.
    #[error("the JWK is not an object with string members where strings belong")]
    Malformed,
    /// A symmetric key (`kty` `oct`): never used to verify tokens from a key set.
    #[error("a symmetric (oct) key is never used to verify")]
    Symmetric,
    /// A `kty` other than `RSA`, `EC` and `OKP`.
    #[error("the key type {0:?} is not supported")]
    UnsupportedKeyType(String),
    /// An `alg` that tokengate does not verify with.
    #[error("the algorithm {0:?} is not supported")]
    UnsupportedAlgorithm(String),
    /// A `crv` other than `P-256`, `P-384` (EC) and `Ed25519` (OKP), or none.
    #[error("the curve {0:?} is not supported")]
    UnsupportedCurve(String),
    /// The `alg` does not fit the key's type or curve (say `ES384` on a P-256 key).
    #[error("the algorithm {alg} does not fit this {kty} key")]
    AlgorithmMismatch {
        /// The JWK's `alg`.
        alg: Algorithm,
        /// The key type, with its curve for EC and OKP keys.
        kty: String,
    },
    /// A `use` other than `sig`.
    #[error("the key is for {0:?}, not for signatures")]
    NotForSignatures(String),
    /// `key_ops` without `verify`.
    #[error("the key's key_ops do not include verify")]
    NoVerifyOperation,
    /// A member the key type needs is absent.
    #[error("the JWK has no {0:?} member")]
    Missing(&'static str),
    /// A member is not base64url, or has the wrong length for the curve.
    #[error("the JWK's {0:?} member is not a base64url value of the right length")]
    BadValue(&'static str),
    /// An Ed25519 key of small order, which would accept forged signatures.
    #[error("the Ed25519 key is a weak (small-order) point")]
    WeakKey,
    /// The set holds several keys, and this one has no `kid` to choose it by.
    #[error("the key has no kid, and the set holds other keys")]
    MissingKid,
    /// An earlier key of the set has the same `kid`.
    #[error("an earlier key of the set has the same kid")]
    DuplicateKid,
    /// The key is unsound: an RSA modulus under 2048 bits, a bad exponent, a point that is
    /// not on the named curve.
    #[error(transparent)]
    Unsound(KeyError),
}

/// The members of a public JWK that tokengate reads; others are ignored.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// base64url as RFC 7515 writes it, tolerating the padding some providers add.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl Key {
    /// A verify-only key from a public JWK, named by its `kid` (if any) and bound to its
    /// `alg`, or, without `alg`, to the algorithm its type fits: RS256 for RSA, ES256 or ES384
    /// by the EC curve, EdDSA for Ed25519.
    ///
    /// Refused, with the reason: symmetric (`oct`) keys, unknown `kty`, `alg` or `crv`, an
    /// `alg` that does not fit the key, `use` other than `sig`, `key_ops` without `verify`,
    /// RSA moduli under 2048 bits or bad exponents, EC points not on the named curve, weak
    /// Ed25519 points.
    ///
    /// ```
    /// use tokengate::{Algorithm, Key};
    ///
    /// let jwk = serde_json::json!({
    ///     "kty": "OKP", "crv": "Ed25519", "kid": "ed-1",
    ///     "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    /// });
    /// let key = Key::from_jwk(&jwk).unwrap();
    /// assert_eq!((key.algorithm(), key.kid()), (Algorithm::EdDSA, Some("ed-1")));
    /// assert!(Key::from_jwk(&serde_json::json!({"kty": "oct", "k": "c2VjcmV0"})).is_err());
    /// ```
    pub fn from_jwk(jwk: &serde_json::Value) -> Result<Key, JwkError> {
        super::install_crypto_backend();
        let raw = RawJwk::deserialize(jwk).map_err(|_| JwkError::Malformed)?;
        let alg = check_usage(&raw)?;
        let verifying = match alg {
            alg if alg.is_rsa() => rsa_key(&raw)?,
            Algorithm::ES256 | Algorithm::ES384 => ec_key(alg, &raw)?,
            _ => ed25519_key(&raw)?,
        };
        let key = Key::new(
            alg,
            Material::Asymmetric {
                signing: None,
                verifying,
                public_jwk: None,
            },
        );
        Ok(match raw.kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        })
    }
}

/// Checks what the key may be used for, and returns the one algorithm it is bound to.
fn check_usage(raw: &RawJwk) -> Result<Algorithm, JwkError> {
    if raw.kty == "oct" {
        return Err(JwkError::Symmetric);
    }
    if let Some(usage) = raw.usage.as_deref().filter(|usage| *usage != "sig") {
        return Err(JwkError::NotForSignatures(usage.to_owned()));
    }
    if let Some(ops) = &raw.key_ops {
        if !ops.iter().any(|op| op == "verify") {
            return Err(JwkError::NoVerifyOperation);
        }
    }
    let declared = match raw.alg.as_deref() {
        Some(name) => Some(
            name.parse::<Algorithm>()
                .map_err(|_| JwkError::UnsupportedAlgorithm(name.to_owned()))?,
        ),
        None => None,
    };
    let (fitting, kty) = match raw.kty.as_str() {
        "RSA" => {
            let alg = declared.unwrap_or(Algorithm::RS256);
            (alg.is_rsa().then_some(alg), "RSA".to_owned())
        }
        "EC" | "OKP" => {
            let crv = raw.crv.as_deref().ok_or(JwkError::Missing("crv"))?;
            let by_curve = match (raw.kty.as_str(), crv) {
                ("EC", "P-256") => Algorithm::ES256,
                ("EC", "P-384") => Algorithm::ES384,
                ("OKP", "Ed25519") => Algorithm::EdDSA,
                _ => return Err(JwkError::UnsupportedCurve(crv.to_owned())),
            };
            let alg = declared.unwrap_or(by_curve);
            (
                (alg == by_curve).then_some(alg),
                format!("{} {crv}", raw.kty),
            )
        }
        other => return Err(JwkError::UnsupportedKeyType(other.to_owned())),
    };
    fitting.ok_or_else(|| JwkError::AlgorithmMismatch {
        alg: declared.expect("a default always fits"),
        kty,
    })
}

/// The decoded bytes of a required base64url member.
fn member(value: Option<&String>, name: &'static str) -> Result<Vec<u8>, JwkError> {
    let text = value.ok_or(JwkError::Missing(name))?;
    BASE64URL.decode(text).map_err(|_| JwkError::BadValue(name))
}

fn rsa_key(raw: &RawJwk) -> Result<DecodingKey, JwkError> {
    let n = member(raw.n.as_ref(), "n")?;
    let e = member(raw.e.as_ref(), "e")?;
    soundness::check_rsa_numbers(&n, &e).map_err(JwkError::Unsound)?;
    Ok(DecodingKey::from_rsa_raw_components(&n, &e))
}

fn ec_key(alg: Algorithm, raw: &RawJwk) -> Result<DecodingKey, JwkError> {
    let size = if alg == Algorithm::ES256 { 32 } else { 48 };
    // The SEC1 uncompressed point: 0x04, x, y, each coordinate left-padded to the field size
    // (RFC 7518 requires the full length; some encoders drop leading zeros).
    let mut point = vec![0u8; 1 + 2 * size];
    point[0] = 0x04;
    for (name, value, offset) in [("x", raw.x.as_ref(), 1), ("y", raw.y.as_ref(), 1 + size)] {
        let bytes = member(value, name)?;
        if bytes.len() > size {
            return Err(JwkError::BadValue(name));
        }
        point[offset + size - bytes.len()..offset + size].copy_from_slice(&bytes);
    }
    let on_curve = match alg {
        Algorithm::ES256 => p256::PublicKey::from_sec1_bytes(&point).is_ok(),
        _ => p384::PublicKey::from_sec1_bytes(&point).is_ok(),
    };
    if !on_curve {
        return Err(JwkError::Unsound(KeyError::NotOnCurve(alg)));
    }
    Ok(DecodingKey::from_ec_der(&point))
}

fn ed25519_key(raw: &RawJwk) -> Result<DecodingKey, JwkError> {
    let x = member(raw.x.as_ref(), "x")?;
    let bytes: [u8; 32] = x.try_into().map_err(|_| JwkError::BadValue("x"))?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| JwkError::Unsound(KeyError::NotOnCurve(Algorithm::EdDSA)))?;
    if key.is_weak() {
        return Err(JwkError::WeakKey);
    }
    Ok(DecodingKey::from_ed_der(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn public_jwk(alg: Algorithm, pem: &str) -> serde_json::Value {
        let key = Key::from_private_pem(alg, pem.as_bytes())
            .unwrap()
            .with_kid("k");
        serde_json::to_value(key.public_jwk().unwrap()).unwrap()
    }

    #[test]
    fn published_keys_read_back_and_verify() {
        let cases = [
            (
                Algorithm::RS384,
                include_str!("../../../tests/fixtures/rsa_private.pem"),
            ),
            (
                Algorithm::PS512,
                include_str!("../../../tests/fixtures/rsa_private.pem"),
            ),
            (
                Algorithm::ES256,
                include_str!("../../../tests/fixtures/ec_private.pem"),
            ),
            (
                Algorithm::ES384,
                include_str!("../../../tests/fixtures/ec384_private.pem"),
            ),
            (
                Algorithm::EdDSA,
                include_str!("../../../tests/fixtures/ed_private.pem"),
            ),
        ];
        for (alg, pem) in cases {
            let signing = Key::from_private_pem(alg, pem.as_bytes()).unwrap();
            let read = Key::from_jwk(&public_jwk(alg, pem)).unwrap();
            assert_eq!((read.algorithm(), read.kid()), (alg, Some("k")));
            assert!(!read.can_sign());
            let signature = signing.sign(b"h.p").unwrap();
            assert!(read.verify(b"h.p", &signature).is_ok(), "{alg}");
            assert!(read.verify(b"h.q", &signature).is_err(), "{alg}");
        }
    }

    #[test]
    fn the_algorithm_defaults_by_key_type_and_must_fit() {
        let rsa = public_jwk(
            Algorithm::PS256,
            include_str!("../../../tests/fixtures/rsa_private.pem"),
        );
        let mut bare = rsa.clone();
        bare.as_object_mut().unwrap().remove("alg");
        assert_eq!(Key::from_jwk(&bare).unwrap().algorithm(), Algorithm::RS256);
        let mut ec = public_jwk(
            Algorithm::ES256,
            include_str!("../../../tests/fixtures/ec_private.pem"),
        );
        ec["alg"] = json!("ES384");
        assert_eq!(
            Key::from_jwk(&ec).unwrap_err().to_string(),
            "the algorithm ES384 does not fit this EC P-256 key"
        );
        let mut hs = rsa.clone();
        hs["alg"] = json!("HS256");
        assert!(matches!(
            Key::from_jwk(&hs),
            Err(JwkError::AlgorithmMismatch { .. })
        ));
        // A crv that does not match the alg; the same point named P-384 is off that curve.
        let mut wrong_crv = ec.clone();
        wrong_crv["alg"] = json!("ES256");
        wrong_crv["crv"] = json!("P-384");
        assert_eq!(
            Key::from_jwk(&wrong_crv).unwrap_err().to_string(),
            "the algorithm ES256 does not fit this EC P-384 key"
        );
        wrong_crv.as_object_mut().unwrap().remove("alg");
        assert_eq!(
            Key::from_jwk(&wrong_crv).unwrap_err(),
            JwkError::Unsound(KeyError::NotOnCurve(Algorithm::ES384))
        );
    }

    #[test]
    fn unusable_keys_are_refused_with_their_reason() {
        let ec = public_jwk(
            Algorithm::ES256,
            include_str!("../../../tests/fixtures/ec_private.pem"),
        );
        let with = |member: &str, value: serde_json::Value| {
            let mut jwk = ec.clone();
            jwk[member] = value;
            Key::from_jwk(&jwk).unwrap_err()
        };
        assert_eq!(with("kty", json!("oct")), JwkError::Symmetric);
        assert_eq!(
            with("kty", json!("XYZ")),
            JwkError::UnsupportedKeyType("XYZ".into())
        );
        assert_eq!(
            with("alg", json!("ES512")),
            JwkError::UnsupportedAlgorithm("ES512".into())
        );
        assert_eq!(
            with("crv", json!("P-521")),
            JwkError::UnsupportedCurve("P-521".into())
        );
        assert_eq!(
            with("use", json!("enc")),
            JwkError::NotForSignatures("enc".into())
        );
        assert_eq!(
            with("key_ops", json!(["sign"])),
            JwkError::NoVerifyOperation
        );
        assert_eq!(with("x", json!("!")), JwkError::BadValue("x"));
        assert_eq!(with("kid", json!(7)), JwkError::Malformed);
        let mut off_curve = ec.clone();
        off_curve["y"] = ec["x"].clone();
        assert_eq!(
            Key::from_jwk(&off_curve).unwrap_err(),
            JwkError::Unsound(KeyError::NotOnCurve(Algorithm::ES256))
        );
        // The identity point (y = 1: 0x01 then zeros) has order 1: weak.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": BASE64URL.encode(weak)});
        assert_eq!(Key::from_jwk(&okp).unwrap_err(), JwkError::WeakKey);
    }

    #[test]
    fn small_rsa_moduli_are_refused() {
        // A 1024-bit modulus (all ones) with e = 65537.
        let jwk = json!({"kty": "RSA", "n": BASE64URL.encode([0xff; 128]), "e": "AQAB"});
        assert_eq!(
            Key::from_jwk(&jwk).unwrap_err().to_string(),
            "an RSA key must have at least 2048 bits, this one has 1024"
        );
        let even = json!({"kty": "RSA", "n": BASE64URL.encode([0xff; 256]), "e": "AQAA"});
        assert_eq!(
            Key::from_jwk(&even).unwrap_err(),
            JwkError::Unsound(KeyError::RsaExponent)
        );
    }
}
