//! Revoked token ids and login sessions, checked on every request without a lock.

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

use crate::token::verify::unix_now;

/// A page of a token service's revocation feed (`GET /revocations`), what a
/// [`RevocationFeed`](crate::gate::RevocationFeed) follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationPage {
    /// The revocations in force written after the cursor asked for (and a few seconds
    /// before it, so that none written late on another instance is missed).
    pub revocations: Vec<RevokedId>,
    /// What to send as `?after=` next time.
    pub cursor: String,
}

/// One revoked id of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedId {
    /// An access token's `jti` or a login's session id (`sid`).
    pub id: String,
    /// Until when, in seconds since the Unix epoch: no token it covers is valid after.
    pub until: u64,
}

/// Revoked `jti`s and `sid`s, each until the moment no token carrying it can be valid any
/// more.
///
/// Reads are one atomic load and at most two hash look-ups, with no lock: the list sits on
/// every request. Writes (logout, reuse of a spent refresh token) copy the map and swap it
/// in, which is fine because they are rare. An empty list costs one load and a length check.
///
/// ```
/// use tokengate::gate::RevocationList;
///
/// let revoked = RevocationList::new();
/// revoked.revoke("jti-1", u64::MAX);
/// assert!(revoked.is_revoked(Some("jti-1"), None));
/// assert!(!revoked.is_revoked(Some("jti-2"), Some("sid-1")));
/// ```
#[derive(Debug, Default)]
pub struct RevocationList {
    entries: ArcSwap<HashMap<Box<str>, u64>>,
}

impl RevocationList {
    /// An empty list.
    pub fn new() -> Self {
        RevocationList::default()
    }

    /// Whether the token id or its session id is revoked.
    pub fn is_revoked(&self, jti: Option<&str>, sid: Option<&str>) -> bool {
        let entries = self.entries.load();
        if entries.is_empty() {
            return false;
        }
        [jti, sid]
            .into_iter()
            .flatten()
            .any(|id| entries.contains_key(id))
    }

    /// Revokes `id` (a `jti` or a `sid`) until `until` (seconds since the Unix epoch).
    pub fn revoke(&self, id: &str, until: u64) {
        self.revoke_all([(id, until)]);
    }

    /// Revokes several ids at once, dropping entries that have outlived every token.
    pub fn revoke_all<'a>(&self, ids: impl IntoIterator<Item = (&'a str, u64)>) {
        let ids: Vec<(&str, u64)> = ids.into_iter().collect();
        if ids.is_empty() {
            return;
        }
        let now = unix_now();
        self.entries.rcu(|current| {
            let mut next: HashMap<Box<str>, u64> = current
                .iter()
                .filter(|(_, until)| **until > now)
                .map(|(id, until)| (id.clone(), *until))
                .collect();
            for (id, until) in &ids {
                let entry = next.entry(Box::from(*id)).or_insert(0);
                *entry = (*entry).max(*until);
            }
            Arc::new(next)
        });
    }

    /// Adds the entries that are not on the list yet (from the store, written by other
    /// instances); returns how many were new. Copies the list only when one is new.
    pub fn merge<'a>(&self, entries: impl IntoIterator<Item = (&'a str, u64)>) -> usize {
        let current = self.entries.load();
        let now = unix_now();
        let new: Vec<(&str, u64)> = entries
            .into_iter()
            .filter(|(id, until)| {
                *until > now && current.get(*id).is_none_or(|known| known < until)
            })
            .collect();
        let count = new.len();
        self.revoke_all(new);
        count
    }

    /// How many ids are on the list.
    pub fn len(&self) -> usize {
        self.entries.load().len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_entries_are_dropped_on_the_next_write() {
        let list = RevocationList::new();
        list.revoke("old", 1);
        list.revoke("new", u64::MAX);
        assert!(!list.is_revoked(Some("old"), None));
        assert!(list.is_revoked(None, Some("new")));
        assert_eq!(list.len(), 1);
    }
}
