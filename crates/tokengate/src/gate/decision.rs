//! The gate: everything an adapter needs to guard a route, behind one cheap clone.

use serde::de::DeserializeOwned;
use std::sync::Arc;

use crate::gate::builder::{GateBuilder, Settings};
use crate::gate::dpop::Dpop;
use crate::gate::permission::{PathSegment, Scope};
use crate::gate::problem::Problem;
use crate::gate::refusal::{Reason, Refusal};
use crate::gate::reply::HttpReply;
use crate::gate::revocation::RevocationList;
use crate::gate::session::{csrf_matches, is_safe_method};
use crate::gate::source::{RequestView, TokenSource};
#[cfg(feature = "remote-keys")]
use crate::gate::trusted::{Outcome, Refresh, Trusted};
use crate::gate::verdict::{Decision, Verdict};
#[cfg(feature = "metrics")]
use crate::telemetry::Metrics;
use crate::token::claims::Claims;
use crate::token::collaboration::RequiredPermission;
use crate::token::error::AuthError;
use crate::token::verify::Verifier;

/// Finds, verifies and authorizes tokens, and renders the failures.
///
/// Adapters hold a `Gate` (an `Arc` inside, so cloning is cheap) and call
/// [`decide`](Self::decide) with their request view; every rule lives here.
///
/// The [module](crate::gate) shows a whole decision.
#[derive(Clone)]
pub struct Gate {
    inner: Arc<Settings>,
}

/// Where verifying a token got without waiting.
// The claims are the common case; boxing them would cost an allocation per token.
#[allow(clippy::large_enum_variant)]
enum Step<E> {
    Done(Result<Claims<E>, AuthError>),
    /// A trusted issuer's token with a `kid` not in memory: the keys may be fetched again.
    #[cfg(feature = "remote-keys")]
    Refresh(Refresh),
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

    /// A builder for a gate that accepts the access tokens of OpenID Connect providers and
    /// nothing else: a pure resource server, which mints no tokens of its own and so has no
    /// secret or key of its own. A token whose `iss` is none of `issuers` is 401
    /// `invalid_token`; the others are checked as with
    /// [`GateBuilder::trusted_issuers`]. Start the key fetching with
    /// [`Gate::spawn_key_refreshers`].
    ///
    /// ```
    /// use tokengate::token::remote::TrustedIssuers;
    /// use tokengate::Gate;
    ///
    /// let providers = TrustedIssuers::discover(["https://login.example.com/realms/main"], false)
    ///     .unwrap();
    /// let gate = Gate::trusting(providers, "https://api.example.com").build();
    /// // A token of nobody it trusts, here one signed with a secret an attacker picked:
    /// let secret = tokengate::Key::hmac(tokengate::Algorithm::HS256, &[7; 32]).unwrap();
    /// let forged = tokengate::Issuer::new(secret)
    ///     .issue(tokengate::Claims::for_subject("admin"))
    ///     .unwrap();
    /// let refused = gate.verify::<tokengate::NoExtra>(&forged.token).unwrap_err();
    /// assert_eq!(refused.code(), "invalid_token");
    /// ```
    #[cfg(feature = "remote-keys")]
    pub fn trusting(
        issuers: crate::token::remote::TrustedIssuers,
        rules: impl Into<crate::token::remote::TrustedRules>,
    ) -> GateBuilder {
        Gate::builder(no_own_tokens()).trusted_issuers(issuers, rules)
    }

    /// A builder to change the defaults.
    pub fn builder(verifier: Verifier) -> GateBuilder {
        GateBuilder::new(verifier)
    }

