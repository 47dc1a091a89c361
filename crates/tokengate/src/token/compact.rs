//! The JWS compact serialization, read strictly: three base64url segments without padding,
//! JSON objects without repeated member names, and a header whose `alg` is a string.

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;
use std::borrow::Cow;

use crate::token::base64url;
use crate::token::error::AuthError;

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
    // Other bytes outside the base64url alphabet fail the strict decoding of their
    // segment; padding gets its own message because it is a common client mistake.
    if token.contains('=') {
        return Err(AuthError::Malformed("base64url padding is not allowed"));
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

/// Splits `token` at its first and last dots after checking its length, without reading the
/// bytes between them: for the verifier's path, where it saves a pass over every token.
///
/// It does not check what [`split`] checks, yet it cannot let a token through that `split`
/// refuses: every later step of a verification refuses a `.` or `=` in its segment (the
/// payload's and the signature's decoding, the header's decoding or its exact match with a
/// known header), and an empty header or payload does not parse. So a caller must, on any
/// error, report `split`'s error instead when it has one: the same answers as checking first.
pub(crate) fn split_at_outer_dots(token: &str, max_len: usize) -> Result<Segments<'_>, AuthError> {
    if token.len() > max_len {
        return Err(AuthError::Oversized { max: max_len });
    }
    match (token.find('.'), token.rfind('.')) {
        (Some(first), Some(last)) if first < last => Ok(Segments {
            signing_input: &token[..last],
            header: &token[..first],
            payload: &token[first + 1..last],
            signature: &token[last + 1..],
        }),
        _ => split(token, max_len),
    }
}

/// Decodes one segment into `buf`, returning the decoded bytes. Non-canonical encodings
/// (stray trailing bits, impossible lengths) are errors.
pub(crate) fn decode_segment<'b>(segment: &str, buf: &'b mut [u8]) -> Result<&'b [u8], AuthError> {
    let len = base64url::decode(segment.as_bytes(), buf)
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

/// Fails if `json` does not start with an object or if any object in it repeats a member
/// name. Parsers disagree on which duplicate wins, so a token that has one means different
/// things to different readers (RFC 8725 section 2.8; RFC 7515 section 4).
///
/// This is a scan over the bytes, not a parse: it is exact for valid JSON, and every caller
/// parses the same bytes with serde_json right after, which rejects anything invalid. On
/// invalid input it may answer either way, but always terminates.
pub(crate) fn reject_duplicate_members(json: &[u8], what: &'static str) -> Result<(), AuthError> {
    scan_members::<false>(json, what).map(drop)
}

/// [`reject_duplicate_members`] on a payload, which also finds its top-level `iss` member
/// in the same pass: its value when it is a string, `None` when it is absent or not a string.
/// The trusted-issuer path uses it to pick an issuer before any signature check, without
/// parsing the payload for it.
#[cfg(feature = "remote-keys")]
pub(crate) fn issuer_of(json: &[u8]) -> Result<Option<Cow<'_, str>>, AuthError> {
    const WHAT: &str = "the payload is not a JSON object with unique members";
    let Some((open, close)) = scan_members::<true>(json, WHAT)? else {
        return Ok(None);
    };
    let quoted = &json[open..=close];
    if quoted[1..quoted.len() - 1].contains(&b'\\') {
        let value: String =
            serde_json::from_slice(quoted).map_err(|_| AuthError::Malformed(WHAT))?;
        return Ok(Some(Cow::Owned(value)));
    }
    std::str::from_utf8(&quoted[1..quoted.len() - 1])
        .map(|value| Some(Cow::Borrowed(value)))
        .map_err(|_| AuthError::Malformed(WHAT))
}

/// The name `iss`, quoted, as it stands in JSON without escapes.
const ISS: &[u8] = b"\"iss\"";

