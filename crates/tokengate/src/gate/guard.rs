//! What a guard answers: the claims, or a [`Refusal`] the core has already rendered.
//!
//! Every adapter's extractor, guard or filter calls these three methods and wraps the
//! rejection in its framework's error type, so the rules (which status, which challenge,
//! how a path segment is decoded, what a route without its parameter means) live here once.

use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use std::borrow::Cow;

use crate::gate::decision::{optional, Gate};
use crate::gate::problem::Problem;
use crate::gate::reply::HttpReply;
use crate::gate::source::RequestView;
use crate::gate::verdict::Verdict;
use crate::token::claims::Claims;
use crate::token::collaboration::RequiredPermission;
use crate::token::error::AuthError;

/// A refused request: why, and the reply (status, headers, body in the gate's error format)
/// that says so. Adapters wrap it in their own error type (`TokenRejection`).
#[derive(Debug, Clone)]
pub struct Refusal {
    reason: Reason,
    reply: HttpReply,
}

#[derive(Debug, Clone)]
enum Reason {
    Auth(AuthError),
    NoSuchDocument,
    RouteWithoutParameter,
}

impl Refusal {
    /// `error` rendered with `gate`'s realm and error format.
    pub fn new(gate: &Gate, error: AuthError) -> Self {
        Refusal {
            reply: gate.reject(&error),
            reason: Reason::Auth(error),
        }
    }

    /// The authentication or authorization failure, when that is what it is. `None` for the
    /// two path failures: a document id that is not UTF-8 once decoded (404), and a route
    /// that lacks the document parameter (500, the developer's mistake, logged as such).
    pub fn auth_error(&self) -> Option<&AuthError> {
        match &self.reason {
            Reason::Auth(error) => Some(error),
            Reason::NoSuchDocument | Reason::RouteWithoutParameter => None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.reply.status
    }

    /// The reply to send.
    pub fn reply(&self) -> &HttpReply {
        &self.reply
    }

    /// The reply to send, owned.
    pub fn into_reply(self) -> HttpReply {
        self.reply
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Reason::Auth(error) => error.fmt(f),
            Reason::NoSuchDocument => f.write_str("the document id is not valid UTF-8"),
            Reason::RouteWithoutParameter => f.write_str("the route has no document parameter"),
        }
    }
}

impl std::error::Error for Refusal {}

/// A scope a route requires of the token's `scope` claim (space-separated, RFC 9068): what
/// every adapter's `Scoped<S>` guard (`scoped(gate, S)` in warp) checks with
/// [`Gate::require_scope`]. Without it the answer is 403 `insufficient_scope`, whose
/// `WWW-Authenticate` challenge names the scope (RFC 6750 section 3).
///
/// ```
/// use tokengate::{Algorithm, Claims, Gate, Key, Scope, Verifier};
///
/// /// `notes:read`, granted by a provider or minted into the token.
/// struct NotesRead;
/// impl Scope for NotesRead {
///     const SCOPE: &'static str = "notes:read";
/// }
///
/// let gate = Gate::new(Verifier::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap()));
/// let reader = Claims { scope: Some("openid notes:read".into()), ..Claims::for_subject("u1") };
/// assert!(gate.require_scope::<NotesRead, _>(&reader).is_ok());
/// let refused = gate.require_scope::<NotesRead, _>(&Claims::<tokengate::NoExtra>::for_subject("u2"));
/// let reply = refused.unwrap_err().into_reply();
/// assert_eq!(reply.status, 403);
/// assert!(reply.headers.contains(&(
///     "www-authenticate",
///     r#"Bearer realm="tokengate", error="insufficient_scope", scope="notes:read""#.to_owned()
/// )));
///
/// // A scope that names nothing is a mistake, refused rather than granted to every token.
/// struct Nothing;
/// impl Scope for Nothing {
///     const SCOPE: &'static str = " ";
/// }
/// assert!(gate.require_scope::<Nothing, _>(&reader).is_err());
/// ```
pub trait Scope: 'static {
    /// The scope the token must hold: one scope token (`notes:read`), or several separated
    /// by spaces, all of which it must hold; one at least (an empty `SCOPE` grants nothing).
    /// A scope token itself has no quote, backslash or space.
    const SCOPE: &'static str;
}

