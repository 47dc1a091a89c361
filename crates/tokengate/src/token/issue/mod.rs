//! Issuing tokens: `iat`, `exp` from a TTL, `jti`, `iss` and `aud`, signed with the key's one
//! algorithm.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;

use std::time::Duration;

use crate::token::base64url;
use crate::token::claims::{Audience, Claims};
pub(crate) use payload::Payload;

mod payload;
use crate::token::keys::{KeyError, KeySet};
use crate::token::time::unix_now;

/// A signed token and what a client needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The compact JWS.
    pub token: String,
    /// Its `jti`.
    pub jti: String,
    /// Its `iat`, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Its `exp`, seconds since the Unix epoch.
    pub expires_at: u64,
}

impl IssuedToken {
    /// Seconds from issue to expiry (the `expires_in` of an OAuth token response).
    pub fn expires_in(&self) -> u64 {
        self.expires_at - self.issued_at
    }
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The key cannot sign.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The claims could not be serialized (an app-defined claim failed).
    #[error("the claims could not be serialized: {0}")]
    Claims(#[from] serde_json::Error),
}

/// Signs tokens with a key set's signing key, filling in the registered claims.
///
/// `iat` is now; `exp` is now plus the TTL, unless the claims already carry an earlier one,
/// and never later than the cap; `jti` is 128 random bits unless set; `iss` and `aud` are the
/// configured values unless the claims set their own. The header is
/// `{"alg":ALG,"typ":"JWT"}` plus `kid` when the key is named; `none` cannot be produced.
///
/// ```
/// use std::time::Duration;
/// use tokengate::{Algorithm, Claims, Issuer, Key};
///
/// let issuer = Issuer::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap())
///     .issuer("tokengate")
///     .audience("tokengate")
///     .ttl(Duration::from_secs(900));
/// let issued = issuer.issue(Claims::for_subject("42")).unwrap();
/// assert_eq!(issued.expires_in(), 900);
/// assert_eq!(issued.token.split('.').count(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Issuer {
    keys: KeySet,
    header_b64: String,
    issuer: Option<String>,
    audience: Option<Audience>,
    ttl: u64,
    max_ttl: u64,
    atob_safe: bool,
}

// The payload of the token being signed, as JSON: one buffer per thread, reused by every
// token it signs instead of one allocation per token.
thread_local! {
    static PAYLOAD_JSON: std::cell::RefCell<Vec<u8>> =
        std::cell::RefCell::new(Vec::with_capacity(PAYLOAD_BUFFER_KEPT));
}

/// The capacity of that buffer kept between tokens.
const PAYLOAD_BUFFER_KEPT: usize = 1024;

/// The default token lifetime: 15 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(900);

impl Issuer {
    /// An issuer signing with `keys`' signing key, with a 15-minute TTL.
    pub fn new(keys: impl Into<KeySet>) -> Issuer {
        let keys = keys.into();
        let header_b64 = keys.signing_key().header_segment();
        Issuer {
            keys,
            header_b64,
            issuer: None,
            audience: None,
            ttl: DEFAULT_TTL.as_secs(),
            max_ttl: u64::MAX,
            atob_safe: false,
        }
    }

    /// The `iss` claim of the tokens, if set.
    #[cfg(feature = "accounts")]
    pub(crate) fn iss(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The algorithm the tokens are signed with.
    #[cfg(feature = "accounts")]
    pub(crate) fn algorithm(&self) -> crate::token::Algorithm {
        self.keys.signing_key().algorithm()
    }

    /// Sets the `iss` claim of every token.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the `aud` claim of every token.
    pub fn audience(mut self, audience: impl Into<Audience>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sets the lifetime of tokens (capped by [`max_ttl`](Self::max_ttl)).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.as_secs();
        self
    }

    /// Caps the lifetime of every token, whatever TTL or `exp` is asked for.
    pub fn max_ttl(mut self, max: Duration) -> Self {
        self.max_ttl = max.as_secs();
        self
    }

    /// Writes the payload so that its base64url form never contains `-` or `_`, which the
    /// browser's `atob()` refuses (see [`crate::ckeditor`]). Costs a few escapes, never
    /// changes the claims.
    pub fn atob_safe(mut self, yes: bool) -> Self {
        self.atob_safe = yes;
        self
    }

    /// The configured lifetime, in seconds, after the cap.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl.min(self.max_ttl)
    }

    /// Issues a token for `claims` now.
    pub fn issue<E: Serialize>(&self, claims: Claims<E>) -> Result<IssuedToken, IssueError> {
        self.issue_at(claims, unix_now())
    }

    /// Issues a token for `claims` as of `now` (seconds since the Unix epoch).
    pub fn issue_at<E: Serialize>(
        &self,
        mut claims: Claims<E>,
        now: u64,
    ) -> Result<IssuedToken, IssueError> {
        let jti = claims.jti.take().unwrap_or_else(random_id);
        let exp = self.expiry(claims.exp, now);
        let token = self.sign(Payload::of(&claims, exp, now, &jti))?;
        Ok(IssuedToken {
            token,
            jti,
            issued_at: now,
            expires_at: exp,
        })
    }

    /// The `exp` of a token issued at `now`: now plus the TTL, or the `exp` asked for when
    /// earlier, never later than the cap.
    pub(crate) fn expiry(&self, asked: Option<u64>, now: u64) -> u64 {
        let latest = now.saturating_add(self.ttl_secs());
        asked.map_or(latest, |asked| asked.min(latest))
    }

