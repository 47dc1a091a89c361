//! Tokens of trusted OpenID Connect providers (resource-server mode, feature `remote-keys`).
//!
//! A gate with trusted issuers looks at the unverified `iss` of each token. When it names a
//! trusted issuer, the token is verified with that issuer's keys only (the header's `kid`
//! picks one; its algorithm is pinned to the key), its `iss` must be that issuer, its `aud`
//! must contain one of the trusted audiences and, when one is required, its `typ` must match.
//! Every other token takes the gate's own verifier, unchanged.

use std::sync::Arc;

use arc_swap::ArcSwap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::claims::Claims;
use crate::error::AuthError;
use crate::keys::Key;
use crate::remote::{Lookup, RemoteKeys, TrustedIssuers, TrustedRules};
use crate::verify::{Verifier, DEFAULT_MAX_TOKEN_LEN};

/// The trusted issuers of a gate and what their tokens must carry.
#[derive(Debug, Clone)]
pub(crate) struct Trusted {
    issuers: TrustedIssuers,
    rules: Arc<TrustedRules>,
    verifiers: Verifiers,
}

/// The verifiers built for the issuers' keys, reused while the key is the same (so a token
/// seen before skips its signature check, as the gate's own tokens do): read without a lock,
/// replaced whole when a key is new.
#[derive(Debug, Clone, Default)]
struct Verifiers(Arc<ArcSwap<Vec<Cached>>>);

#[derive(Debug, Clone)]
struct Cached {
    iss: String,
    key: Key,
    verifier: Verifier,
}

/// How many verifiers are kept: a few issuers with a few keys each.
const MAX_VERIFIERS: usize = 32;

impl Verifiers {
    fn verify<E: DeserializeOwned + Clone + 'static>(
        &self,
        key: Key,
        iss: &str,
        rules: &TrustedRules,
        token: &str,
    ) -> Result<Claims<E>, AuthError> {
        let cached = self.0.load();
        if let Some(hit) = cached.iter().find(|c| c.iss == iss && c.key.is_same(&key)) {
            return checked(hit.verifier.verify(token));
        }
        // A provider's `user` and `auth` are not CKEditor's: another shape grants nothing
        // rather than making the token malformed (and `auth` is dropped below anyway).
        let mut verifier = Verifier::new(key.clone())
            .lenient_ckeditor_claims()
            .issuer(iss)
            .audiences(rules.audience_list().iter().cloned());
        if let Some(typ) = rules.typ() {
            verifier = verifier.require_typ(typ);
        }
        let result = checked(verifier.verify(token));
        if result.is_ok() {
            // Only keys that verified a token are kept, so forged tokens cannot fill the list.
            let entry = Cached {
                iss: iss.to_owned(),
                key,
                verifier,
            };
            self.0.rcu(|current| {
                let older = current.iter().take(MAX_VERIFIERS - 1).cloned();
                std::iter::once(entry.clone())
                    .chain(older)
                    .collect::<Vec<_>>()
            });
        }
        result
    }
}

/// What the trusted issuers make of a token.
// The claims are the common case; boxing them would cost an allocation per token.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome<E> {
    /// Its `iss` is no trusted issuer (or cannot be read): the gate's own verifier decides.
    NotTrusted,
    /// Verified (or refused) with the issuer's keys in memory.
    Done(Result<Claims<E>, AuthError>),
    /// The issuer's keys are loaded but none has the token's `kid`: fetch them again
    /// ([`Refresh::run`]) before refusing it.
    UnknownKid(Refresh),
}

/// A token waiting for its issuer's keys to be fetched again.
pub(crate) struct Refresh {
    keys: RemoteKeys,
    verifiers: Verifiers,
    rules: Arc<TrustedRules>,
    iss: String,
    kid: Option<String>,
    token: String,
}

#[derive(Deserialize)]
struct PeekPayload {
    #[serde(default)]
    iss: Option<String>,
}

#[derive(Deserialize)]
struct PeekHeader {
    #[serde(default)]
    kid: Option<String>,
}

impl Trusted {
    pub(crate) fn new(issuers: TrustedIssuers, rules: TrustedRules) -> Trusted {
        Trusted {
            issuers,
            rules: Arc::new(rules),
            verifiers: Verifiers::default(),
        }
    }

    pub(crate) fn issuers(&self) -> &TrustedIssuers {
        &self.issuers
    }

    /// Whether `iss` is a trusted issuer.
    pub(crate) fn trusts(&self, iss: &str) -> bool {
        self.issuers.get(iss).is_some()
    }

