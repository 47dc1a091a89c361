//! Verifying tokens: signature with the pinned algorithm, then every claim rule.

use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::token::claims::Claims;
#[cfg(feature = "remote-keys")]
use crate::token::compact::Header;
#[cfg(feature = "remote-keys")]
use crate::token::compact::Segments;
use crate::token::compact::{self, decode_segment, decoded_len};
use crate::token::error::AuthError;
use crate::token::keys::{Key, KeySet};
use cache::VERIFIED;

mod cache;
mod plain_claims;

/// The verifier (its [`Verifier::cache_id`]) that verified exactly `token` on this thread, if
/// the cache still holds it: the trusted issuers' path looks before it decodes anything.
#[cfg(feature = "remote-keys")]
pub(crate) fn verified_by(token: &str) -> Option<u64> {
    VERIFIED.with_borrow(|cache| cache.verifier_of(token))
}
mod rules;

#[cfg(test)]
use rules::same_media_type;
use rules::{parse_claims, parse_general_claims};
// `unix_now` moved to `crate::token::time`; re-exported here for the modules that still import it
// from this path.
pub(crate) use crate::token::time::unix_now;

/// A token as the trusted-issuer path has read it: split, its header parsed, its payload
/// decoded and found free of repeated members. Borrowed from the token and the caller's
/// buffers.
#[cfg(feature = "remote-keys")]
pub(crate) struct Decoded<'t, 'b> {
    pub(crate) segments: Segments<'t>,
    pub(crate) header: Header<'b>,
    pub(crate) payload: &'b [u8],
}

/// The default maximum token length: 8 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8192;
/// The default leeway for `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY: u64 = 30;
/// The largest leeway accepted; a larger one is clamped to this.
pub const MAX_LEEWAY: u64 = 60;

/// Checks tokens against a key set and a fixed set of rules.
///
/// The rules, in the order they are applied:
/// 1. the token is at most [`max_token_len`](Self::max_token_len) bytes, checked before any
///    decoding;
/// 2. it is three base64url segments; header and payload are JSON objects without repeated
///    member names;
/// 3. the header has no `crit`; `typ` matches when [`require_typ`](Self::require_typ) is set
///    (as a media type: without regard to case, `application/` implied);
///    `kid`, if present, names a configured key (never a fetched one);
/// 4. `alg` is exactly the algorithm pinned to that key (so never `none`), and the
///    signature is valid;
/// 5. `exp` is present and after now; `nbf` and `iat`, if present, are not later than now
///    plus the leeway; numeric dates are integers from 0 to 2^63−1;
/// 6. `iss` and `aud`, when configured, are present and match byte for byte (`aud` may be a
///    list containing the audience; with [`audiences`](Self::audiences), any one of them).
///
/// ```
/// use tokengate::{Algorithm, Claims, Issuer, Key, Verifier};
///
/// let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
/// let issuer = Issuer::new(key.clone()).issuer("me").audience("my-api");
/// let token = issuer.issue(Claims::for_subject("user-1")).unwrap().token;
///
/// let verifier = Verifier::new(key).issuer("me").audience("my-api");
/// let claims: Claims = verifier.verify(&token).unwrap();
/// assert_eq!(claims.sub.as_deref(), Some("user-1"));
///
/// let other_api = Verifier::new(Key::hmac(Algorithm::HS256, &[7; 32]).unwrap()).issuer("me").audience("other");
/// assert!(other_api.verify::<tokengate::NoExtra>(&token).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    /// Identifies the keys and header rules, for the cache of verified tokens: clones share
    /// it, and every builder method that changes a header rule takes a new one.
    id: u64,
    keys: KeySet,
    /// The exact header segments this crate (and most libraries) write for each key, with
    /// the key they select: a token carrying one skips decoding and parsing its header.
    /// Parsing those bytes would give the same answer every time, so the rules are unchanged.
    known_headers: Vec<(String, Key)>,
    issuer: Option<String>,
    /// The accepted audiences; empty for no `aud` requirement.
    audiences: Vec<String>,
    typ: Option<String>,
    /// Whether `user` and `auth` claims of another shape than CKEditor's count as absent.
    lenient_ckeditor_claims: bool,
    leeway: u64,
    /// Clock skew tolerated on `exp`; 0 unless asked for.
    expiry_leeway: u64,
    max_token_len: usize,
}

