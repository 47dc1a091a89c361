//! The JWS compact serialization, read strictly: three base64url segments without padding,
//! JSON objects without repeated member names, and a header whose `alg` is a string.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

use crate::error::AuthError;

/// A token split into its segments. Borrowed from the token; nothing is decoded yet.
pub(crate) struct Segments<'t> {
    /// `BASE64URL(header) "." BASE64URL(payload)`: the bytes the signature covers.
    pub signing_input: &'t str,
    pub header: &'t str,
    pub payload: &'t str,
    pub signature: &'t str,
}

/// Splits `token` after checking its length (before any decoding) and its alphabet.
pub(crate) fn split(token: &str, max_len: usize) -> Result<Segments<'_>, AuthError> {
    if token.len() > max_len {
        return Err(AuthError::Oversized { max: max_len });
    }
    if let Some(bad) = token.bytes().find(|b| !is_base64url(*b) && *b != b'.') {
        return Err(AuthError::Malformed(if bad == b'=' {
            "base64url padding is not allowed"
        } else {
            "the token contains characters outside base64url"
        }));
    }
    let mut parts = token.splitn(4, '.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed("a token has exactly three segments"));
    };
    if header.is_empty() || payload.is_empty() {
        return Err(AuthError::Malformed(
            "the header or payload segment is empty",
        ));
    }
    Ok(Segments {
        signing_input: &token[..header.len() + 1 + payload.len()],
        header,
        payload,
        signature,
    })
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Decodes one segment into `buf`, returning the decoded bytes. Non-canonical encodings
/// (stray trailing bits, impossible lengths) are errors.
pub(crate) fn decode_segment<'b>(segment: &str, buf: &'b mut [u8]) -> Result<&'b [u8], AuthError> {
    let len = URL_SAFE_NO_PAD
        .decode_slice(segment, buf)
        .map_err(|_| AuthError::Malformed("a segment is not valid base64url"))?;
    Ok(&buf[..len])
}

/// The decoded length a segment needs at most.
pub(crate) fn decoded_len(segment: &str) -> usize {
    segment.len() / 4 * 3 + 3
}

/// The parts of a JOSE header that tokengate reads. `jwk`, `jku`, `x5u`, `x5c` and any
/// other member are ignored: they never select a key and never cause a request.
#[derive(Deserialize)]
pub(crate) struct Header<'a> {
    #[serde(borrow)]
    pub alg: Cow<'a, str>,
    #[serde(default, borrow)]
    pub typ: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub kid: Option<Cow<'a, str>>,
    /// Whether `crit` is present at all, whatever its value: even `"crit": null` asks the
    /// verifier to understand something it does not.
    #[serde(default, deserialize_with = "present")]
    pub crit: bool,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// Parses a decoded header: a UTF-8 JSON object, no repeated member names, `alg` a string.
pub(crate) fn parse_header(json: &[u8]) -> Result<Header<'_>, AuthError> {
    reject_duplicate_members(json, "the header is not a JSON object with unique members")?;
    serde_json::from_slice(json).map_err(|_| AuthError::Malformed("the header is not valid"))
}

/// Fails if `json` is not a single JSON object (UTF-8, no trailing data) or if any object in
/// it repeats a member name. Parsers disagree on which duplicate wins, so a token that has
/// one means different things to different readers (RFC 8725 section 2.8; RFC 7515 section 4).
pub(crate) fn reject_duplicate_members(json: &[u8], what: &'static str) -> Result<(), AuthError> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let top = deserializer
        .deserialize_any(UniqueMembers { depth: 0 })
        .map_err(|_| AuthError::Malformed(what))?;
    deserializer.end().map_err(|_| AuthError::Malformed(what))?;
    if top != Kind::Object {
        return Err(AuthError::Malformed(what));
    }
    Ok(())
}

#[derive(PartialEq)]
enum Kind {
    Object,
    Other,
}

/// Nesting beyond this is refused; serde_json stops at 128 anyway, and tokens are shallow.
const MAX_DEPTH: usize = 64;

struct UniqueMembers {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for UniqueMembers {
    type Value = Kind;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueMembers {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(de::Error::custom("too deep"));
        }
        let mut seen: Vec<Cow<'de, str>> = Vec::new();
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            if seen.contains(&name) {
                return Err(de::Error::custom("repeated member"));
            }
            seen.push(name);
            map.next_value_seed(UniqueMembers {
                depth: self.depth + 1,
            })?;
        }
        Ok(Kind::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(de::Error::custom("too deep"));
        }
        while seq
            .next_element_seed(UniqueMembers {
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(Kind::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(json: &str) -> bool {
        reject_duplicate_members(json.as_bytes(), "x").is_err()
    }

    #[test]
    fn repeated_members_are_found_at_any_depth_and_through_escapes() {
        assert!(!dup(r#"{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}"#));
        assert!(dup(r#"{"a":1,"a":1}"#));
        assert!(dup(r#"{"exp":1,"b":2,"exp":3}"#));
        assert!(dup(r#"{"auth":{"collaboration":{"d":{},"d":{}}}}"#));
        assert!(dup(r#"{"l":[{"x":1,"x":2}]}"#));
        assert!(dup(r#"{"ab":1,"a\u0062":2}"#));
    }

    #[test]
    fn only_a_single_utf8_object_is_accepted() {
        for bad in ["[]", "1", "\"s\"", "null", "{} {}", "{", "", "{\"a\":1}x"] {
            assert!(dup(bad), "{bad:?}");
        }
        assert!(reject_duplicate_members(b"{\"a\":\"\xff\"}", "x").is_err());
        assert!(!dup(" {\"a\":\"\u{e9}\"} "));
    }

    #[test]
    fn split_checks_length_first_then_alphabet_and_segments() {
        assert_eq!(
            split(&"a".repeat(9000), 8192).err(),
            Some(AuthError::Oversized { max: 8192 })
        );
        for bad in [
            "a.b", "a.b.c.d", "a..c", ".b.c", "a.b=.c", "a.b.c=", "a+b.c.d", "a.b/.c", "a. b.c",
        ] {
            assert!(split(bad, 8192).is_err(), "{bad}");
        }
        let s = split("aa.bb.cc", 8192).ok().unwrap();
        assert_eq!((s.signing_input, s.signature), ("aa.bb", "cc"));
        assert!(
            split("aa.bb.", 8192).is_ok(),
            "empty signature is left to the signature check"
        );
    }

    #[test]
    fn non_canonical_base64_is_rejected() {
        let mut buf = [0u8; 16];
        assert!(decode_segment("eyJ9", &mut buf).is_ok());
        // "eh" has non-zero trailing bits (canonical form is "eg").
        assert!(decode_segment("eh", &mut buf).is_err());
        assert!(decode_segment("e", &mut buf).is_err());
    }

    #[test]
    fn header_rules() {
        assert!(
            parse_header(br#"{"alg":"HS256","crit":null}"#)
                .unwrap()
                .crit
        );
        assert!(!parse_header(br#"{"alg":"HS256"}"#).unwrap().crit);
        assert!(parse_header(br#"{"alg":1}"#).is_err());
        assert!(parse_header(br#"{"typ":"JWT"}"#).is_err());
        assert!(parse_header(br#"{"alg":"HS256","alg":"none"}"#).is_err());
    }
}