    /// Verifies `token` if its `iss` is trusted, with the keys in memory: no lock, no request.
    pub(crate) fn check<E: DeserializeOwned + Clone + 'static>(&self, token: &str) -> Outcome<E> {
        let Some(iss) = peek_issuer(token) else {
            return Outcome::NotTrusted;
        };
        let Some(keys) = self.issuers.get(&iss) else {
            return Outcome::NotTrusted;
        };
        let kid = match peek_kid(token) {
            Ok(kid) => kid,
            Err(error) => return Outcome::Done(Err(error)),
        };
        match keys.lookup(kid.as_deref()) {
            Lookup::Found(key) => {
                Outcome::Done(self.verifiers.verify(key, &iss, &self.rules, token))
            }
            Lookup::NotLoaded => Outcome::Done(Err(unavailable(keys))),
            Lookup::UnknownKid => Outcome::UnknownKid(Refresh {
                keys: keys.clone(),
                verifiers: self.verifiers.clone(),
                rules: Arc::clone(&self.rules),
                iss,
                kid,
                token: token.to_owned(),
            }),
        }
    }
}

impl Refresh {
    /// What a token with an unknown `kid` is without fetching: invalid.
    pub(crate) fn refuse(&self) -> AuthError {
        AuthError::UnknownKey
    }

    /// Fetches the issuer's keys again (at most once per interval, one fetch for every
    /// waiting token) and verifies the token if the `kid` has appeared.
    pub(crate) async fn run<E: DeserializeOwned + Clone + 'static>(
        self,
    ) -> Result<Claims<E>, AuthError> {
        match self.keys.refresh_for_unknown_kid(self.kid.as_deref()).await {
            Lookup::Found(key) => self
                .verifiers
                .verify(key, &self.iss, &self.rules, &self.token),
            Lookup::UnknownKid => Err(AuthError::UnknownKey),
            Lookup::NotLoaded => Err(unavailable(&self.keys)),
        }
    }
}

fn unavailable(keys: &RemoteKeys) -> AuthError {
    AuthError::KeysUnavailable {
        retry_after: keys.retry_after().as_secs().max(1),
    }
}

/// A provider's token verified with one of its keys (its algorithm only, its `iss`, a
/// trusted audience, the `typ` when one is required). Grants come from the token's `scope`
/// alone: an `auth` claim is dropped.
fn checked<E>(result: Result<Claims<E>, AuthError>) -> Result<Claims<E>, AuthError> {
    let mut claims = result?;
    claims.auth = None;
    Ok(claims)
}

/// The unverified `iss` of a token, if it is a readable string. Anything odd is left to the
/// gate's own verifier, which refuses it with the precise reason.
fn peek_issuer(token: &str) -> Option<String> {
    if token.len() > DEFAULT_MAX_TOKEN_LEN {
        return None;
    }
    let mut segments = token.split('.');
    let (_, payload) = (segments.next()?, segments.next()?);
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<PeekPayload>(&json).ok()?.iss
}

/// The unverified `kid` of a token's header.
fn peek_kid(token: &str) -> Result<Option<String>, AuthError> {
    let malformed = || AuthError::Malformed("the header is not a JSON object in base64url");
    let header = token.split('.').next().unwrap_or_default();
    let json = URL_SAFE_NO_PAD.decode(header).map_err(|_| malformed())?;
    let header: PeekHeader = serde_json::from_slice(&json).map_err(|_| malformed())?;
    Ok(header.kid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn only_a_readable_string_iss_is_peeked() {
        let peek = |payload: &str| peek_issuer(&token("{}", payload));
        assert_eq!(
            peek(r#"{"iss":"https://id"}"#).as_deref(),
            Some("https://id")
        );
        assert_eq!(peek(r#"{"sub":"x"}"#), None);
        assert_eq!(peek(r#"{"iss":7}"#), None);
        assert_eq!(peek("not json"), None);
        assert_eq!(peek_issuer("nodots"), None);
        let long = token("{}", &format!(r#"{{"iss":"{}"}}"#, "a".repeat(9000)));
        assert_eq!(peek_issuer(&long), None);
    }

    #[test]
    fn kid_comes_from_the_header() {
        assert_eq!(
            peek_kid(&token(r#"{"alg":"RS256","kid":"k1"}"#, "{}")).unwrap(),
            Some("k1".into())
        );
        assert_eq!(peek_kid(&token(r#"{"alg":"RS256"}"#, "{}")).unwrap(), None);
        assert!(peek_kid("%%%.e30.x").is_err());
    }

    #[test]
    fn other_issuers_are_not_trusted() {
        let issuers = TrustedIssuers::discover(["https://id.example"], false).unwrap();
        let trusted = Trusted::new(issuers, "api".into());
        assert!(trusted.trusts("https://id.example"));
        let outcome = trusted.check::<crate::NoExtra>(&token("{}", r#"{"iss":"other"}"#));
        assert!(matches!(outcome, Outcome::NotTrusted));
        // Known issuer, keys never loaded: 503.
        let outcome = trusted.check::<crate::NoExtra>(&token(
            r#"{"alg":"RS256"}"#,
            r#"{"iss":"https://id.example"}"#,
        ));
        match outcome {
            Outcome::Done(Err(error)) => assert_eq!(error.status(), 503),
            _ => panic!("expected 503"),
        }
    }
}
