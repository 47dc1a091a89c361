//! Forward authentication: the answer to a proxy (nginx `auth_request`, Caddy `forward_auth`,
//! Traefik `ForwardAuth`, Envoy `ext_authz`) that asks whether to pass a request on.
//!
//! A [`Gateway`] reads the original request from the headers the proxy sends ([`Original`]),
//! normalises its path ([`normalise_path`]), finds the rule of its [`Policy`] that decides it,
//! and asks the [`Gate`] about the token with the original method, exactly as a guard of the
//! app would: the same sources, cookie and CSRF rules, trusted issuers and revocation list,
//! and no database. Allowed is 200 with the identity in `X-Tokengate-*` headers.
//!
//! ```
//! use tokengate::gate::gateway::{Access, Gateway, Policy, Rule};
//! use tokengate::gate::{HeaderValue, RequestView};
//! use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Verifier};
//!
//! struct Asked(Vec<(&'static str, String)>);
//! impl RequestView for Asked {
//!     fn header(&self, name: &str) -> HeaderValue<'_> {
//!         HeaderValue::from_values(self.0.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.as_bytes()))
//!     }
//!     fn query(&self) -> Option<&str> { None }
//!     fn method(&self) -> &str { "GET" }
//! }
//!
//! let key = Key::hmac(Algorithm::HS256, &[7; 32]).unwrap();
//! let token = Issuer::new(key.clone()).issue(Claims::for_subject("u1")).unwrap().token;
//! let policy = Policy::new([
//!     Rule::path("/public/").allow(Access::Anyone),
//!     Rule::path("/api/"),
//! ]);
//! let gateway = Gateway::new(Gate::new(Verifier::new(key)), policy);
//! # futures_lite(async {
//! let asked = Asked(vec![
//!     ("x-forwarded-uri", "/public/../api/notes".into()),
//!     ("authorization", format!("Bearer {token}")),
//! ]);
//! let reply = gateway.answer(&asked, "/authz").await;
//! assert_eq!(reply.status, 200);
//! assert!(reply.headers.contains(&("x-tokengate-subject", "u1".into())));
//!
//! let anonymous = Asked(vec![("x-forwarded-uri", "/api/notes".into())]);
//! assert_eq!(gateway.answer(&anonymous, "/authz").await.status, 401);
//! # });
//! # fn futures_lite(f: impl std::future::Future<Output = ()>) {
//! #     let mut f = std::pin::pin!(f);
//! #     let waker = std::task::Waker::noop();
//! #     assert!(f.as_mut().poll(&mut std::task::Context::from_waker(&waker)).is_ready());
//! # }
//! ```

mod forwarded;
mod path;
mod policy;

pub use forwarded::{Ambiguous, Original, AUTHZ_METHODS, AUTHZ_PATH};
pub use path::{normalise_path, PathError};
pub use policy::{Access, Policy, Rule};

use std::sync::Arc;

use crate::gate::decision::Gate;
use crate::gate::refusal::{Reason, Refusal};
use crate::gate::reply::HttpReply;
use crate::gate::source::RequestView;
use crate::gate::verdict::Verdict;
use crate::token::claims::{Claims, NoExtra};
use crate::token::error::AuthError;
use forwarded::AsOriginal;

/// The identity headers an allowed request is answered with, for the proxy to copy onto the
/// request it passes on (and to overwrite whatever the client sent under those names).
pub const IDENTITY_HEADERS: [&str; 3] = [
    "x-tokengate-subject",
    "x-tokengate-issuer",
    "x-tokengate-scope",
];

/// The gate and the policy that answer a proxy's questions. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Gateway {
    gate: Gate,
    policy: Arc<Policy>,
}

/// An allowed request: whose token it carried, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    identity: Option<[String; 3]>,
}

impl Passed {
    /// The token's `sub`, `iss` and `scope` (each empty when absent), or `None` for a
    /// request an `anyone` rule let through without a valid token.
    pub fn identity(&self) -> Option<(&str, &str, &str)> {
        self.identity
            .as_ref()
            .map(|[sub, iss, scope]| (sub.as_str(), iss.as_str(), scope.as_str()))
    }

    /// 200 with an empty body and the identity headers (none for an anonymous request).
    pub fn into_reply(self) -> HttpReply {
        let mut reply = HttpReply::empty(200);
        if let Some(values) = self.identity {
            reply.headers = IDENTITY_HEADERS.into_iter().zip(values).collect();
        }
        reply
    }
}

