//! The rules a token must meet, in the order [`Verifier::verify`] applies them: the
//! header (`alg` pinned to the key, no `crit`, the `typ`), then the claims (`exp`, `nbf`,
//! `iat`, `iss`, `aud`), and how the claims are parsed.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::plain_claims::plain_claims;
use super::{scratch, Verifier};
use crate::token::claims::Claims;
use crate::token::collaboration::{Auth, CsUser};
use crate::token::compact::{self, decode_segment, decoded_len, Header};
use crate::token::error::AuthError;
use crate::token::keys::Key;

impl Verifier {
    pub(super) fn known_header(&self, segment: &str) -> Option<&Key> {
        // Every known header has `"typ":"JWT"` and no `crit`.
        if self
            .typ
            .as_deref()
            .is_some_and(|typ| !same_media_type(typ, "JWT"))
        {
            return None;
        }
        self.known_headers
            .iter()
            .find(|(known, _)| known == segment)
            .map(|(_, key)| key)
    }

    /// Decodes and checks a header, returning the key it selects.
    pub(super) fn check_header(&self, segment: &str) -> Result<&Key, AuthError> {
        let mut header_buf = [0u8; 512];
        let mut header_heap = Vec::new();
        let header_json = decode_segment(
            segment,
            scratch(&mut header_buf, &mut header_heap, decoded_len(segment)),
        )?;
        let header = compact::parse_header(header_json)?;
        self.check_parsed_header(&header)
    }

    /// Checks a parsed header, returning the key it selects.
    pub(super) fn check_parsed_header(&self, header: &Header<'_>) -> Result<&Key, AuthError> {
        if header.crit {
            return Err(AuthError::CriticalHeader);
        }
        if let Some(required) = &self.typ {
            if !header
                .typ
                .as_deref()
                .is_some_and(|typ| same_media_type(required, typ))
            {
                return Err(AuthError::WrongType);
            }
        }
        let key = self.keys.select(header.kid.as_deref())?;
        if header.alg != key.algorithm().as_str() {
            return Err(AuthError::DisallowedAlgorithm);
        }
        Ok(key)
    }

    pub(super) fn check_claims<E>(&self, claims: &Claims<E>, now: u64) -> Result<(), AuthError> {
        let exp = claims.exp.ok_or(AuthError::MissingClaim("exp"))?;
        if exp.saturating_add(self.expiry_leeway) <= now {
            return Err(AuthError::Expired);
        }
        let horizon = now.saturating_add(self.leeway);
        if claims.nbf.is_some_and(|nbf| nbf > horizon)
            || claims.iat.is_some_and(|iat| iat > horizon)
        {
            return Err(AuthError::NotYetValid);
        }
        if let Some(issuer) = &self.issuer {
            match &claims.iss {
                None => return Err(AuthError::MissingClaim("iss")),
                Some(iss) if iss != issuer => return Err(AuthError::WrongIssuer),
                Some(_) => {}
            }
        }
        if !self.audiences.is_empty() {
            match &claims.aud {
                None => return Err(AuthError::MissingClaim("aud")),
                Some(aud) if !self.audiences.iter().any(|one| aud.contains(one)) => {
                    return Err(AuthError::WrongAudience)
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// Parses the claims of a payload already found free of repeated members: in one pass when
/// it has the plain shape (see [`plain_claims`]), else with serde_json. With
/// `lenient_ckeditor_claims`, a payload that does not parse is read again without its `user`
/// and `auth` members where they are not CKEditor's shape: only such a token pays for a
/// second parse.
pub(super) fn parse_claims<E: DeserializeOwned + 'static>(
    payload_json: &[u8],
    lenient_ckeditor_claims: bool,
) -> Result<Claims<E>, AuthError> {
    match plain_claims(payload_json) {
        Some(claims) => Ok(claims),
        None => parse_general_claims(payload_json, lenient_ckeditor_claims),
    }
}

/// Parses the claims with serde_json, whatever their shape (see [`parse_claims`]).
pub(super) fn parse_general_claims<E: DeserializeOwned>(
    payload_json: &[u8],
    lenient_ckeditor_claims: bool,
) -> Result<Claims<E>, AuthError> {
    match serde_json::from_slice(payload_json) {
        Ok(claims) => Ok(claims),
        Err(_) if lenient_ckeditor_claims => parse_without_foreign_ckeditor_claims(payload_json),
        Err(_) => Err(malformed_claims()),
    }
}

fn malformed_claims() -> AuthError {
    AuthError::Malformed("a claim has the wrong JSON type or an out-of-range value")
}

/// The claims of a payload whose `user` and `auth` members, where they are not CKEditor's
/// shape, are dropped first. Out of line: the common path never comes here.
#[cold]
#[inline(never)]
fn parse_without_foreign_ckeditor_claims<E: DeserializeOwned>(
    payload_json: &[u8],
) -> Result<Claims<E>, AuthError> {
    let mut members: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(payload_json).map_err(|_| malformed_claims())?;
    if members
        .get("user")
        .is_some_and(|user| CsUser::deserialize(user).is_err())
    {
        members.remove("user");
    }
    if members
        .get("auth")
        .is_some_and(|auth| Auth::deserialize(auth).is_err())
    {
        members.remove("auth");
    }
    Claims::<E>::deserialize(serde_json::Value::Object(members)).map_err(|_| malformed_claims())
}

/// Whether two `typ` values name the same media type (RFC 7515 section 4.1.9): a value
/// without `/` is `application/` and that value, and media type names are compared without
/// regard to case (RFC 6838 section 4.2).
pub(super) fn same_media_type(a: &str, b: &str) -> bool {
    fn full(typ: &str) -> (&str, &str) {
        typ.split_once('/').unwrap_or(("application", typ))
    }
    let ((a_type, a_sub), (b_type, b_sub)) = (full(a), full(b));
    a_type.eq_ignore_ascii_case(b_type) && a_sub.eq_ignore_ascii_case(b_sub)
}
