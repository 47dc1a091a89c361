//! base64url without padding (RFC 4648 section 5) for a token's segments: strict decoding,
//! and encoding into the bytes of a token being built.
//!
//! Every full verification decodes the payload and the signature, so this sits on the hot
//! path. Eight characters become six bytes (four become three near the end) through one
//! table look-up each, and instead of a branch per character the looked-up values are OR-ed
//! together and checked once at the end: a byte outside the alphabet maps to a value with the
//! high bit set. It is exactly as strict as the `base64` crate's `URL_SAFE_NO_PAD` (a test
//! compares the two on every short input and on random ones): no padding, no whitespace, no
//! length of the form 4k + 1, and no stray bits in the last character, so every decoded value
//! has one encoding only.

/// What was wrong with a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A byte outside the alphabet, an impossible length or a non-canonical last character.
    Invalid,
    /// The decoded bytes would not fit in the buffer.
    TooLong,
}

/// Marks a byte outside the alphabet; any value OR-ed with it has its high bit set.
const INVALID: u8 = 0x80;

/// The six-bit value of each base64url character; [`INVALID`] for every other byte.
const VALUES: [u8; 256] = {
    let mut values = [INVALID; 256];
    let mut at = 0;
    while at < ALPHABET.len() {
        values[ALPHABET[at] as usize] = at as u8;
        at += 1;
    }
    values
};

/// The base64url alphabet: the character of each six-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends the base64url form of `bytes` to `out`, without padding, with the `base64`
/// crate's encoder. Into bytes rather than a `String`: an issuer builds the whole token as
/// bytes and checks it is text once, at the end, instead of once per chunk.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    use base64::Engine;
    let start = out.len();
    out.resize(start + (bytes.len() * 4).div_ceil(3), 0);
    let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut out[start..])
        .expect("sized for the encoded length");
    out.truncate(start + written);
}

/// How many bytes `encoded_len` characters decode to; `None` for the impossible 4k + 1.
pub(crate) fn decoded_len(encoded_len: usize) -> Option<usize> {
    match encoded_len % 4 {
        1 => None,
        0 => Some(encoded_len / 4 * 3),
        rest => Some(encoded_len / 4 * 3 + rest - 1),
    }
}