    /// Decides `request`: finds its token, verifies it (revocation included), and applies
    /// the cookie rule: a token read from a cookie with CSRF protection on (see
    /// [`GateBuilder::cookie_sessions`]) must, on any method but GET, HEAD and OPTIONS, come
    /// with the CSRF header, checked after the token (a bad token is still a 401) and before
    /// any permission or handler.
    ///
    /// The verdict is read as `D`: [`Claims<E>`](Claims) when the request must carry a token
    /// (none is 401 `missing_token`), or `Option<Claims<E>>` when it may come without one
    /// (`None`; a bad token is still refused). It is a future, decided at once unless a
    /// trusted issuer's token names a `kid` not among the keys in memory: then that issuer's
    /// keys are fetched again (at most once per 30 seconds, one fetch for every waiting
    /// request) before the token is judged, so a provider's key rotation is followed on the
    /// first token signed with the new key. Take a decided verdict with [`Verdict::now`].
    ///
    /// Every adapter's extractor, guard, filter and middleware is this call and a wrapper
    /// around its [`Refusal`].
    pub fn decide<D: Decision>(&self, request: &impl RequestView) -> Verdict<Result<D, Refusal>> {
        self.decide_with(request, |gate, result| {
            #[cfg(feature = "metrics")]
            if let (Ok(_), Some(metrics)) = (&result, &gate.inner.metrics) {
                metrics.allowed();
            }
            D::from_result(result).map_err(|error| gate.refuse(error))
        })
    }

    /// The one body of [`decide`](Self::decide): the request's verdict, turned by `finish`
    /// (given this gate, or a clone of it once keys were fetched) into what the caller
    /// returns before it is wrapped. The claims are a few hundred bytes, and every
    /// conversion of a decided verdict after the wrapping would move them again.
    pub(in crate::gate) fn decide_with<E, T>(
        &self,
        request: &impl RequestView,
        finish: impl FnOnce(&Gate, Result<Claims<E>, AuthError>) -> T + Send + Sync + 'static,
    ) -> Verdict<T>
    where
        E: DeserializeOwned + Clone + 'static,
        T: 'static,
    {
        let (token, source) = match self.inner.sources.extract_with_source(request) {
            Ok(found) => found,
            Err(error) => return Verdict::ready(finish(self, Err(error))),
        };
        let csrf_failed = self.inner.csrf
            && matches!(source, TokenSource::Cookie(_))
            && !is_safe_method(request.method())
            && !csrf_matches(request);
        // Only a token sent with the DPoP scheme needs more of the request (an unusual path).
        let presented =
            matches!(source, TokenSource::Dpop).then(|| self.inner.dpop.presented(request));
        match self.timed_verify_step::<E>(&token) {
            Step::Done(mut result) => {
                self.inner
                    .dpop
                    .bound(&mut result, presented.as_ref(), &token);
                Verdict::ready(finish(self, csrf_checked(result, csrf_failed)))
            }
            #[cfg(feature = "remote-keys")]
            Step::Refresh(refresh) => {
                let gate = self.clone();
                let token = token.into_owned();
                Verdict::pending(async move {
                    let mut result = refresh
                        .run()
                        .await
                        .and_then(|claims| gate.not_revoked(claims));
                    gate.inner
                        .dpop
                        .bound(&mut result, presented.as_ref(), &token);
                    finish(&gate, csrf_checked(result, csrf_failed))
                })
            }
        }
    }

