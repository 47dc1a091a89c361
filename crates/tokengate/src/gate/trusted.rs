//! Tokens of trusted OpenID Connect providers (resource-server mode, feature `remote-keys`).
//!
//! A gate with trusted issuers looks at the unverified `iss` of each token. When it names a
//! trusted issuer, the token is verified with that issuer's keys only (the header's `kid`
//! picks one; its algorithm is pinned to the key), its `iss` must be that issuer, its `aud`
//! must contain one of the trusted audiences and, when one is required, its `typ` must match.
//! Every other token takes the gate's own verifier, unchanged.

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::de::DeserializeOwned;

use crate::token::claims::Claims;
use crate::token::compact::{self, decode_segment, decoded_len};
use crate::token::error::AuthError;
use crate::token::keys::Key;
use crate::token::remote::{Lookup, RemoteKeys, TrustedIssuers, TrustedRules};
use crate::token::verify::{scratch, unix_now, Decoded, Verifier, DEFAULT_MAX_TOKEN_LEN};

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
    /// Verifies `token` again with the verifier that verified it on this thread, if there is
    /// one and its key is still in its issuer's key set (a key the provider has withdrawn
    /// verifies nothing more): a cache hit, without decoding the token to find its issuer.
    fn verify_remembered<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
        issuers: &TrustedIssuers,
    ) -> Option<Result<Claims<E>, AuthError>> {
        let id = crate::token::verify::verified_by(token)?;
        let cached = self.0.load();
        let hit = cached.iter().find(|c| c.verifier.cache_id() == id)?;
        let current = issuers.get(&hit.iss)?.lookup(hit.key.kid()).key()?;
        current
            .is_same(&hit.key)
            .then(|| checked(hit.verifier.verify(token)))
    }

    /// Runs `verify` with the verifier of `iss`'s `key` (pinned to the key's algorithm,
    /// requiring `iss` and `rules`), made and kept if it is new and verifies the token.
    fn verify<E>(
        &self,
        key: Key,
        iss: &str,
        rules: &TrustedRules,
        verify: impl FnOnce(&Verifier) -> Result<Claims<E>, AuthError>,
    ) -> Result<Claims<E>, AuthError> {
        if rules.audience_list().is_empty() {
            // `aud` must name this API (RFC 8725 section 3.9): no audience, no token.
            return Err(AuthError::WrongAudience);
        }
        let cached = self.0.load();
        if let Some(hit) = cached.iter().find(|c| c.iss == iss && c.key.is_same(&key)) {
            return checked(verify(&hit.verifier));
        }
        // A provider's `user` and `auth` are not CKEditor's: another shape grants nothing
        // rather than making the token malformed (and `auth` is dropped below anyway).
        let mut verifier = Verifier::new(key.clone())
            .lenient_ckeditor_claims()
            .issuer(iss)
            .audiences(rules.audience_list().iter().cloned())
            .expiry_leeway(rules.expiry_leeway_secs());
        if let Some(typ) = rules.typ() {
            verifier = verifier.require_typ(typ);
        }
        let result = checked(verify(&verifier));
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
    ///
    /// The token is read once: its payload is decoded into a buffer and scanned for repeated
    /// members, which also finds the unverified `iss` that picks the issuer (before any
    /// signature check); its header is parsed for the `kid` that picks the key. The issuer's
    /// verifier then checks that header, the signature, and the claims parsed from that same
    /// buffer, `iss` equal to the issuer among them.
    pub(crate) fn check<E: DeserializeOwned + Clone + 'static>(&self, token: &str) -> Outcome<E> {
        if let Some(result) = self.verifiers.verify_remembered(token, &self.issuers) {
            return Outcome::Done(result);
        }
        // Anything odd before the issuer is known is left to the gate's own verifier, which
        // refuses it with the precise reason.
        let Ok(segments) = compact::split(token, DEFAULT_MAX_TOKEN_LEN) else {
            return Outcome::NotTrusted;
        };
        let mut payload_buf = [0u8; 1024];
        let mut payload_heap = Vec::new();
        let needed = decoded_len(segments.payload);
        let Ok(payload) = decode_segment(
            segments.payload,
            scratch(&mut payload_buf, &mut payload_heap, needed),
        ) else {
            return Outcome::NotTrusted;
        };
        let Ok(Some(iss)) = compact::issuer_of(payload) else {
            return Outcome::NotTrusted;
        };
        let Some(keys) = self.issuers.get(&iss) else {
            return Outcome::NotTrusted;
        };
        let mut header_buf = [0u8; 512];
        let mut header_heap = Vec::new();
        let needed = decoded_len(segments.header);
        let header = match decode_segment(
            segments.header,
            scratch(&mut header_buf, &mut header_heap, needed),
        )
        .and_then(compact::parse_header)
        {
            Ok(header) => header,
            Err(error) => return Outcome::Done(Err(error)),
        };
        match keys.lookup(header.kid.as_deref()) {
            Lookup::Found(key) => {
                let decoded = Decoded {
                    segments,
                    header,
                    payload,
                };
                Outcome::Done(self.verifiers.verify(key, &iss, &self.rules, |verifier| {
                    verifier.verify_decoded(token, &decoded, unix_now())
                }))
            }
            Lookup::NotLoaded => Outcome::Done(Err(unavailable(keys))),
            Lookup::UnknownKid => Outcome::UnknownKid(Refresh {
                keys: keys.clone(),
                verifiers: self.verifiers.clone(),
                rules: Arc::clone(&self.rules),
                kid: header.kid.map(Into::into),
                iss: iss.into_owned(),
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
            // The rare path: the token is read again from the start.
            Lookup::Found(key) => self
                .verifiers
                .verify(key, &self.iss, &self.rules, |verifier| {
                    verifier.verify(&self.token)
                }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn other_issuers_and_unreadable_payloads_are_not_trusted() {
        let issuers = TrustedIssuers::discover(["https://id.example"], false).unwrap();
        let trusted = Trusted::new(issuers, "api".into());
        assert!(trusted.trusts("https://id.example"));
        let not_trusted = |token: &str| {
            matches!(
                trusted.check::<crate::token::NoExtra>(token),
                Outcome::NotTrusted
            )
        };
        assert!(not_trusted(&token("{}", r#"{"iss":"other"}"#)));
        assert!(not_trusted(&token("{}", r#"{"sub":"x"}"#)));
        assert!(not_trusted(&token("{}", r#"{"iss":7}"#)));
        assert!(not_trusted(&token(
            "{}",
            r#"{"a":{"iss":"https://id.example"}}"#
        )));
        assert!(not_trusted(&token("{}", "not json")));
        assert!(not_trusted("nodots"));
        // Two `iss` members never pick an issuer.
        assert!(not_trusted(&token(
            "{}",
            r#"{"iss":"https://id.example","iss":"https://id.example"}"#
        )));
        let long = format!(
            r#"{{"iss":"https://id.example","x":"{}"}}"#,
            "a".repeat(9000)
        );
        assert!(not_trusted(&token("{}", &long)));
        // Known issuer, keys never loaded: 503.
        let outcome = trusted.check::<crate::token::NoExtra>(&token(
            r#"{"alg":"RS256"}"#,
            r#"{"iss":"https://id.example"}"#,
        ));
        match outcome {
            Outcome::Done(Err(error)) => assert_eq!(error.status(), 503),
            _ => panic!("expected 503"),
        }
        // Known issuer, a header that is not JSON: refused as malformed.
        let outcome = trusted.check::<crate::token::NoExtra>(&format!(
            "%%%.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"iss":"https://id.example"}"#)
        ));
        assert!(matches!(
            outcome,
            Outcome::Done(Err(AuthError::Malformed(_)))
        ));
    }
}
