//! JSON whose base64url form the browser's `atob()` accepts: no `-` or `_` digit anywhere.
//!
//! CKEditor's client decodes token payloads with `atob()` (the `ckeditor` module says why
//! that matters), so an [`Issuer`](crate::Issuer) set to
//! [`atob_safe`](crate::Issuer::atob_safe) writes its payload through here. The JSON means
//! the same; only string contents are spelled with more `\u` escapes.

use serde::Serialize;
use std::io::{self, Write};

/// Serializes `value` as JSON whose base64url encoding contains neither `-` nor `_`.
#[cfg(test)]
pub(crate) fn to_atob_safe_json(value: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    to_atob_safe_json_into(&mut out, value)?;
    Ok(out)
}

/// Appends `value` to `out` as JSON whose base64url encoding contains neither `-` nor `_`.
pub(crate) fn to_atob_safe_json_into(
    out: &mut Vec<u8>,
    value: &impl Serialize,
) -> Result<(), serde_json::Error> {
    let mut serializer = serde_json::Serializer::with_formatter(out, AtobSafe);
    value.serialize(&mut serializer)
}

/// Base64 turns each 3 bytes into four 6-bit digits; `-` and `_` are digits 62 and 63. With
/// every byte below 0x80 the first three digits of a group stay at or below 61, and the
/// fourth is 62 or 63 only for the bytes `>` `?` `~` DEL. String contents are the only place
/// those (or non-ASCII bytes) can appear in JSON, so escaping them there is enough.
struct AtobSafe;

impl serde_json::ser::Formatter for AtobSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if !fragment.bytes().any(needs_atob_escape) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if c.is_ascii() && !needs_atob_escape(c as u8) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Whether `byte`, in a JSON string, must be written as a `\u` escape to keep the base64url
/// form free of `-` and `_`.
pub(crate) const fn needs_atob_escape(byte: u8) -> bool {
    byte >= 0x7f || matches!(byte, b'>' | b'?' | b'~')
}