impl Verifier {
    /// A verifier for tokens signed by `keys`, with no `iss`/`aud` requirement yet.
    pub fn new(keys: impl Into<KeySet>) -> Verifier {
        let keys = keys.into();
        let without_kid = keys
            .select(None)
            .expect("a token without kid always has a key")
            .clone();
        let known_headers = keys
            .keys()
            // Only where the header's `kid` (or its absence) selects this very key.
            .filter(|key| {
                keys.select(key.kid())
                    .is_ok_and(|chosen| chosen.is_same(key))
            })
            .map(|key| (key.header_segment(), key.clone()))
            .chain(
                // Tokens without `kid` are checked with the key the set gives them.
                without_kid.kid().is_some().then(|| {
                    let segment = without_kid.clone().without_kid().header_segment();
                    (segment, without_kid)
                }),
            )
            .collect();
        Verifier {
            id: next_verifier_id(),
            keys,
            known_headers,
            issuer: None,
            audiences: Vec::new(),
            typ: None,
            lenient_ckeditor_claims: false,
            leeway: DEFAULT_LEEWAY,
            expiry_leeway: 0,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }

    /// Requires `iss` to be exactly `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires `aud` to be, or to contain, exactly `audience` (replacing any audience set
    /// before).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences = vec![audience.into()];
        self
    }

    /// Requires `aud` to be, or to contain, exactly one of `audiences` at least (replacing any
    /// audience set before). An empty list removes the requirement.
    ///
    /// ```
    /// use tokengate::{Algorithm, Claims, Issuer, Key, Verifier};
    ///
    /// let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
    /// let token = Issuer::new(key.clone()).audience("api-v2").issue(Claims::for_subject("u")).unwrap().token;
    /// let both = Verifier::new(key.clone()).audiences(["api-v1", "api-v2"]);
    /// assert!(both.verify::<tokengate::NoExtra>(&token).is_ok());
    /// let old = Verifier::new(key).audiences(["api-v1"]);
    /// assert!(old.verify::<tokengate::NoExtra>(&token).is_err());
    /// ```
    pub fn audiences<I>(mut self, audiences: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// Requires the header's `typ` to be `typ` (e.g. `at+jwt`, RFC 8725 section 3.11; RFC
    /// 9068 section 4). They are compared as media types (RFC 7515 section 4.1.9): without
    /// regard to case, and a value without `/` stands for `application/` and that value, so
    /// `at+jwt`, `AT+JWT` and `application/at+jwt` are one type.
    ///
    /// ```
    /// use tokengate::Verifier;
    /// # use tokengate::{Algorithm, Key};
    /// # let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
    /// let verifier = Verifier::new(key).require_typ("application/at+jwt");
    /// assert_eq!(verifier.required_typ(), Some("application/at+jwt"));
    /// ```
    pub fn require_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self.id = next_verifier_id();
        self
    }

    /// Reads a `user` or `auth` claim that is not shaped as CKEditor Cloud Services' (e.g.
    /// `"user": "alice"`, `"auth": ["admin"]`) as absent, instead of refusing the
    /// token as malformed. For tokens of other issuers, such as an OpenID Connect provider's,
    /// whose `user` and `auth` mean something else: such a claim then grants nothing. Every
    /// other claim keeps its rules (a `scope` that is not a string is still malformed), and
    /// tokens whose claims have the expected shapes cost nothing more.
    ///
    /// ```
    /// use tokengate::{Algorithm, Claims, Key, Verifier};
    /// # use base64::Engine;
    /// # let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
    /// # let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    /// # let input = format!("{}.{}", b64(r#"{"alg":"HS256"}"#),
    /// #     b64(r#"{"sub":"alice","exp":4000000000,"user":"alice","auth":["admin"]}"#));
    /// # let token = format!("{input}.{}", key.sign(input.as_bytes()).unwrap());
    /// // A token whose `user` is a string and whose `auth` is a list of roles:
    /// assert!(Verifier::new(key.clone()).verify::<tokengate::NoExtra>(&token).is_err());
    /// let claims: Claims = Verifier::new(key).lenient_ckeditor_claims().verify(&token).unwrap();
    /// assert_eq!((claims.sub.as_deref(), claims.user, claims.auth), (Some("alice"), None, None));
    /// ```
    pub fn lenient_ckeditor_claims(mut self) -> Self {
        self.lenient_ckeditor_claims = true;
        // Cached claims were parsed under the other rule.
        self.id = next_verifier_id();
        self
    }

