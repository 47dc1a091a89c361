//! HMAC keys (HS256, HS384, HS512): keyed once, then signing and checking base64url
//! signature segments without allocating.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::algorithm::Algorithm;
use crate::token::base64url::{self, DecodeError};
use crate::token::constant_time::constant_time_eq;
use crate::token::error::AuthError;

type HmacSha256 = Hmac<Sha256>;
type HmacSha384 = Hmac<Sha384>;
type HmacSha512 = Hmac<Sha512>;

/// An HMAC key, keyed once. Cloning the keyed state per token skips re-deriving the inner
/// and outer pads, which is most of the cost of an HMAC over a short token.
#[derive(Clone)]
pub(super) enum HmacKey {
    S256(HmacSha256),
    S384(HmacSha384),
    S512(HmacSha512),
}

/// The longest HMAC output (SHA-512).
const MAX_HMAC_LEN: usize = 64;

impl HmacKey {
    /// Keys `alg` with `secret`, whose length the caller has already checked; `None` for an
    /// algorithm that is not HMAC, so that no other algorithm ever quietly becomes HS256.
    pub(super) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
        // new_from_slice accepts any key length for HMAC; lengths were checked before.
        Some(match alg {
            Algorithm::HS256 => HmacKey::S256(HmacSha256::new_from_slice(secret).ok()?),
            Algorithm::HS384 => HmacKey::S384(HmacSha384::new_from_slice(secret).ok()?),
            Algorithm::HS512 => HmacKey::S512(HmacSha512::new_from_slice(secret).ok()?),
            _ => return None,
        })
    }

    /// The base64url signature segment of `signing_input`.
    pub(super) fn sign(&self, signing_input: &[u8]) -> String {
        let mut tag = [0u8; MAX_HMAC_LEN];
        let len = self.tag(signing_input, &mut tag);
        URL_SAFE_NO_PAD.encode(&tag[..len])
    }

    /// Appends `.` and the signature segment of `token` (the signing input) to `token`.
    pub(super) fn append_signature(&self, token: &mut Vec<u8>) {
        let mut tag = [0u8; MAX_HMAC_LEN];
        let len = self.tag(token, &mut tag);
        token.push(b'.');
        base64url::encode_into(&tag[..len], token);
    }

    /// Whether the base64url `signature_b64` is the tag of `signing_input`. A segment that is
    /// not base64url is malformed; one too long to be any HMAC output is a wrong signature.
    pub(super) fn verify(
        &self,
        signing_input: &[u8],
        signature_b64: &str,
    ) -> Result<bool, AuthError> {
        // Room for the decoder's estimate of an HS512 tag's 86 characters (66 bytes).
        let mut signature = [0u8; MAX_HMAC_LEN + 2];
        let len = match base64url::decode(signature_b64.as_bytes(), &mut signature) {
            Ok(len) => len,
            // Too long to be any HMAC output: a wrong signature.
            Err(DecodeError::TooLong) => return Err(AuthError::BadSignature),
            Err(DecodeError::Invalid) => {
                return Err(AuthError::Malformed("the signature is not valid base64url"))
            }
        };
        Ok(self.verify_tag(signing_input, &signature[..len]))
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

    fn verify_tag(&self, message: &[u8], signature: &[u8]) -> bool {
        fn run<M: Mac + Clone>(mac: &M, message: &[u8], signature: &[u8]) -> bool {
            let mut mac = mac.clone();
            mac.update(message);
            // Constant-time, a word at a time (the `Mac` trait's own check compares byte by
            // byte behind an optimization barrier each); a wrong length is simply unequal.
            constant_time_eq(&mac.finalize().into_bytes(), signature)
        }
        match self {
            HmacKey::S256(mac) => run(mac, message, signature),
            HmacKey::S384(mac) => run(mac, message, signature),
            HmacKey::S512(mac) => run(mac, message, signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hmac_algorithms_make_an_hmac_key() {
        let secret = [7u8; 64];
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            assert!(HmacKey::new(alg, &secret).is_some(), "{alg}");
        }
        for alg in [
            Algorithm::RS256,
            Algorithm::PS256,
            Algorithm::ES256,
            Algorithm::EdDSA,
        ] {
            assert!(HmacKey::new(alg, &secret).is_none(), "{alg}");
        }
    }
}
