//! What a route may require beyond a valid token: a [`Scope`] of the token's `scope` claim,
//! or a permission on the document its path names ([`PathSegment`]). The gate checks
//! both ([`Gate::authorize_segment`](crate::gate::Gate::authorize_segment),
//! [`Gate::require_scope`](crate::gate::Gate::require_scope)).

use percent_encoding::percent_decode_str;
use std::borrow::Cow;

use crate::gate::refusal::Reason;

/// A scope a route requires of the token's `scope` claim (space-separated, RFC 9068): what
/// every adapter's `Scoped<S>` guard (`scoped(gate, S)` in warp) checks with
/// [`Gate::require_scope`](crate::Gate::require_scope). Without it the answer is 403 `insufficient_scope`, whose
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

/// A path parameter (a document id, a session id), as the framework hands it over.
#[derive(Debug, Clone, Copy)]
pub enum PathSegment<'a> {
    /// Still percent-encoded (actix's `match_info`, warp's `param`): the core decodes it.
    Encoded(&'a str),
    /// Already percent-decoded by the router (axum, Rocket).
    Decoded(&'a str),
    /// The router could not decode it (not UTF-8): no such document, 404.
    Undecodable,
    /// The route has no such parameter: a programming error, answered 500.
    Missing,
}

impl<'a> PathSegment<'a> {
    /// The parameter, percent-decoded once; `None` when it does not decode (or the route
    /// has no such parameter).
    #[cfg(feature = "accounts")]
    pub(crate) fn decoded(self) -> Option<Cow<'a, str>> {
        self.document_id().ok()
    }

    /// The parameter, percent-decoded once; why there is none otherwise.
    pub(super) fn document_id(self) -> Result<Cow<'a, str>, Reason> {
        match self {
            PathSegment::Decoded(id) => Ok(Cow::Borrowed(id)),
            PathSegment::Encoded(raw) => percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| Reason::NoSuchDocument),
            PathSegment::Undecodable => Err(Reason::NoSuchDocument),
            PathSegment::Missing => Err(Reason::RouteWithoutParameter),
        }
    }

    /// The still-encoded segment of `path` at the place of the parameter `name` in
    /// `template` (`/documents/{id}`, or Rocket's `/documents/<id>`): for routers whose own
    /// decoding is lossy (actix-web, Rocket), so that the core decodes once. `Missing` when
    /// the template has no such parameter.
    ///
    /// ```
    /// use tokengate::gate::PathSegment;
    /// let segment = PathSegment::in_path("/auth/docs/<id>", "/auth/docs/a%2Fb", "id");
    /// assert!(matches!(segment, PathSegment::Encoded("a%2Fb")));
    /// assert!(matches!(PathSegment::in_path("/docs/{id}", "/docs/x", "doc"), PathSegment::Missing));
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
            .map_or(PathSegment::Missing, PathSegment::Encoded)
    }
}
