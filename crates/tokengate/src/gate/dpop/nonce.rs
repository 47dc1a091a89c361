//! Server nonces (RFC 9449 section 8 and 9): with them on, a proof must carry a `nonce` the
//! server handed out, so that a client cannot make proofs ahead of time. A nonce is the
//! HMAC-SHA256 of the current five-minute window under a secret: nothing is stored, any
//! instance with the same secret hands out and accepts the same nonces, and the previous
//! window's nonce is still accepted, so a client never races the change of window.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How long one nonce is handed out; it is accepted for twice as long.
pub const NONCE_WINDOW_SECS: u64 = 300;

/// The server's DPoP nonces.
#[derive(Clone)]
pub struct DpopNonces {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for DpopNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopNonces").finish_non_exhaustive()
    }
}

impl DpopNonces {
    /// Nonces derived from `secret`: instances given the same secret agree on them.
    /// `tokengate serve` and the reference apps use their store's own secret.
    pub fn new(secret: &[u8]) -> DpopNonces {
        let mut derive = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        derive.update(b"tokengate DPoP nonces");
        let key = derive.finalize().into_bytes();
        DpopNonces {
            mac: Hmac::new_from_slice(&key).expect("HMAC takes any key"),
        }
    }

    /// Nonces from a random secret: for one instance alone (each instance would refuse the
    /// others' nonces, and clients would retry at every switch).
    pub fn random() -> DpopNonces {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        DpopNonces::new(&secret)
    }

    /// The nonce to hand out at `now` (seconds since the Unix epoch).
    pub fn current(&self, now: u64) -> String {
        self.of_window(now / NONCE_WINDOW_SECS)
    }

    /// Whether `nonce` is this window's or the previous one's.
    pub fn accepts(&self, nonce: &str, now: u64) -> bool {
        let window = now / NONCE_WINDOW_SECS;
        [window, window.saturating_sub(1)]
            .iter()
            .any(|window| bool::from(self.of_window(*window).as_bytes().ct_eq(nonce.as_bytes())))
    }

    fn of_window(&self, window: u64) -> String {
        let mut mac = self.mac.clone();
        mac.update(&window.to_be_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_lives_two_windows_and_instances_with_one_secret_agree() {
        let nonces = DpopNonces::new(b"the store's secret");
        let start = 1_000 * NONCE_WINDOW_SECS;
        let nonce = nonces.current(start);
        assert!(nonces.accepts(&nonce, start + NONCE_WINDOW_SECS - 1));
        assert!(nonces.accepts(&nonce, start + NONCE_WINDOW_SECS));
        assert!(!nonces.accepts(&nonce, start + 2 * NONCE_WINDOW_SECS));
        assert!(!nonces.accepts(&nonce, start - 1));
        let other_instance = DpopNonces::new(b"the store's secret");
        assert!(other_instance.accepts(&nonce, start + 10));
        assert!(!DpopNonces::new(b"another secret").accepts(&nonce, start));
        assert!(!DpopNonces::random().accepts(&nonce, start));
        assert!(!nonces.accepts("", start));
    }
}
