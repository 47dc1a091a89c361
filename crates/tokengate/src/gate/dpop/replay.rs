//! The proofs already seen: a DPoP proof's `jti` may be used once within the window in which
//! its `iat` is accepted (RFC 9449 section 11.1).
//!
//! The cache is per process: instances behind one load balancer each keep their own, so a
//! proof replayed to another instance within its window is accepted there once. That replay
//! still needs the same method, URI and access token, and the key's holder made the proof:
//! it repeats a request, it cannot make a new one. docs/dpop.md says so.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// How many proofs the cache holds at most: beyond it, new proofs are refused until old
/// ones leave their window. At 40 bytes an entry, with the map's overhead about 7 MiB.
pub const REPLAY_CAPACITY: usize = 131_072;

/// Why a proof's `jti` was not taken.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The same key made a proof with this `jti` within the window.
    Seen,
    /// The cache is full of live entries.
    Full,
}

/// The `jti`s of the proofs accepted within their window, by key.
#[derive(Debug, Default)]
pub(crate) struct ReplayCache {
    /// SHA-256 of the key's thumbprint and the `jti`, and when the entry may be dropped.
    seen: Mutex<HashMap<[u8; 32], u64>>,
}

impl ReplayCache {
    /// Records the proof `jti` of the key `jkt`, kept until `until`; refused if it was seen.
    pub(crate) fn first_use(
        &self,
        jkt: &str,
        jti: &str,
        until: u64,
        now: u64,
    ) -> Result<(), Refused> {
        let mut hash = Sha256::new();
        hash.update((jkt.len() as u64).to_be_bytes());
        hash.update(jkt);
        hash.update(jti);
        let key: [u8; 32] = hash.finalize().into();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.get(&key).is_some_and(|kept| *kept >= now) {
            return Err(Refused::Seen);
        }
        if seen.len() >= REPLAY_CAPACITY {
            seen.retain(|_, kept| *kept >= now);
            if seen.len() >= REPLAY_CAPACITY {
                return Err(Refused::Full);
            }
        }
        seen.insert(key, until);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_is_taken_once_per_key_within_its_window() {
        let cache = ReplayCache::default();
        assert_eq!(cache.first_use("key-a", "j1", 160, 100), Ok(()));
        assert_eq!(cache.first_use("key-a", "j1", 160, 150), Err(Refused::Seen));
        // Another key's proof may carry the same jti.
        assert_eq!(cache.first_use("key-b", "j1", 160, 150), Ok(()));
        // Past its window the entry is gone: the proof's iat is refused by then anyway.
        assert_eq!(cache.first_use("key-a", "j1", 300, 161), Ok(()));
    }

    #[test]
    fn a_full_cache_refuses_until_entries_expire() {
        let cache = ReplayCache::default();
        for n in 0..REPLAY_CAPACITY {
            cache.first_use("k", &n.to_string(), 100, 0).unwrap();
        }
        assert_eq!(
            cache.first_use("k", "one-more", 100, 50),
            Err(Refused::Full)
        );
        assert_eq!(cache.first_use("k", "one-more", 200, 101), Ok(()));
    }
}
