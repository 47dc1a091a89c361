//! The path a proxy asks about, normalised before any rule sees it: this is where gateways
//! get bypassed (`/public/../admin`, `%2e%2e`, `%2F`, `//`, `\`), so every form that a proxy
//! or an upstream could read as another path is either resolved here the way nginx resolves
//! it, or refused.

use std::borrow::Cow;

/// Why a path was refused (400 `invalid_request`); the text names the rule, never the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Not an origin-form path (`/…`).
    NotAbsolute,
    /// `%2F` or `%5C`: an upstream that decodes it sees another path than the rules did.
    EncodedSeparator,
    /// A backslash, which some servers read as `/`.
    Backslash,
    /// A NUL or another control character, raw or encoded.
    ControlCharacter,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// An escape of an escape (`%252e`): an upstream that decodes twice sees `%2e`.
    DoubleEscape,
    /// A `..` above the root.
    AboveRoot,
    /// A dot segment with a parameter (`..;x`), which some servers resolve as `..`.
    DotSegmentWithParameter,
}

impl PathError {
    /// The message of the 400 answer.
    pub fn message(self) -> &'static str {
        match self {
            PathError::NotAbsolute => "the original path must start with /",
            PathError::EncodedSeparator => "the original path holds an encoded / or \\",
            PathError::Backslash => "the original path holds a backslash",
            PathError::ControlCharacter => "the original path holds a control character",
            PathError::BadEscape => "the original path holds a % that is not an escape",
            PathError::DoubleEscape => "the original path holds an escaped escape",
            PathError::AboveRoot => "the original path climbs above the root",
            PathError::DotSegmentWithParameter => {
                "the original path holds a dot segment with a parameter"
            }
        }
    }
}

/// The path of `target` (a path with an optional query, `/a/b?c`) as the policy matches it:
/// the query and any fragment dropped, escapes of unreserved characters (letters, digits,
/// `-`, `.`, `_`, `~`) decoded, repeated `/` merged, and `.` and `..` segments resolved, in
/// that order, so `/public//../admin` and `/public/%2e%2e/admin` are both `/admin`. Other
/// escapes stay as they are (`%20`). Refused: a path not starting with `/`, `%2F` or `%5C`,
/// a backslash, a control character (raw or escaped), a broken or escaped escape, a `..`
/// above the root, and a dot segment with a `;` parameter.
///
/// ```
/// use tokengate::gate::gateway::{normalise_path, PathError};
///
/// assert_eq!(normalise_path("/public//../admin?x=1").unwrap(), "/admin");
/// assert_eq!(normalise_path("/%70ublic/./a/").unwrap(), "/public/a/");
/// assert_eq!(normalise_path("/public/%2e%2e/admin").unwrap(), "/admin");
/// assert_eq!(normalise_path("/a%2Fb"), Err(PathError::EncodedSeparator));
/// assert_eq!(normalise_path("/../etc"), Err(PathError::AboveRoot));
/// ```
pub fn normalise_path(target: &str) -> Result<Cow<'_, str>, PathError> {
    let path = match target.find(['?', '#']) {
        Some(end) => &target[..end],
        None => target,
    };
    if !path.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    let decoded = decode_unreserved(path)?;
    if is_plain(&decoded) {
        return Ok(decoded);
    }
    resolve_segments(&decoded).map(Cow::Owned)
}

/// Already normal: no `//`, and no segment that is `.` or `..`, with or without a `;`
/// parameter (the common case keeps the borrowed path).
fn is_plain(path: &str) -> bool {
    !path.contains("//") && path[1..].split('/').all(|segment| !is_dot_segment(segment))
}

/// `.` or `..`, before any `;` parameter.
fn is_dot_segment(segment: &str) -> bool {
    let name = segment.split(';').next().unwrap_or(segment);
    matches!(name, "." | "..")
}

/// Decodes the escapes of unreserved characters, after refusing everything a decoder further
/// along could turn into another path.
fn decode_unreserved(path: &str) -> Result<Cow<'_, str>, PathError> {
    let bytes = path.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'\\' => return Err(PathError::Backslash),
            0..=0x1f | 0x7f => return Err(PathError::ControlCharacter),
            b'%' => {
                let value = bytes
                    .get(i + 1..i + 3)
                    .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
                    .ok_or(PathError::BadEscape)?;
                match value {
                    b'/' | b'\\' => return Err(PathError::EncodedSeparator),
                    0..=0x1f | 0x7f => return Err(PathError::ControlCharacter),
                    _ => {}
                }
                if is_unreserved(value) {
                    out.get_or_insert_with(|| bytes[..i].to_vec()).push(value);
                } else if let Some(out) = &mut out {
                    out.extend_from_slice(&bytes[i..i + 3]);
                }
                i += 3;
                continue;
            }
            _ => {}
        }
        if let Some(out) = &mut out {
            out.push(byte);
        }
        i += 1;
    }
    let decoded = match out {
        // Only ASCII bytes replaced ASCII escapes, so the text stays UTF-8.
        Some(out) => Cow::Owned(String::from_utf8(out).expect("ASCII for ASCII")),
        None => Cow::Borrowed(path),
    };
    // Checked on the result: decoding `%25%37%35` leaves `%2575`, an escaped escape too.
    if holds_escaped_escape(decoded.as_bytes()) {
        return Err(PathError::DoubleEscape);
    }
    Ok(decoded)
}

/// Whether `path` (whose escapes are all well formed) holds `%25` followed by two hex digits.
fn holds_escaped_escape(path: &[u8]) -> bool {
    path.windows(5).any(|window| {
        window[0] == b'%'
            && window[1] == b'2'
            && window[2] == b'5'
            && window[3].is_ascii_hexdigit()
            && window[4].is_ascii_hexdigit()
    })
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Merges repeated `/` and resolves `.` and `..` (RFC 3986, section 5.2.4): a path that ended
/// in a dot segment ends in `/`.
fn resolve_segments(path: &str) -> Result<String, PathError> {
    let mut kept: Vec<&str> = Vec::new();
    let mut ends_in_slash = false;
    for segment in path[1..].split('/') {
        ends_in_slash = true;
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop().ok_or(PathError::AboveRoot)?;
            }
            _ => {
                if is_dot_segment(segment) {
                    return Err(PathError::DotSegmentWithParameter);
                }
                kept.push(segment);
                ends_in_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    if ends_in_slash || kept.is_empty() {
        out.push('/');
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