/// Decodes `segment` into the start of `out`; returns how many bytes it wrote. On an error
/// the contents of `out` are unspecified.
pub(crate) fn decode(segment: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    let len = decoded_len(segment.len()).ok_or(DecodeError::Invalid)?;
    if out.len() < len {
        // The alphabet is checked first, so a long segment of garbage is still "not base64".
        return Err(match all_valid(segment) {
            true => DecodeError::TooLong,
            false => DecodeError::Invalid,
        });
    }
    let mut seen = 0u8;
    // Eight characters at a time while the buffer has room for a whole word: 48 bits into
    // one 64-bit store, whose last two bytes the next group overwrites. Group `n` ends its
    // store at `6n + 8`.
    let (groups, _) = segment.as_chunks::<8>();
    let groups = &groups[..groups.len().min(out.len().saturating_sub(2) / 6)];
    for (group, at) in groups.iter().zip((0..).step_by(6)) {
        let mut bits = 0u64;
        for &byte in group {
            let value = VALUES[usize::from(byte)];
            seen |= value;
            bits = bits << 6 | u64::from(value);
        }
        out[at..at + 8].copy_from_slice(&(bits << 16).to_be_bytes());
    }
    let done = groups.len() * 8;
    let (quads, tail) = segment[done..].as_chunks::<4>();
    let out = &mut out[done / 4 * 3..len];
    let (triples, out_tail) = out.as_chunks_mut::<3>();
    for (quad, triple) in quads.iter().zip(triples) {
        let [a, b, c, d] = quad.map(|byte| VALUES[usize::from(byte)]);
        seen |= a | b | c | d;
        let bits = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        let [_, x, y, z] = bits.to_be_bytes();
        *triple = [x, y, z];
    }
    match *tail {
        [] => {}
        [a, b] => {
            let [a, b] = [a, b].map(|byte| VALUES[usize::from(byte)]);
            // Two characters carry twelve bits for one byte: the last four must be zero.
            seen |= a | b | if b & 0x0f != 0 { INVALID } else { 0 };
            out_tail[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let [a, b, c] = [a, b, c].map(|byte| VALUES[usize::from(byte)]);
            // Three characters carry eighteen bits for two bytes: the last two must be zero.
            seen |= a | b | c | if c & 0x03 != 0 { INVALID } else { 0 };
            out_tail[0] = a << 2 | b >> 4;
            out_tail[1] = b << 4 | c >> 2;
        }
        _ => unreachable!("a tail of one character has no decoded length"),
    }
    match seen & INVALID {
        0 => Ok(len),
        _ => Err(DecodeError::Invalid),
    }
}

fn all_valid(segment: &[u8]) -> bool {
    segment
        .iter()
        .fold(0, |seen, &byte| seen | VALUES[usize::from(byte)])
        & INVALID
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    /// What the `base64` crate's strict engine makes of `segment`.
    fn reference(segment: &[u8]) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(segment).ok()
    }

    fn ours(segment: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; segment.len()];
        let len = decode(segment, &mut out).ok()?;
        out.truncate(len);
        Some(out)
    }

    #[test]
    fn agrees_with_the_base64_crate_on_every_input_of_up_to_two_bytes() {
        let mut inputs: Vec<Vec<u8>> = vec![vec![]];
        inputs.extend((0..=255u8).map(|a| vec![a]));
        inputs.extend((0..=255u8).flat_map(|a| (0..=255u8).map(move |b| vec![a, b])));
        for input in inputs {
            assert_eq!(ours(&input), reference(&input), "{input:?}");
        }
    }

    #[test]
    fn agrees_on_every_last_character_after_a_full_group() {
        // The tails of lengths 4k + 2 and 4k + 3, each with every possible last byte: the
        // canonical-bits rule lives there.
        for prefix in ["", "QUJD", "eyJhbGciOiJIUzI1NiJ9"] {
            for middle in ["", "Q", "QU", "Q-", "_w"] {
                for last in 0..=255u8 {
                    let mut input = format!("{prefix}{middle}").into_bytes();
                    input.push(last);
                    assert_eq!(ours(&input), reference(&input), "{input:?}");
                }
            }
        }
    }

    #[test]
    fn agrees_on_random_inputs_mostly_of_the_alphabet() {
        // A fixed-seed generator: the same inputs on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 70) as usize;
            let mut input: Vec<u8> = (0..len).map(|_| ALPHABET[(next() % 64) as usize]).collect();
            if len > 0 && next() % 4 == 0 {
                // One byte of anything, anywhere: `=`, `+`, `/`, `.`, a space, UTF-8.
                input[(next() as usize) % len] = next() as u8;
            }
            assert_eq!(ours(&input), reference(&input), "{input:?}");
        }
    }

    #[test]
    fn round_trips_what_the_base64_crate_encodes() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..data.len() {
            let encoded = URL_SAFE_NO_PAD.encode(&data[..len]);
            assert_eq!(ours(encoded.as_bytes()).as_deref(), Some(&data[..len]));
        }
    }

    #[test]
    fn encodes_as_the_base64_crate_does() {
        let data: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
        for len in 0..64 {
            for start in [0, 1, 100, 255, 440] {
                let bytes = &data[start..start + len];
                let mut out = b"prefix.".to_vec();
                encode_into(bytes, &mut out);
                let expected = format!("prefix.{}", URL_SAFE_NO_PAD.encode(bytes));
                assert_eq!(String::from_utf8(out).unwrap(), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn a_buffer_too_small_is_told_apart_from_bad_input() {
        let mut out = [0u8; 2];
        assert_eq!(decode(b"QUJD", &mut out), Err(DecodeError::TooLong));
        assert_eq!(decode(b"QU=D", &mut out), Err(DecodeError::Invalid));
        assert_eq!(decode(b"QUI", &mut out), Ok(2));
        assert_eq!(&out, b"AB");
    }
}
