//! The gate: everything an adapter needs to guard a route, behind one cheap clone.

use serde::de::DeserializeOwned;
use std::sync::Arc;

use crate::claims::Claims;
use crate::collaboration::Permission;
use crate::error::{AuthError, ErrorFormat, JsonErrors, Problem, Reply, SharedErrorFormat};
use crate::revocation::RevocationList;
use crate::session::{csrf_matches, is_safe_method, ACCESS_COOKIE};
use crate::source::{RequestView, TokenSource, TokenSources};
use crate::verify::Verifier;

/// The realm of the `WWW-Authenticate` challenge unless configured otherwise.
pub const DEFAULT_REALM: &str = "tokengate";

/// Finds, verifies and authorizes tokens, and renders the failures.
///
/// Adapters hold a `Gate` (an `Arc` inside, so cloning is cheap) and call
/// [`authenticate`](Self::authenticate) with their request view; every rule lives here.
///
/// ```
/// use tokengate::{Algorithm, Claims, Gate, HeaderValue, Issuer, Key, RequestView, Verifier};
///
/// struct Req(String);
/// impl RequestView for Req {
///     fn header(&self, name: &str) -> HeaderValue<'_> {
///         if name == "authorization" { HeaderValue::One(self.0.as_bytes()) } else { HeaderValue::Absent }
///     }
///     fn query(&self) -> Option<&str> { None }
///     fn method(&self) -> &str { "GET" }
/// }
///
/// let key = Key::hmac(Algorithm::HS256, &[3; 32]).unwrap();
/// let token = Issuer::new(key.clone()).issue(Claims::for_subject("u1")).unwrap().token;
/// let gate = Gate::new(Verifier::new(key));
/// let claims: Claims = gate.authenticate(&Req(format!("Bearer {token}"))).unwrap();
/// assert_eq!(claims.sub.as_deref(), Some("u1"));
///
/// let error = gate.authenticate::<tokengate::NoExtra>(&Req("Bearer nope".into())).unwrap_err();
/// let reply = gate.reject(&error);
/// assert_eq!(reply.status, 401);
/// ```
#[derive(Clone)]
pub struct Gate {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    sources: TokenSources,
    csrf: bool,
    realm: String,
    errors: SharedErrorFormat,
    revocations: Arc<RevocationList>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("verifier", &self.inner.verifier)
            .field("sources", &self.inner.sources)
            .field("csrf", &self.inner.csrf)
            .field("realm", &self.inner.realm)
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// A gate with the default sources (`Authorization: Bearer`, then `x-access-token`),
    /// realm, JSON error format and an empty revocation list.
    pub fn new(verifier: Verifier) -> Gate {
        Gate::builder(verifier).build()
    }

    /// A builder to change the defaults.
    pub fn builder(verifier: Verifier) -> GateBuilder {
        GateBuilder {
            verifier,
            sources: TokenSources::default(),
            csrf: false,
            realm: DEFAULT_REALM.to_owned(),
            errors: Arc::new(JsonErrors),
            revocations: Arc::new(RevocationList::new()),
        }
    }

    /// Finds the token in `request` and verifies it. A token read from a cookie with CSRF
    /// protection on (see [`GateBuilder::cookie_sessions`]) must, on any method but GET, HEAD
    /// and OPTIONS, come with the CSRF header: checked after the token, so a bad token is
    /// still a 401, and before any permission or handler ([`AuthError::CsrfFailed`]).
    pub fn authenticate<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Result<Claims<E>, AuthError> {
        let (token, source) = self.inner.sources.extract_with_source(request)?;
        let claims = self.verify(&token)?;
        if self.inner.csrf
            && matches!(source, TokenSource::Cookie(_))
            && !is_safe_method(request.method())
            && !csrf_matches(request)
        {
            return Err(AuthError::CsrfFailed);
        }
        Ok(claims)
    }

    /// Whether tokens from cookies need the CSRF header on unsafe methods.
    pub fn csrf_protected(&self) -> bool {
        self.inner.csrf
    }

    /// Like [`authenticate`](Self::authenticate), but a request without any token is
    /// anonymous (`Ok(None)`); an invalid or expired token is still an error.
    pub fn authenticate_optional<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Result<Option<Claims<E>>, AuthError> {
        match self.authenticate(request) {
            Err(AuthError::MissingToken) => Ok(None),
            other => other.map(Some),
        }
    }

    /// Verifies a token taken from elsewhere, revocation included.
    pub fn verify<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
    ) -> Result<Claims<E>, AuthError> {
        let claims: Claims<E> = self.inner.verifier.verify(token)?;
        let revocations = &self.inner.revocations;
        // The empty list, the usual case, costs one load and no fingerprint.
        if !revocations.is_empty()
            && revocations.is_revoked(Some(&claims.revocation_id()), claims.sid.as_deref())
        {
            return Err(AuthError::Revoked);
        }
        Ok(claims)
    }

    /// Requires that `claims` grant `permission` on `document`.
    pub fn authorize<E>(
        &self,
        claims: &Claims<E>,
        document: &str,
        permission: &Permission,
    ) -> Result<(), AuthError> {
        if claims.allows(document, permission) {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope {
                permission: permission.name(),
            })
        }
    }

    /// The response for an authentication failure: status, `WWW-Authenticate`, body.
    pub fn reject(&self, error: &AuthError) -> Reply {
        self.render(&error.to_problem(&self.inner.realm))
    }

    /// The response for any problem, in the configured error format.
    pub fn render(&self, problem: &Problem) -> Reply {
        problem.to_reply(&*self.inner.errors)
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The revocation list this gate consults.
    pub fn revocations(&self) -> &Arc<RevocationList> {
        &self.inner.revocations
    }

    /// The realm of the challenges.
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }
}

/// Builds a [`Gate`].
pub struct GateBuilder {
    verifier: Verifier,
    sources: TokenSources,
    csrf: bool,
    realm: String,
    errors: SharedErrorFormat,
    revocations: Arc<RevocationList>,
}

impl GateBuilder {
    /// Where to look for the token, in order.
    pub fn sources(mut self, sources: TokenSources) -> Self {
        self.sources = sources;
        self
    }

    /// Browser sessions, with one setting: also read the token from the `tokengate_access`
    /// cookie (after the headers, so a header wins), and require the double-submit CSRF
    /// header (`X-CSRF-Token` equal to the `tokengate_csrf` cookie) on cookie-authenticated
    /// requests with unsafe methods. See [`session`](crate::session) for the cookies.
    pub fn cookie_sessions(mut self) -> Self {
        let cookie = TokenSource::Cookie(ACCESS_COOKIE.into());
        self.sources = self.sources.then(cookie);
        self.csrf = true;
        self
    }

    /// The realm of the `WWW-Authenticate` challenge.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Replaces the error body format for every failure the gate renders.
    pub fn error_format(mut self, format: impl ErrorFormat) -> Self {
        self.errors = Arc::new(format);
        self
    }

    /// Shares a revocation list (the account service writes to it on logout).
    pub fn revocations(mut self, revocations: Arc<RevocationList>) -> Self {
        self.revocations = revocations;
        self
    }

    /// The gate.
    pub fn build(self) -> Gate {
        Gate {
            inner: Arc::new(Inner {
                verifier: self.verifier,
                sources: self.sources,
                csrf: self.csrf,
                realm: self.realm,
                errors: self.errors,
                revocations: self.revocations,
            }),
        }
    }
}