    /// Verifies a token taken from elsewhere (a message, a job), revocation included. A
    /// trusted issuer's token is checked with the keys in memory only: an unknown `kid` is
    /// [`UnknownKey`](AuthError::UnknownKey), keys never loaded are
    /// [`KeysUnavailable`](AuthError::KeysUnavailable). (A request's token follows key
    /// rotation: see [`decide`](Self::decide).) A token bound to a DPoP key (`cnf.jkt`) is
    /// verified like any other: its proof belongs to a request, which only `decide` sees; an
    /// app that acts on a bound token outside a request checks `claims.cnf` itself.
    pub fn verify<E: DeserializeOwned + Clone + 'static>(
        &self,
        token: &str,
    ) -> Result<Claims<E>, AuthError> {
        match self.verify_step(token) {
            Step::Done(result) => result,
            #[cfg(feature = "remote-keys")]
            Step::Refresh(refresh) => Err(refresh.refuse()),
        }
    }

    /// [`verify_step`](Self::verify_step), timed into the metrics when there are any.
    #[inline]
    fn timed_verify_step<E: DeserializeOwned + Clone + 'static>(&self, token: &str) -> Step<E> {
        // At debug level: a subscriber that does not ask for it pays one cached check.
        #[cfg(feature = "tracing")]
        let _span = tracing::debug_span!("tokengate.verify").entered();
        #[cfg(feature = "metrics")]
        if let Some(metrics) = &self.inner.metrics {
            // quanta reads the CPU's time-stamp counter: a third of the cost of the OS clock.
            let started = quanta::Instant::now();
            let step = self.verify_step(token);
            metrics.verified_in(started.elapsed());
            return step;
        }
        self.verify_step(token)
    }

    /// Verifies with the keys in memory: a trusted issuer's keys for its tokens, else the
    /// gate's own verifier. The `iss` is only looked at when issuers are trusted.
    fn verify_step<E: DeserializeOwned + Clone + 'static>(&self, token: &str) -> Step<E> {
        #[cfg(feature = "remote-keys")]
        if let Some(trusted) = &self.inner.trusted {
            match trusted.check(token) {
                Outcome::NotTrusted => {}
                Outcome::Done(result) => {
                    return Step::Done(result.and_then(|claims| self.not_revoked(claims)));
                }
                Outcome::UnknownKid(refresh) => return Step::Refresh(refresh),
            }
        }
        let result = self.inner.verifier.verify(token);
        // Checked in place: the claims are not moved on the usual path.
        match &result {
            Ok(claims) if self.is_revoked(claims) => Step::Done(Err(AuthError::Revoked)),
            _ => Step::Done(result),
        }
    }

    #[cfg(feature = "remote-keys")]
    fn not_revoked<E>(&self, claims: Claims<E>) -> Result<Claims<E>, AuthError> {
        match self.is_revoked(&claims) {
            true => Err(AuthError::Revoked),
            false => Ok(claims),
        }
    }

    fn is_revoked<E>(&self, claims: &Claims<E>) -> bool {
        let revocations = &self.inner.revocations;
        // The empty list, the usual case, costs one load and no fingerprint.
        !revocations.is_empty()
            && revocations.is_revoked(Some(&claims.revocation_id()), claims.sid.as_deref())
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
        Err(self.refuse(AuthError::MissingScope { scope }))
    }

    /// The document id of `segment`, when `claims` grant `P`'s permission on it: otherwise
    /// 403 `insufficient_scope`, 404 for an id that is not UTF-8 once decoded, and 500 for a
    /// route without the parameter. What `Authorized<P>` checks after authentication.
    ///
    /// ```
    /// use tokengate::{Algorithm, Claims, DocumentRead, Gate, Key, Verifier};
    /// use tokengate::gate::PathSegment;
    ///
    /// let gate = Gate::new(Verifier::new(Key::hmac(Algorithm::HS256, &[1; 32]).unwrap()));
    /// let claims = Claims { scope: Some("documents:read".into()), ..Claims::for_subject("u1") };
    /// let id = gate.authorize_segment::<DocumentRead, _>(&claims, PathSegment::Encoded("x%20y"));
    /// assert_eq!(id.unwrap(), "x y");
    /// let refused = gate.authorize_segment::<DocumentRead, _>(&Claims::<tokengate::NoExtra>::for_subject("u2"), PathSegment::Decoded("x"));
    /// assert_eq!(refused.unwrap_err().status(), 403);
    /// ```
    pub fn authorize_segment<P: RequiredPermission, E>(
        &self,
        claims: &Claims<E>,
        segment: PathSegment<'_>,
    ) -> Result<String, Refusal> {
        let document = segment
            .document_id()
            .map_err(|reason| self.refusal(reason))?;
        let permission = P::permission();
        if !claims.allows(&document, &permission) {
            let permission = permission.name();
            return Err(self.refuse(AuthError::InsufficientScope { permission }));
        }
        Ok(document.into_owned())
    }

    /// The refusal of a request for `error`, rendered with the gate's realm and error
    /// format: what an adapter answers when it finds no claims where a guard needs them
    /// (`gate.refuse(AuthError::MissingToken)`).
    pub fn refuse(&self, error: AuthError) -> Refusal {
        self.refusal(Reason::Auth(error))
    }

    pub(in crate::gate) fn refusal(&self, reason: Reason) -> Refusal {
        #[cfg(feature = "metrics")]
        if let Some(metrics) = &self.inner.metrics {
            metrics.refused(reason.code());
        }
        Refusal {
            reply: self.render(&reason.problem(&self.inner.realm)),
            reason,
        }
    }

    /// The response for any problem, in the configured error format.
    pub fn render(&self, problem: &Problem) -> HttpReply {
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

    /// The metrics the gate records its decisions in, if any.
    #[cfg(feature = "metrics")]
    pub fn metrics(&self) -> Option<&Metrics> {
        self.inner.metrics.as_ref()
    }

    /// Counts a request let through by a decision the gate did not make through
    /// [`decide`](Self::decide) (the gateway's).
    pub(in crate::gate) fn count_allowed(&self) {
        #[cfg(feature = "metrics")]
        if let Some(metrics) = &self.inner.metrics {
            metrics.allowed();
        }
    }

    /// The DPoP settings and the proofs seen: for the token endpoints, which bind new tokens
    /// to the key a request proves it holds ([`Dpop::proven_key`]).
    pub fn dpop(&self) -> &Dpop {
        &self.inner.dpop
    }

    /// The realm of the challenges.
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }

    /// Whether `iss` names one of the gate's trusted issuers: claims the gate verified with
    /// that issuer's keys (always `false` without the `remote-keys` feature).
    pub fn trusts(&self, iss: Option<&str>) -> bool {
        #[cfg(feature = "remote-keys")]
        if let (Some(trusted), Some(iss)) = (&self.inner.trusted, iss) {
            return trusted.trusts(iss);
        }
        let _ = iss;
        false
    }

    /// The trusted issuers, if any were configured.
    #[cfg(feature = "remote-keys")]
    pub fn trusted_issuers(&self) -> Option<&crate::token::remote::TrustedIssuers> {
        self.inner.trusted.as_ref().map(Trusted::issuers)
    }

    /// Starts loading every trusted issuer's keys in the background and keeps them fresh
    /// (see [`RemoteKeys::spawn_refresher`](crate::token::remote::RemoteKeys::spawn_refresher));
    /// returns at once, whether or not the providers can be reached. Needs a Tokio runtime.
    #[cfg(feature = "remote-keys")]
    pub fn spawn_key_refreshers(&self) -> Vec<tokio::task::JoinHandle<()>> {
        self.trusted_issuers()
            .map(crate::token::remote::TrustedIssuers::spawn_refreshers)
            .unwrap_or_default()
    }
}

