//! DPoP (RFC 9449): tokens bound to a key the client holds, and proven on every request.
//!
//! A token whose claims carry `cnf.jkt` is bound. The gate accepts it only as
//! `Authorization: DPoP TOKEN` with a `DPoP` header holding a proof: a JWT the client signed
//! with that key for this method and URI, within a minute, never used before, naming the
//! token's hash. A bound token sent any other way (as `Bearer`, in a cookie) is 401
//! `invalid_token`; a proof that fails a rule is 401 `invalid_dpop_proof`. Trusted issuers'
//! bound tokens are checked the same way, and so is `/authz` against the original request.
//!
//! The request's URI is the public URL of the service (`TOKENGATE_PUBLIC_URL`, the scheme,
//! host and port clients use) followed by the request's path; without one, `http://` and the
//! request's `Host`.
//!
//! ```
//! use tokengate::gate::dpop::{Dpop, ProofTarget};
//!
//! let dpop = Dpop::new(Some("https://api.example.com".into()));
//! let target = ProofTarget { method: "GET", uri: "https://api.example.com/notes", access_token: Some("t") };
//! let refused = dpop.check_proof("not-a-proof", &target).unwrap_err();
//! assert_eq!(refused.code(), "invalid_dpop_proof");
//! ```

mod htu;
mod nonce;
mod proof;
mod replay;

pub use nonce::{DpopNonces, NONCE_WINDOW_SECS};
pub use proof::ProofTarget;
pub use replay::REPLAY_CAPACITY;

use std::sync::Arc;

use crate::gate::source::{HeaderValue, RequestView};
use crate::token::claims::Claims;
use crate::token::error::AuthError;
use crate::token::time::unix_now;
use proof::PROOF_WINDOW_SECS;
use replay::{Refused, ReplayCache};

/// The request header that carries the proof.
pub const DPOP_HEADER: &str = "dpop";
/// The response header that hands out a server nonce.
pub const DPOP_NONCE_HEADER: &str = "dpop-nonce";

/// The gate's DPoP settings and the proofs it has seen; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Dpop {
    public_url: Option<Arc<str>>,
    seen: Arc<ReplayCache>,
    nonces: Option<DpopNonces>,
}

/// What a request that sent its token with the `DPoP` scheme holds for the check, taken
/// from it before the token is verified (which may wait for a provider's keys).
#[derive(Debug)]
pub(crate) struct Presented {
    proof: Result<String, &'static str>,
    method: String,
    uri: Option<String>,
}

impl Dpop {
    /// DPoP with `public_url` (the scheme, host and port clients use, without a path) as the
    /// base of every request's URI; `None` takes `http://` and the request's `Host`.
    pub fn new(public_url: Option<String>) -> Dpop {
        Dpop {
            public_url: public_url.map(|url| Arc::from(url.trim_end_matches('/'))),
            seen: Arc::default(),
            nonces: None,
        }
    }

    /// The same, with `public_url` as the base of every request's URI.
    pub fn with_public_url(mut self, public_url: String) -> Dpop {
        self.public_url = Some(Arc::from(public_url.trim_end_matches('/')));
        self
    }

    /// Requires every proof to carry one of `nonces`: a proof without a current one is
    /// refused with `use_dpop_nonce` and the nonce to use in a `DPoP-Nonce` header.
    pub fn with_nonces(mut self, nonces: DpopNonces) -> Dpop {
        self.nonces = Some(nonces);
        self
    }

    /// The absolute URI of `request` as its proof must name it; `None` when its path or, with
    /// no public URL set, its `Host` is unknown.
    pub fn request_uri(&self, request: &impl RequestView) -> Option<String> {
        let path = request.path()?;
        match &self.public_url {
            Some(base) => Some(format!("{base}{path}")),
            None => match request.header("host") {
                HeaderValue::One(host) => {
                    Some(format!("http://{}{path}", std::str::from_utf8(host).ok()?))
                }
                _ => None,
            },
        }
    }

    /// Checks `proof` against `target` now, and records its `jti`: the thumbprint of the key
    /// that made it.
    pub fn check_proof(&self, proof: &str, target: &ProofTarget<'_>) -> Result<String, AuthError> {
        let now = unix_now();
        let checked = proof::check(proof, target, now)?;
        if let Some(nonces) = &self.nonces {
            let fresh = checked
                .nonce
                .as_deref()
                .is_some_and(|nonce| nonces.accepts(nonce, now));
            if !fresh {
                return Err(AuthError::UseDpopNonce {
                    nonce: nonces.current(now),
                });
            }
        }
        let until = checked.iat.saturating_add(PROOF_WINDOW_SECS);
        match self.seen.first_use(&checked.jkt, &checked.jti, until, now) {
            Ok(()) => Ok(checked.jkt),
            Err(Refused::Seen) => Err(AuthError::InvalidDpopProof("it was used before")),
            Err(Refused::Full) => Err(AuthError::InvalidDpopProof(
                "too many proofs within the last minute; try again shortly",
            )),
        }
    }