impl Gateway {
    /// A gateway deciding with `gate` under `policy` (`Policy::default()`: every request
    /// needs a valid token).
    pub fn new(gate: Gate, policy: Policy) -> Self {
        Gateway {
            gate,
            policy: Arc::new(policy),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Decides the request a proxy asks about with `asked` (the `/authz` request, whose own
    /// raw path is `own_path`): 400 `invalid_request` for an original request that cannot be
    /// known or a path that is refused, 403 `access_denied` when no rule matches, and the
    /// bearer failures of the matching rule's token check. Decided at once, except for a
    /// trusted issuer's token with an unknown `kid` (see [`Gate::decide`]).
    pub fn decide<V: RequestView>(
        &self,
        asked: &V,
        own_path: &str,
    ) -> Verdict<Result<Passed, Refusal>> {
        self.decide_then(asked, own_path, |outcome| outcome)
    }

    /// [`decide`](Self::decide), as the reply to send the proxy.
    pub fn answer<V: RequestView>(&self, asked: &V, own_path: &str) -> Verdict<HttpReply> {
        self.decide_then(asked, own_path, |outcome| match outcome {
            Ok(passed) => passed.into_reply(),
            Err(refusal) => refusal.into_reply(),
        })
    }

    /// The decision, turned by `then` into what the caller returns as soon as it is reached:
    /// only that moves through the verdict, never the claims.
    fn decide_then<V: RequestView, T: 'static>(
        &self,
        asked: &V,
        own_path: &str,
        then: fn(Result<Passed, Refusal>) -> T,
    ) -> Verdict<T> {
        let (original, rule) = match self.rule_of(asked, own_path) {
            Ok(found) => found,
            Err(refusal) => return Verdict::ready(then(Err(refusal))),
        };
        let access = rule.access();
        let scopes = rule.scope_requirement().cloned();
        let request = AsOriginal {
            view: asked,
            method: original.method,
            path: original.target.split(['?', '#']).next().unwrap_or("/"),
        };
        self.gate
            .decide_with::<NoExtra, T>(&request, move |gate, result| {
                let judged = judge(gate, result, access, scopes.as_deref());
                // A refusal was counted when it was made.
                if judged.is_ok() {
                    gate.count_allowed();
                }
                then(judged)
            })
    }

    /// The original request and the rule that decides it, or why there is none.
    fn rule_of<'r, V: RequestView>(
        &self,
        asked: &'r V,
        own_path: &'r str,
    ) -> Result<(Original<'r>, &Rule), Refusal> {
        let original = Original::read(asked, own_path, self.policy.names_hosts())
            .map_err(|Ambiguous(header)| self.gate.refusal(Reason::AmbiguousOriginal(header)))?;
        let path = normalise_path(original.target)
            .map_err(|error| self.gate.refusal(Reason::RefusedPath(error.message())))?;
        match self.policy.rule_for(original.host, &path, original.method) {
            Some(rule) => Ok((original, rule)),
            None => Err(self.gate.refusal(Reason::NoRuleAllows)),
        }
    }
}

/// The rule's verdict on the token check's result: on an `anyone` rule a request without a
/// valid token passes naming nobody; otherwise the refusal stands, and the rule's scopes are
/// each required.
fn judge(
    gate: &Gate,
    result: Result<Claims, AuthError>,
    access: Access,
    scopes: Option<&str>,
) -> Result<Passed, Refusal> {
    match (access, result) {
        (Access::Anyone, Ok(claims)) => Ok(Passed {
            identity: identity_of(claims).ok(),
        }),
        (Access::Anyone, Err(_)) => Ok(Passed { identity: None }),
        (Access::Authenticated, Err(error)) => Err(gate.refuse(error)),
        (Access::Authenticated, Ok(claims)) => {
            if let Some(scopes) = scopes {
                if !claims.has_scopes(scopes) {
                    let scope = scopes.to_owned().into();
                    return Err(gate.refuse(AuthError::MissingScope { scope }));
                }
            }
            let identity = identity_of(claims).map_err(|error| gate.refuse(error))?;
            Ok(Passed {
                identity: Some(identity),
            })
        }
    }
}

/// The identity header values of `claims`, moved out of them; a value that cannot travel in
/// a header (anything but visible ASCII and spaces) makes the token unusable here rather than
/// silently dropped.
fn identity_of(claims: Claims) -> Result<[String; 3], AuthError> {
    let value = |claim: &'static str, value: Option<String>| {
        let value = value.unwrap_or_default();
        match value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            true => Ok(value),
            false => Err(AuthError::InvalidClaim(claim)),
        }
    };
    Ok([
        value("sub", claims.sub)?,
        value("iss", claims.iss)?,
        value("scope", claims.scope)?,
    ])
}

#[cfg(test)]
mod tests;