/// The duplicate-member scan; with `FIND_ISS`, also the span (both quotes included) of the
/// string value of the top-level member `iss`, if it has one.
fn scan_members<const FIND_ISS: bool>(
    json: &[u8],
    what: &'static str,
) -> Result<Option<(usize, usize)>, AuthError> {
    let malformed = || AuthError::Malformed(what);
    // With FIND_ISS: whether the next value is the top-level `iss`'s, and its span.
    let mut iss_value_next = false;
    let mut iss_span = None;
    let first = json.iter().position(|b| !b.is_ascii_whitespace());
    if first.map(|at| json[at]) != Some(b'{') {
        return Err(malformed());
    }
    // Member names of every open object, innermost last, as quoted byte slices of the
    // input; `frames` holds where each open object's names start (`ARRAY` for an array).
    let mut names = Names::default();
    let mut frames = [0u32; MAX_DEPTH];
    let mut depth = 0;
    let mut expecting_name = false;
    let mut at = 0;
    while at < json.len() {
        if FIND_ISS && iss_value_next && !matches!(json[at], b'"' | b':') {
            // A value of another kind than a string: `iss` is not one.
            iss_value_next = json[at].is_ascii_whitespace();
        }
        match json[at] {
            open @ (b'{' | b'[') => {
                if depth == MAX_DEPTH {
                    return Err(malformed());
                }
                frames[depth] = if open == b'{' { names.len() } else { ARRAY };
                depth += 1;
                expecting_name = open == b'{';
            }
            b'}' | b']' => {
                if depth > 0 {
                    depth -= 1;
                    if frames[depth] != ARRAY {
                        names.truncate(frames[depth]);
                    }
                }
                expecting_name = false;
            }
            b',' => expecting_name = depth > 0 && frames[depth - 1] != ARRAY,
            b':' => expecting_name = false,
            b'"' => {
                let (end, escaped) = string_end(json, at).ok_or_else(malformed)?;
                if expecting_name {
                    let name = Name::new(&json[at..=end], escaped);
                    let start = if depth > 0 { frames[depth - 1] } else { 0 };
                    for earlier in start..names.len() {
                        if same_name(names.get(earlier), name).ok_or_else(malformed)? {
                            return Err(malformed());
                        }
                    }
                    names.push(name);
                    expecting_name = false;
                    if FIND_ISS && depth == 1 {
                        iss_value_next = name.quoted == ISS
                            || (escaped
                                && same_name(name, Name::new(ISS, false)).ok_or_else(malformed)?);
                    }
                } else if FIND_ISS && iss_value_next {
                    iss_span = Some((at, end));
                    iss_value_next = false;
                }
                at = end;
            }
            _ => {}
        }
        at += 1;
    }
    Ok(iss_span)
}

const ARRAY: u32 = u32::MAX;

/// A member name as it stands in the input, quotes included.
#[derive(Clone, Copy, Default)]
struct Name<'a> {
    quoted: &'a [u8],
    /// Its first eight bytes (zero-padded), compared before the rest: claim names are short
    /// and mostly of one length (`iss`, `sub`, `aud`, `exp`...), so most comparisons end here.
    head: u64,
    /// Whether it holds a backslash escape.
    escaped: bool,
}

impl<'a> Name<'a> {
    fn new(quoted: &'a [u8], escaped: bool) -> Self {
        let mut head = [0u8; 8];
        let len = quoted.len().min(8);
        head[..len].copy_from_slice(&quoted[..len]);
        Name {
            quoted,
            head: u64::from_le_bytes(head),
            escaped,
        }
    }
}

/// Open member names: on the stack up to 16 (more than a token usually has open at once),
/// then on the heap.
#[derive(Default)]
struct Names<'a> {
    inline: [Name<'a>; 16],
    len: u32,
    spilled: Vec<Name<'a>>,
}

impl<'a> Names<'a> {
    fn len(&self) -> u32 {
        self.len
    }

    fn get(&self, index: u32) -> Name<'a> {
        let index = index as usize;
        match self.inline.get(index) {
            Some(name) => *name,
            None => self.spilled[index - self.inline.len()],
        }
    }

    fn push(&mut self, name: Name<'a>) {
        match self.inline.get_mut(self.len as usize) {
            Some(slot) => *slot = name,
            None => self.spilled.push(name),
        }
        self.len += 1;
    }

    fn truncate(&mut self, len: u32) {
        self.len = len;
        self.spilled
            .truncate((len as usize).saturating_sub(self.inline.len()));
    }
}

/// Whether two quoted member names are the same name once escapes are resolved, so that
/// `"a\u0062"` equals `"ab"`. `None` if an escape is invalid.
fn same_name(a: Name<'_>, b: Name<'_>) -> Option<bool> {
    if !a.escaped && !b.escaped {
        return Some(
            a.head == b.head
                && a.quoted.len() == b.quoted.len()
                && (a.quoted.len() <= 8 || a.quoted[8..] == b.quoted[8..]),
        );
    }
    let a: String = serde_json::from_slice(a.quoted).ok()?;
    let b: String = serde_json::from_slice(b.quoted).ok()?;
    Some(a == b)
}

/// The index of the quote closing the string that opens at `open`, and whether the string
/// holds an escape.
fn string_end(json: &[u8], open: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    let mut at = open + 1;
    while at < json.len() {
        match json[at] {
            b'"' => return Some((at, escaped)),
            b'\\' => {
                escaped = true;
                at += 2;
            }
            _ => at += 1,
        }
    }
    None
}

/// Nesting beyond this is refused; serde_json stops at 128 anyway, and tokens are shallow.
const MAX_DEPTH: usize = 64;

#[cfg(test)]
mod tests;
