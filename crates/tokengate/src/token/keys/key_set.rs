//! Key sets for rotation: one key signs, every key verifies, chosen by the token's `kid`.

use super::Key;
use crate::token::error::AuthError;

/// Several live keys for rotation: one signs, all verify, selected by the token's `kid`.
///
/// A token without `kid` is checked with the signing key, or, when the signing key is named
/// and one verify-only key is not, with that one: the tokens of a key that had no name
/// before a rotation still verify. When the keys are named, a `kid` that names none of them
/// is rejected at once, without any I/O: keys are never fetched because a token asks for
/// it. When no key is named, a `kid` is only a label.
///
/// ```
/// use tokengate::{Algorithm, Key};
/// use tokengate::token::KeySet;
///
/// let old = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("2026-10");
/// let new = Key::hmac(Algorithm::HS256, &[2; 32]).unwrap().with_kid("2026-11");
/// let keys = KeySet::new(new).with_verify_only(old);
/// assert_eq!(keys.signing_key().kid(), Some("2026-11"));
/// assert!(keys.select(Some("2026-10")).is_ok());
/// assert!(keys.select(Some("2025-01")).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct KeySet {
    signing: Key,
    others: Vec<Key>,
}

impl KeySet {
    /// A set whose signing key is `signing`.
    pub fn new(signing: Key) -> KeySet {
        KeySet {
            signing,
            others: Vec::new(),
        }
    }

    /// Adds a key that still verifies but no longer signs (the previous key during rotation).
    pub fn with_verify_only(mut self, key: Key) -> KeySet {
        self.others.push(key);
        self
    }

    /// The key new tokens are signed with.
    pub fn signing_key(&self) -> &Key {
        &self.signing
    }

    /// Every key of the set, the signing key first.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.signing).chain(&self.others)
    }

    /// The key to verify a token whose header names `kid`.
    ///
    /// Named keys are chosen by name, and a `kid` naming none of them is refused. In a set
    /// whose keys have no names there is nothing for a `kid` to choose between, so it is only
    /// a label: the token is checked with the signing key, as one without `kid`.
    pub fn select(&self, kid: Option<&str>) -> Result<&Key, AuthError> {
        let Some(kid) = kid else {
            return Ok(self.unnamed());
        };
        if let Some(key) = self.keys().find(|key| key.kid() == Some(kid)) {
            return Ok(key);
        }
        if self.keys().all(|key| key.kid().is_none()) {
            Ok(&self.signing)
        } else {
            Err(AuthError::UnknownKey)
        }
    }
}

impl KeySet {
    /// The key for tokens without `kid`: the signing key, unless it is named and exactly one
    /// verify-only key is not.
    fn unnamed(&self) -> &Key {
        if self.signing.kid().is_some() {
            let mut unnamed = self.others.iter().filter(|key| key.kid().is_none());
            if let (Some(only), None) = (unnamed.next(), unnamed.next()) {
                return only;
            }
        }
        &self.signing
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> Self {
        KeySet::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::keys::Algorithm;

    #[test]
    fn unknown_kid_is_rejected_among_named_keys_and_a_label_otherwise() {
        let keys = KeySet::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap().with_kid("a"));
        assert_eq!(keys.select(Some("b")).unwrap_err(), AuthError::UnknownKey);
        assert_eq!(keys.select(None).unwrap().kid(), Some("a"));
        let unnamed = KeySet::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap());
        assert!(unnamed.select(Some("b")).is_ok());
    }

    #[test]
    fn tokens_without_kid_go_to_the_one_unnamed_previous_key_after_a_rotation() {
        let new = Key::hmac(Algorithm::HS256, &[2; 32])
            .unwrap()
            .with_kid("new");
        let old = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap();
        let keys = KeySet::new(new.clone()).with_verify_only(old.clone());
        assert!(keys.select(None).unwrap().is_same(&old));
        assert!(keys.select(Some("new")).unwrap().is_same(&new));
        assert_eq!(keys.select(Some("x")).unwrap_err(), AuthError::UnknownKey);
        // A named previous key is chosen by its name only.
        let named = KeySet::new(new.clone()).with_verify_only(old.clone().with_kid("old"));
        assert!(named.select(None).unwrap().is_same(&new));
        // An unnamed signing key keeps tokens without kid.
        let plain = KeySet::new(old.clone()).with_verify_only(new.clone());
        assert!(plain.select(None).unwrap().is_same(&old));
    }
}