    /// The signed token of `payload`, with this issuer's `iss` and `aud` where it has none.
    pub(crate) fn sign<'p, E: Serialize>(
        &'p self,
        mut payload: Payload<'p, E>,
    ) -> Result<String, IssueError> {
        payload.iss = payload.iss.or(self.issuer.as_deref());
        payload.aud = payload.aud.or(self.audience.as_ref());
        // Taken out of the thread's slot while in use, so an app's `Serialize` that issues a
        // token itself (or a thread being torn down) finds none and starts a new one.
        let mut json = PAYLOAD_JSON
            .try_with(|buffer| buffer.take())
            .unwrap_or_default();
        let token = self.sign_with(payload, &mut json);
        // A rare huge payload does not keep its buffer.
        json.clear();
        json.shrink_to(PAYLOAD_BUFFER_KEPT);
        let _ = PAYLOAD_JSON.try_with(|buffer| buffer.replace(json));
        token
    }

    fn sign_with<E: Serialize>(
        &self,
        payload: Payload<'_, E>,
        json: &mut Vec<u8>,
    ) -> Result<String, IssueError> {
        json.clear();
        payload.write(json, self.atob_safe)?;
        let key = self.keys.signing_key();
        let mut token = Vec::with_capacity(
            self.header_b64.len() + (json.len() * 4).div_ceil(3) + 2 + key.signature_len_hint(),
        );
        token.extend_from_slice(self.header_b64.as_bytes());
        token.push(b'.');
        base64url::encode_into(json, &mut token);
        key.append_signature(&mut token)?;
        // Built as bytes and checked once: base64url segments and dots are ASCII.
        Ok(String::from_utf8(token).expect("a token is base64url segments and dots"))
    }
}

/// 128 random bits, base64url: a `jti`, session id or refresh token id.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Algorithm, Key};

    fn payload(token: &str) -> serde_json::Value {
        let segment = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
    }

    #[test]
    fn the_issuers_iss_and_aud_yield_to_the_claims_own() {
        let key = Key::hmac(Algorithm::HS256, &[3; 32]).unwrap();
        let issuer = Issuer::new(key)
            .issuer("me")
            .audience(Audience::Many(vec!["a".into(), "b".into()]));
        let token = issuer.issue_at(Claims::for_subject("u"), 100).unwrap();
        let json = payload(&token.token);
        assert_eq!(json["iss"], "me");
        assert_eq!(json["aud"], serde_json::json!(["a", "b"]));
        assert_eq!(json["jti"], token.jti.as_str());
        assert_eq!(
            (json["iat"].as_u64(), json["exp"].as_u64()),
            (Some(100), Some(1000))
        );

        let own = Claims {
            iss: Some("other".into()),
            aud: Some("c".into()),
            ..Claims::for_subject("u")
        };
        let token = issuer.issue_at(own, 100).unwrap().token;
        let text = String::from_utf8(
            URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        // Each member once, with the claims' value.
        assert_eq!(text.matches("\"iss\"").count(), 1, "{text}");
        assert_eq!(text.matches("\"aud\"").count(), 1, "{text}");
        assert_eq!(
            (&payload(&token)["iss"], &payload(&token)["aud"]),
            (&"other".into(), &"c".into())
        );
    }

    #[test]
    fn an_apps_claims_may_issue_a_token_while_being_written() {
        use serde::ser::SerializeMap;
        struct WithInnerToken(Issuer);
        impl Serialize for WithInnerToken {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let inner = self.0.issue(Claims::for_subject("inner")).unwrap().token;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("inner", &inner)?;
                map.end()
            }
        }
        let issuer = Issuer::new(Key::hmac(Algorithm::HS256, &[3; 32]).unwrap()).issuer("me");
        let plain = Claims::for_subject("outer");
        let claims = Claims {
            iss: plain.iss,
            sub: plain.sub,
            aud: plain.aud,
            exp: plain.exp,
            nbf: plain.nbf,
            iat: plain.iat,
            jti: plain.jti,
            sid: plain.sid,
            user: plain.user,
            auth: plain.auth,
            scope: plain.scope,
            name: plain.name,
            email: plain.email,
            cnf: plain.cnf,
            extra: WithInnerToken(issuer.clone()),
        };
        let outer = issuer.issue(claims).unwrap().token;
        let json = payload(&outer);
        assert_eq!(json["sub"], "outer");
        assert_eq!(payload(json["inner"].as_str().unwrap())["sub"], "inner");
    }

    #[test]
    fn an_atob_safe_issuer_writes_its_own_members_atob_safe_too() {
        let key = Key::hmac(Algorithm::HS256, &[3; 32]).unwrap();
        let issuer = Issuer::new(key)
            .issuer("https://id.example/?a>b~é")
            .audience("env??>>~~")
            .atob_safe(true);
        let token = issuer.issue(Claims::for_subject("u")).unwrap().token;
        let segment = token.split('.').nth(1).unwrap();
        assert!(!segment.contains(['-', '_']), "{segment}");
        let json = payload(&token);
        assert_eq!(json["iss"], "https://id.example/?a>b~é");
        assert_eq!(json["aud"], "env??>>~~");
    }
}