/// The document id of a route, as the framework hands it over.
#[derive(Debug, Clone, Copy)]
pub enum DocumentSegment<'a> {
    /// Still percent-encoded (actix's `match_info`, warp's `param`): the core decodes it.
    Encoded(&'a str),
    /// Already percent-decoded by the router (axum, Rocket).
    Decoded(&'a str),
    /// The router could not decode it (not UTF-8): no such document, 404.
    Undecodable,
    /// The route has no such parameter: a programming error, answered 500.
    Missing,
}

impl<'a> DocumentSegment<'a> {
    /// The still-encoded segment of `path` at the place of the parameter `name` in
    /// `template` (`/documents/{id}`, or Rocket's `/documents/<id>`): for routers whose own
    /// decoding is lossy (actix-web, Rocket), so that the core decodes once. `Missing` when
    /// the template has no such parameter.
    ///
    /// ```
    /// use tokengate::DocumentSegment;
    /// let segment = DocumentSegment::in_path("/auth/docs/<id>", "/auth/docs/a%2Fb", "id");
    /// assert!(matches!(segment, DocumentSegment::Encoded("a%2Fb")));
    /// assert!(matches!(DocumentSegment::in_path("/docs/{id}", "/docs/x", "doc"), DocumentSegment::Missing));
    /// ```
    pub fn in_path(template: &str, path: &'a str, name: &str) -> Self {
        let placeholder = |segment: &str| {
            let inner = (segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .or_else(|| segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')));
            inner == Some(name)
        };
        let index = template
            .split('/')
            .filter(|s| !s.is_empty())
            .position(placeholder);
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        index
            .and_then(|index| segments.nth(index))
            .map_or(DocumentSegment::Missing, DocumentSegment::Encoded)
    }
}

impl Gate {
    /// The verified claims of `request`, or the rejection: 401 `missing_token` without a
    /// token, the token's own failure otherwise. What `Authenticated` extracts.
    pub fn require<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Result<Claims<E>, Refusal> {
        self.authenticate(request)
            .map_err(|error| Refusal::new(self, error))
    }

    /// The claims of `request` if it has a token (`None` without one); a bad token is still
    /// a rejection. What the optional extractors return.
    pub fn require_optional<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Result<Option<Claims<E>>, Refusal> {
        self.authenticate_optional(request)
            .map_err(|error| Refusal::new(self, error))
    }

    /// [`require`](Self::require) for async guards: a trusted issuer's token with a `kid`
    /// not in memory has the issuer's keys fetched again before it is judged (see
    /// [`authenticate_async`](Self::authenticate_async)). What the adapters' extractors,
    /// guards, filters and middleware await.
    pub fn require_async<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Verdict<Result<Claims<E>, Refusal>> {
        self.decide(request, |gate, result| {
            result.map_err(|error| Refusal::new(gate, error))
        })
    }

    /// The claims of a request that must have a token: `None` (no token) is 401
    /// `missing_token`. For guards that looked for optional claims first (say, the ones a
    /// middleware stored).
    pub fn require_present<E>(&self, claims: Option<Claims<E>>) -> Result<Claims<E>, Refusal> {
        claims.ok_or_else(|| Refusal::new(self, AuthError::MissingToken))
    }

    /// Requires that the `scope` claim of `claims` hold [`S::SCOPE`](Scope::SCOPE) (every
    /// scope of it): otherwise 403 `insufficient_scope` with the scope in the challenge. What
    /// `Scoped<S>` checks after authentication.
    pub fn require_scope<S: Scope, E>(&self, claims: &Claims<E>) -> Result<(), Refusal> {
        // An empty `S::SCOPE` is a mistake in the app; it must not open the route to every token.
        let names_a_scope = S::SCOPE.split(' ').any(|scope| !scope.is_empty());
        if names_a_scope && claims.has_scopes(S::SCOPE) {
            return Ok(());
        }
        let scope = S::SCOPE.into();
        Err(Refusal::new(self, AuthError::MissingScope { scope }))
    }

    /// [`require_optional`](Self::require_optional) for async guards (see
    /// [`require_async`](Self::require_async)).
    pub fn require_optional_async<E: DeserializeOwned + Clone + 'static>(
        &self,
        request: &impl RequestView,
    ) -> Verdict<Result<Option<Claims<E>>, Refusal>> {
        self.decide(request, |gate, result| {
            optional(result).map_err(|error| Refusal::new(gate, error))
        })
    }

    /// The document id of `segment`, when `claims` grant `P`'s permission on it: otherwise
    /// 403 `insufficient_scope`, 404 for an id that is not UTF-8 once decoded, and 500 for a
    /// route without the parameter. What `Authorized<P>` checks after authentication.
    ///
    /// ```
    /// use tokengate::{Algorithm, Claims, DocumentRead, DocumentSegment, Gate, Key, Verifier};
    ///
    /// let gate = Gate::new(Verifier::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap()));
    /// let claims = Claims { scope: Some("documents:read".into()), ..Claims::for_subject("u1") };
    /// let id = gate.authorize_segment::<DocumentRead, _>(&claims, DocumentSegment::Encoded("x%20y"));
    /// assert_eq!(id.unwrap(), "x y");
    /// let refused = gate.authorize_segment::<DocumentRead, _>(&Claims::<tokengate::NoExtra>::for_subject("u2"), DocumentSegment::Decoded("x"));
    /// assert_eq!(refused.unwrap_err().status(), 403);
    /// ```
    pub fn authorize_segment<P: RequiredPermission, E>(
        &self,
        claims: &Claims<E>,
        segment: DocumentSegment<'_>,
    ) -> Result<String, Refusal> {
        let document = match segment {
            DocumentSegment::Decoded(id) => Cow::Borrowed(id),
            DocumentSegment::Encoded(raw) => match percent_decode_str(raw).decode_utf8() {
                Ok(id) => id,
                Err(_) => return Err(self.path_failure(Reason::NoSuchDocument)),
            },
            DocumentSegment::Undecodable => {
                return Err(self.path_failure(Reason::NoSuchDocument));
            }
            DocumentSegment::Missing => {
                return Err(self.path_failure(Reason::RouteWithoutParameter));
            }
        };
        self.authorize(claims, &document, &P::permission())
            .map_err(|error| Refusal::new(self, error))?;
        Ok(document.into_owned())
    }

    fn path_failure(&self, reason: Reason) -> Refusal {
        let problem = match reason {
            Reason::NoSuchDocument => Problem::not_found(),
            _ => Problem::new(
                500,
                "internal_error",
                "a document route was set up without its document parameter",
            ),
        };
        Refusal {
            reply: self.render(&problem),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Algorithm, DocumentWrite, Key, NoExtra, Verifier};

    fn gate() -> Gate {
        Gate::new(Verifier::new(
            Key::hmac(Algorithm::HS256, &[9; 32]).unwrap(),
        ))
    }

    #[test]
    fn segments_are_decoded_once_and_checked() {
        let gate = gate();
        let writer = Claims {
            scope: Some("documents:write".into()),
            ..Claims::for_subject("w")
        };
        let id = |segment| gate.authorize_segment::<DocumentWrite, _>(&writer, segment);
        assert_eq!(id(DocumentSegment::Encoded("a+b%2Fc")).unwrap(), "a+b/c");
        // A router that decoded already is not decoded twice.
        assert_eq!(id(DocumentSegment::Decoded("100%25")).unwrap(), "100%25");
        assert_eq!(
            id(DocumentSegment::Encoded("%FF")).unwrap_err().status(),
            404
        );
        let missing = id(DocumentSegment::Missing).unwrap_err();
        assert_eq!((missing.status(), missing.auth_error()), (500, None));

        let nobody: Claims<NoExtra> = Claims::for_subject("n");
        let refused = gate
            .authorize_segment::<DocumentWrite, _>(&nobody, DocumentSegment::Decoded("d"))
            .unwrap_err();
        assert_eq!(refused.status(), 403);
        assert_eq!(
            refused.auth_error().map(AuthError::code),
            Some("insufficient_scope")
        );
    }
}