    /// The key a request for tokens (`/login`, `/refresh`, `/session`) proves it holds: `None`
    /// without a `DPoP` header, else the thumbprint of a valid proof for this request.
    pub fn proven_key(&self, request: &impl RequestView) -> Option<Result<String, AuthError>> {
        let proof = match request.header(DPOP_HEADER) {
            HeaderValue::Absent => return None,
            HeaderValue::Many => {
                return Some(Err(AuthError::InvalidDpopProof(
                    "more than one DPoP header was sent",
                )))
            }
            HeaderValue::One(value) => value,
        };
        Some(self.proof_of(proof, request, None))
    }

    /// What the check of a token sent with the `DPoP` scheme needs of `request`.
    pub(crate) fn presented(&self, request: &impl RequestView) -> Presented {
        let proof = match request.header(DPOP_HEADER) {
            HeaderValue::Absent => Err("no DPoP header was sent with the token"),
            HeaderValue::Many => Err("more than one DPoP header was sent"),
            HeaderValue::One(value) => std::str::from_utf8(value)
                .map(str::to_owned)
                .map_err(|_| "the DPoP header is not ASCII"),
        };
        Presented {
            proof,
            method: request.method().to_owned(),
            uri: self.request_uri(request),
        }
    }

    /// The binding rule on a verified token: a bound token (`cnf.jkt`) needs the `DPoP`
    /// scheme and a valid proof by its key; a token sent with the `DPoP` scheme must be bound.
    /// `presented` is `Some` exactly when the token came with the `DPoP` scheme. The claims
    /// are only looked at, never moved: this runs on every request.
    pub(crate) fn bound<E>(
        &self,
        result: &mut Result<Claims<E>, AuthError>,
        presented: Option<&Presented>,
        token: &str,
    ) {
        let Ok(claims) = &*result else { return };
        let jkt = claims.cnf.as_ref().and_then(|cnf| cnf.jkt.as_deref());
        if jkt.is_none() && presented.is_none() {
            return;
        }
        if let Err(refusal) = self.binding(jkt, presented, token) {
            *result = Err(refusal);
        }
    }

    /// [`bound`](Self::bound)'s rule once a key or the DPoP scheme is involved.
    fn binding(
        &self,
        jkt: Option<&str>,
        presented: Option<&Presented>,
        token: &str,
    ) -> Result<(), AuthError> {
        let Some(presented) = presented else {
            return Err(AuthError::DpopBinding(
                "the token is bound to a key: send it as Authorization: DPoP with a proof",
            ));
        };
        let Some(jkt) = jkt else {
            return Err(AuthError::DpopBinding(
                "the token is not bound to a key: send it as Authorization: Bearer",
            ));
        };
        let proof = presented
            .proof
            .as_deref()
            .map_err(|why| AuthError::InvalidDpopProof(why))?;
        let uri = presented.uri.as_deref().ok_or(AuthError::InvalidDpopProof(
            "the request's URI is not known",
        ))?;
        let target = ProofTarget {
            method: &presented.method,
            uri,
            access_token: Some(token),
        };
        match self.check_proof(proof, &target)? == jkt {
            true => Ok(()),
            false => Err(AuthError::InvalidDpopProof(
                "its key is not the one the token is bound to",
            )),
        }
    }

    /// A proof given as header bytes, checked for `request` (POST to a token endpoint, or
    /// with `access_token`).
    fn proof_of(
        &self,
        proof: &[u8],
        request: &impl RequestView,
        access_token: Option<&str>,
    ) -> Result<String, AuthError> {
        let proof = std::str::from_utf8(proof)
            .map_err(|_| AuthError::InvalidDpopProof("the DPoP header is not ASCII"))?;
        let uri = self
            .request_uri(request)
            .ok_or(AuthError::InvalidDpopProof(
                "the request's URI is not known",
            ))?;
        let target = ProofTarget {
            method: request.method(),
            uri: &uri,
            access_token,
        };
        self.check_proof(proof, &target)
    }
}

#[cfg(test)]
mod tests;
