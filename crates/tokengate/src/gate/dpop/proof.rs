//! One DPoP proof (RFC 9449 section 4.3) checked against the request it came with: its
//! form, its header (`typ`, an asymmetric `alg`, a public `jwk`), its signature by that key,
//! and its claims (`htm`, `htu`, `iat`, `jti`, `ath`). The answer is the key's thumbprint,
//! which the caller compares with the token's `cnf.jkt` or binds new tokens to.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::IgnoredAny;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::htu;
use crate::token::compact;
use crate::token::error::AuthError;
use crate::token::keys::{Algorithm, Key, DPOP_ALGORITHMS};

/// The longest proof read: RSA keys of 4096 bits fit with room to spare.
pub(crate) const MAX_PROOF_BYTES: usize = 8192;

/// How far a proof's `iat` may be from now, either way.
pub(crate) const PROOF_WINDOW_SECS: u64 = 60;

/// The longest `jti` accepted: a proof's id is random, not a document.
const MAX_JTI_BYTES: usize = 256;

/// JWK members that only a private (or symmetric) key has: a proof carrying one is refused,
/// because its client has just shown its private key to the world.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// What the proof must match.
#[derive(Debug, Clone, Copy)]
pub struct ProofTarget<'a> {
    /// The request's method (`htm`).
    pub method: &'a str,
    /// The request's absolute URI (`htu`), compared without query and fragment.
    pub uri: &'a str,
    /// The access token that came with the proof, whose hash `ath` must be; `None` at the
    /// token endpoints, where no token comes.
    pub access_token: Option<&'a str>,
}

/// A checked proof, before its `jti` is recorded.
pub(crate) struct Checked {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    pub jti: String,
    pub iat: u64,
    /// The server nonce the proof carries, if any.
    pub nonce: Option<String>,
}

#[derive(Deserialize)]
struct ProofHeader {
    typ: String,
    alg: String,
    jwk: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct ProofClaims {
    htm: String,
    htu: String,
    iat: u64,
    jti: String,
    #[serde(default)]
    ath: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

fn invalid(why: &'static str) -> AuthError {
    AuthError::InvalidDpopProof(why)
}

/// Checks `proof` against `target` at `now`; the replay check is the caller's, after this.
pub(crate) fn check(proof: &str, target: &ProofTarget<'_>, now: u64) -> Result<Checked, AuthError> {
    let segments = compact::split(proof, MAX_PROOF_BYTES)
        .map_err(|_| invalid("it is not a compact JWS of at most 8 KiB"))?;
    let header: ProofHeader = decode_json(segments.header).ok_or(invalid(
        "its header is not a JSON object with typ, alg and jwk",
    ))?;
    if !header.typ.eq_ignore_ascii_case("dpop+jwt") {
        return Err(invalid("its typ is not dpop+jwt"));
    }
    if header.crit.is_some() {
        return Err(invalid("it has critical header parameters"));
    }
    let alg: Algorithm = header
        .alg
        .parse()
        .ok()
        .filter(|alg| DPOP_ALGORITHMS.contains(alg))
        .ok_or(invalid(
            "its alg is not an asymmetric algorithm accepted here",
        ))?;
    let jwk = serde_json::Value::Object(header.jwk);
    if PRIVATE_MEMBERS
        .iter()
        .any(|member| jwk.get(member).is_some())
    {
        return Err(invalid("its jwk holds a private key"));
    }
    // The header's alg picks the algorithm (an RSA JWK without `alg` would otherwise be read
    // as RS256 only); a JWK naming another one is refused by the check below.
    let mut bound = jwk.clone();
    if bound.get("alg").is_none() {
        bound["alg"] = serde_json::Value::from(alg.as_str());
    }
    let key = Key::from_jwk(&bound)
        .ok()
        .filter(|key| key.algorithm() == alg)
        .ok_or(invalid("its jwk is not a public key for its alg"))?;
    key.verify(segments.signing_input.as_bytes(), segments.signature)
        .map_err(|_| invalid("its signature is not valid"))?;
    let claims: ProofClaims = decode_json(segments.payload).ok_or(invalid(
        "its claims are not htm, htu, iat and jti of the right types",
    ))?;
    if claims.htm != target.method {
        return Err(invalid("its htm is not this request's method"));
    }
    let expected = htu::normalise(target.uri).ok_or(invalid("the request's URI is not known"))?;
    if htu::normalise(&claims.htu).as_deref() != Some(expected.as_str()) {
        return Err(invalid("its htu is not this request's URI"));
    }
    if claims.iat.abs_diff(now) > PROOF_WINDOW_SECS {
        return Err(invalid("its iat is not within 60 seconds of now"));
    }
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_BYTES {
        return Err(invalid("its jti is empty or longer than 256 bytes"));
    }
    if let Some(token) = target.access_token {
        let hash = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if claims.ath.as_deref() != Some(hash.as_str()) {
            return Err(invalid("its ath is not the hash of the access token"));
        }
    }
    let jkt = thumbprint(&jwk).ok_or(invalid("its jwk has no thumbprint"))?;
    Ok(Checked {
        jkt,
        jti: claims.jti,
        iat: claims.iat,
        nonce: claims.nonce,
    })
}

/// A segment decoded and parsed as `T`, strictly: base64url, an object without repeated
/// members.
fn decode_json<T: serde::de::DeserializeOwned>(segment: &str) -> Option<T> {
    let mut buf = vec![0; compact::decoded_len(segment)];
    let json = compact::decode_segment(segment, &mut buf).ok()?;
    compact::reject_duplicate_members(json, "").ok()?;
    serde_json::from_slice(json).ok()
}

/// The RFC 7638 SHA-256 thumbprint of a public JWK, base64url.
pub(crate) fn thumbprint(jwk: &serde_json::Value) -> Option<String> {
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).ok()?;
    jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
        .ok()
}
