//! Comparing secrets (a signature, a remembered token) without a timing side channel.
//!
//! Hand-written, a word at a time, because it saves about 0.4 µs on every request whose token
//! the per-thread cache remembers: comparing a 300-byte token took 15 ns here and 498 ns with
//! `subtle`'s byte-at-a-time `ct_eq` (an HMAC tag: 4 ns against 55 ns). Measured with
//! `cargo bench -p tokengate --bench hand_written` (criterion, 2026-12-07; BENCHMARKS.md). The
//! final test of the folded word is still `subtle`'s.

use subtle::ConstantTimeEq;

/// Whether `a` and `b` are equal, in time that depends only on their lengths (which are not
/// secret: a token's length is visible on the wire). Eight bytes at a time, the differences
/// folded with OR and only the folded word compared; without a branch on the bytes.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u64;
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    for (x, y) in a_words.iter().zip(b_words) {
        diff |= u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y);
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        diff |= u64::from(x ^ y);
    }
    bool::from(diff.ct_eq(&0))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_eq_is_equality() {
        let base = b"eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl-0123456789".to_vec();
        assert!(constant_time_eq(&base, &base.clone()));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(&base, &base[..base.len() - 1]));
        for at in 0..base.len() {
            let mut other = base.clone();
            other[at] ^= 0x01;
            assert!(!constant_time_eq(&base, &other), "byte {at}");
            other[at] ^= 0x81;
            assert!(!constant_time_eq(&base, &other), "byte {at}");
        }
    }
}