/// `result`, unless the token came from a cookie without the CSRF header on an unsafe
/// method: the token's own verdict comes first, so a bad token is a 401 before any CSRF 403.
fn csrf_checked<E>(
    result: Result<Claims<E>, AuthError>,
    csrf_failed: bool,
) -> Result<Claims<E>, AuthError> {
    match result {
        Ok(_) if csrf_failed => Err(AuthError::CsrfFailed),
        other => other,
    }
}

/// The own verifier of a gate that only trusts providers: an HS512 key of 64 random bytes that
/// is never stored anywhere else, so no token anybody holds verifies under it. (The gate's
/// shape keeps one own verifier; this one refuses every token that reaches it.)
#[cfg(feature = "remote-keys")]
fn no_own_tokens() -> Verifier {
    use rand::RngCore;
    let mut secret = [0u8; 64];
    rand::rng().fill_bytes(&mut secret);
    let key = crate::token::Key::hmac(crate::token::Algorithm::HS512, &secret)
        .expect("64 bytes is the HS512 minimum");
    Verifier::new(key)
}

impl GateBuilder {
    /// The gate.
    pub fn build(self) -> Gate {
        #[cfg(all(feature = "metrics", feature = "remote-keys"))]
        if let (Some(metrics), Some(trusted)) = (&self.settings.metrics, &self.settings.trusted) {
            let issuers = trusted.issuers().clone();
            metrics.watch_keys(std::sync::Arc::new(move || {
                issuers
                    .iter()
                    .map(|(issuer, keys)| (issuer.to_owned(), keys.age()))
                    .collect()
            }));
        }
        Gate {
            inner: Arc::new(self.settings),
        }
    }
}

#[cfg(test)]
mod tests;