    /// Allowed clock skew for `nbf` and `iat`, in seconds; clamped to [`MAX_LEEWAY`].
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds.min(MAX_LEEWAY);
        self
    }

    /// Also tolerates clock skew on `exp`: a token is accepted until `exp + seconds`, clamped
    /// to [`MAX_LEEWAY`]. Off by default, so a token is expired at its `exp` (RFC 7519
    /// section 4.1.4); for a provider whose clock runs ahead of this server's.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokengate::{Algorithm, AuthError, Claims, Issuer, Key, NoExtra, Verifier};
    ///
    /// let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
    /// let token = Issuer::new(key.clone()).ttl(Duration::from_secs(60))
    ///     .issue_at(Claims::for_subject("u1"), 1_000).unwrap().token; // exp = 1 060
    /// let strict = Verifier::new(key.clone());
    /// let lenient = Verifier::new(key).expiry_leeway(3_600); // clamped to 60 s
    /// assert_eq!(strict.verify_at::<NoExtra>(&token, 1_070), Err(AuthError::Expired));
    /// assert!(lenient.verify_at::<NoExtra>(&token, 1_070).is_ok());
    /// assert_eq!(lenient.verify_at::<NoExtra>(&token, 1_120), Err(AuthError::Expired));
    /// ```
    pub fn expiry_leeway(mut self, seconds: u64) -> Self {
        self.expiry_leeway = seconds.min(MAX_LEEWAY);
        self
    }

    /// The identity of this verifier's rules in the cache of verified tokens.
    #[cfg(feature = "remote-keys")]
    pub(crate) fn cache_id(&self) -> u64 {
        self.id
    }

    /// The longest token accepted, in bytes.
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self.id = next_verifier_id();
        self
    }

    /// The `typ` required by [`require_typ`](Self::require_typ), if any.
    pub fn required_typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// The keys this verifier uses.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Verifies `token` now and returns its claims.
    pub fn verify<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
    ) -> Result<Claims<E>, AuthError> {
        self.verify_at(token, unix_now())
    }

    /// Verifies `token` as of `now` (seconds since the Unix epoch).
    pub fn verify_at<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
        now: u64,
    ) -> Result<Claims<E>, AuthError> {
        if let Some(remembered) = self.remembered(token, now) {
            return remembered;
        }
        self.verify_uncached(token, now).map_err(|error| {
            // The form checks skipped by `split_at_outer_dots` answer first, as if they had
            // run before everything else.
            compact::split(token, self.max_token_len)
                .err()
                .unwrap_or(error)
        })
    }

    /// The verdict on a token this verifier verified before on this thread (the claims rules
    /// are checked again, as of `now`), or `None` when the cache does not hold it.
    fn remembered<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
        now: u64,
    ) -> Option<Result<Claims<E>, AuthError>> {
        let slot = VERIFIED.with_borrow(|cache| cache.find(self.id, token))?;
        let lenient = self.lenient_ckeditor_claims;
        let claims = VERIFIED.with_borrow_mut(|cache| cache.claims_in(slot, lenient))?;
        Some(claims.and_then(|claims| {
            self.check_claims(&claims, now)?;
            Ok(claims)
        }))
    }

    /// A full verification of a token the cache does not hold.
    fn verify_uncached<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
        now: u64,
    ) -> Result<Claims<E>, AuthError> {
        let lenient = self.lenient_ckeditor_claims;
        let segments = compact::split_at_outer_dots(token, self.max_token_len)?;
        let key = match self.known_header(segments.header) {
            Some(key) => key,
            None => self.check_header(segments.header)?,
        };
        // Decoding checks the payload's alphabet; its contents are only read once the
        // signature has been checked.
        let mut payload_buf = [0u8; 1024];
        let mut payload_heap = Vec::new();
        let payload_json = decode_segment(
            segments.payload,
            scratch(
                &mut payload_buf,
                &mut payload_heap,
                decoded_len(segments.payload),
            ),
        )?;
        key.verify(segments.signing_input.as_bytes(), segments.signature)?;
        let claims: Claims<E> = match plain_claims::plain_claims(payload_json) {
            Some(claims) => claims,
            None => {
                compact::reject_duplicate_members(
                    payload_json,
                    "the payload is not a JSON object with unique members",
                )?;
                parse_general_claims(payload_json, lenient)?
            }
        };
        VERIFIED.with_borrow_mut(|cache| cache.remember(self.id, token, payload_json));
        self.check_claims(&claims, now)?;
        Ok(claims)
    }

    /// Verifies a token that the caller has already split, with its header parsed and its
    /// payload decoded and scanned for repeated members (the trusted-issuer path, which reads
    /// `kid` and `iss` before it knows which verifier to use): the same rules as
    /// [`verify_at`](Self::verify_at), without decoding or parsing anything twice.
    #[cfg(feature = "remote-keys")]
    pub(crate) fn verify_decoded<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
        decoded: &Decoded<'_, '_>,
        now: u64,
    ) -> Result<Claims<E>, AuthError> {
        let lenient = self.lenient_ckeditor_claims;
        if token.len() > self.max_token_len {
            return Err(AuthError::Oversized {
                max: self.max_token_len,
            });
        }
        if let Some(remembered) = self.remembered(token, now) {
            return remembered;
        }
        let key = self.check_parsed_header(&decoded.header)?;
        key.verify(
            decoded.segments.signing_input.as_bytes(),
            decoded.segments.signature,
        )?;
        let claims: Claims<E> = parse_claims(decoded.payload, lenient)?;
        VERIFIED.with_borrow_mut(|cache| cache.remember(self.id, token, decoded.payload));
        self.check_claims(&claims, now)?;
        Ok(claims)
    }
}

fn next_verifier_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A stack buffer when it is large enough, else a heap one: most tokens decode without
/// allocating.
pub(crate) fn scratch<'a>(
    stack: &'a mut [u8],
    heap: &'a mut Vec<u8>,
    needed: usize,
) -> &'a mut [u8] {
    if needed <= stack.len() {
        stack
    } else {
        heap.resize(needed, 0);
        heap
    }
}

#[cfg(test)]
mod tests;
