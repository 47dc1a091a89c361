//! The per-thread cache of verified tokens (see [`VerifiedTokens`]).

use serde::de::DeserializeOwned;
use std::any::Any;
use std::cell::RefCell;

use super::parse_claims;
use crate::token::claims::Claims;
use crate::token::constant_time::constant_time_eq;
use crate::token::error::AuthError;

/// Slots per thread in the cache of verified tokens.
const CACHE_SLOTS: usize = 64;

thread_local! {
    pub(super) static VERIFIED: RefCell<VerifiedTokens> = const { RefCell::new(VerifiedTokens::new()) };
}

/// Tokens this thread has seen pass the size, compact-form, header, algorithm, signature and
/// duplicate-member checks of one verifier, with their decoded payloads and parsed claims.
///
/// Clients send the same token for many requests, and those checks depend only on the token's
/// bytes and the verifier's keys and header rules, so a hit skips them. Parsing the payload
/// depends only on its bytes and the claims type, so the first hit parses it and keeps the
/// claims, and later hits for that type get a copy (another type parses again and is kept
/// instead). A miss keeps only the payload: a token seen once costs no extra copy. The time,
/// issuer and audience rules run on every hit as on a miss (the gate checks revocation
/// after). A hit needs the exact same bytes and the same verifier (`id`): another key set,
/// `typ` rule or size limit never shares an entry. Each worker thread has its own
/// direct-mapped table, so there is no lock; a collision only evicts.
pub(super) struct VerifiedTokens {
    slots: [Option<VerifiedToken>; CACHE_SLOTS],
}

struct VerifiedToken {
    verifier: u64,
    /// The token's bytes, then its decoded payload's: one allocation, which a later miss
    /// landing on this slot reuses when the lengths agree (tokens of one issuer usually do),
    /// so a server with many users does not allocate per request for the cache.
    bytes: Box<[u8]>,
    token_len: usize,
    /// The `Claims<E>` parsed from the payload by the last hit, for that hit's `E`.
    claims: Option<Box<dyn Any>>,
}

impl VerifiedToken {
    fn token(&self) -> &[u8] {
        &self.bytes[..self.token_len]
    }

    fn payload(&self) -> &[u8] {
        &self.bytes[self.token_len..]
    }

    /// Whether this entry is exactly `token`.
    ///
    /// With many users, a slot usually holds another token of the same length, so the last
    /// eight bytes (the end of the signature) are compared first, as one word. Its timing
    /// tells only whether all eight match at once: a guess of over 40 bits, and nothing is
    /// learnt from a near miss. Then the whole token is compared in constant time, so no
    /// timing says how much of a remembered token a guess matches.
    fn holds(&self, token: &str) -> bool {
        let (ours, theirs) = (self.token(), token.as_bytes());
        ours.len() == theirs.len()
            && ours.last_chunk::<8>() == theirs.last_chunk::<8>()
            && constant_time_eq(ours, theirs)
    }
}

impl VerifiedTokens {
    const fn new() -> Self {
        VerifiedTokens {
            slots: [const { None }; CACHE_SLOTS],
        }
    }

    /// The slot of a token: from the end of its signature, which the signer's key makes
    /// unpredictable. An attacker who aims tokens at one slot only evicts entries.
    fn slot(token: &str) -> usize {
        let tail = token.as_bytes().iter().rev().take(4);
        let mixed = tail.fold(token.len(), |acc, b| {
            acc.wrapping_mul(31).wrapping_add(usize::from(*b))
        });
        mixed % CACHE_SLOTS
    }

    /// The slot that holds `token` as verified by `verifier` on this thread, if one does.
    /// Looked up apart from [`claims_in`](Self::claims_in) so that a miss, the usual case
    /// with many users, hands back a slot number and not an empty claims-sized value.
    pub(super) fn find(&self, verifier: u64, token: &str) -> Option<usize> {
        let slot = Self::slot(token);
        match &self.slots[slot] {
            // Constant-time: a timing difference must not tell an attacker how much of a
            // remembered token (signature included) their guess matches.
            Some(hit) if hit.verifier == verifier && hit.holds(token) => Some(slot),
            _ => None,
        }
    }

    /// The claims remembered in `slot` (from [`find`](Self::find)): parsed from the payload
    /// on the first hit, then kept. `None` if the slot is empty.
    pub(super) fn claims_in<E: DeserializeOwned + Clone + 'static>(
        &mut self,
        slot: usize,
        lenient_ckeditor_claims: bool,
    ) -> Option<Result<Claims<E>, AuthError>> {
        let hit = self.slots[slot].as_mut()?;
        if let Some(claims) = hit
            .claims
            .as_ref()
            .and_then(|c| c.downcast_ref::<Claims<E>>())
        {
            return Some(Ok(claims.clone()));
        }
        let parsed = parse_claims::<E>(hit.payload(), lenient_ckeditor_claims);
        if let Ok(claims) = &parsed {
            hit.claims = Some(Box::new(claims.clone()));
        }
        Some(parsed)
    }

    /// The verifier that verified exactly `token` on this thread, if its slot still holds it.
    #[cfg(feature = "remote-keys")]
    pub(super) fn verifier_of(&self, token: &str) -> Option<u64> {
        match &self.slots[Self::slot(token)] {
            Some(hit) if hit.holds(token) => Some(hit.verifier),
            _ => None,
        }
    }

    pub(super) fn remember(&mut self, verifier: u64, token: &str, payload: &[u8]) {
        let len = token.len() + payload.len();
        let slot = &mut self.slots[Self::slot(token)];
        let bytes = match slot.take() {
            Some(old) if old.bytes.len() == len => old.bytes,
            _ => vec![0; len].into_boxed_slice(),
        };
        let mut entry = VerifiedToken {
            verifier,
            bytes,
            token_len: token.len(),
            claims: None,
        };
        entry.bytes[..token.len()].copy_from_slice(token.as_bytes());
        entry.bytes[token.len()..].copy_from_slice(payload);
        *slot = Some(entry);
    }
}
