//! [`GateBuilder`]: a gate's settings, each with its default until changed.

use std::sync::Arc;

use crate::gate::dpop::{Dpop, DpopNonces};
use crate::gate::problem::{ErrorFormat, JsonErrors, SharedErrorFormat};
use crate::gate::revocation::RevocationList;
use crate::gate::session::ACCESS_COOKIE;
use crate::gate::source::{TokenSource, TokenSources};
#[cfg(feature = "remote-keys")]
use crate::gate::trusted::Trusted;
#[cfg(feature = "metrics")]
use crate::telemetry::Metrics;
use crate::token::verify::Verifier;

/// The realm of the `WWW-Authenticate` challenge unless configured otherwise.
pub const DEFAULT_REALM: &str = "tokengate";

/// Builds a [`Gate`](crate::gate::Gate): the gate's settings, each with its default until changed.
pub struct GateBuilder {
    pub(in crate::gate) settings: Settings,
}

/// A gate's settings: what [`GateBuilder`] fills in and a [`Gate`](crate::gate::Gate) holds.
pub(in crate::gate) struct Settings {
    pub(in crate::gate) verifier: Verifier,
    pub(in crate::gate) sources: TokenSources,
    pub(in crate::gate) csrf: bool,
    pub(in crate::gate) realm: String,
    pub(in crate::gate) errors: SharedErrorFormat,
    pub(in crate::gate) revocations: Arc<RevocationList>,
    pub(in crate::gate) dpop: Dpop,
    #[cfg(feature = "remote-keys")]
    pub(in crate::gate) trusted: Option<Trusted>,
    #[cfg(feature = "metrics")]
    pub(in crate::gate) metrics: Option<Metrics>,
}

impl GateBuilder {
    /// The defaults: see [`Gate::new`](crate::gate::Gate::new).
    pub(in crate::gate) fn new(verifier: Verifier) -> Self {
        let settings = Settings {
            verifier,
            sources: TokenSources::default(),
            csrf: false,
            realm: DEFAULT_REALM.to_owned(),
            errors: Arc::new(JsonErrors),
            revocations: Arc::new(RevocationList::new()),
            dpop: Dpop::default(),
            #[cfg(feature = "remote-keys")]
            trusted: None,
            #[cfg(feature = "metrics")]
            metrics: None,
        };
        GateBuilder { settings }
    }

    /// Where to look for the token, in order.
    pub fn sources(mut self, sources: TokenSources) -> Self {
        self.settings.sources = sources;
        self
    }

    /// Browser sessions, with one setting: also read the token from the `tokengate_access`
    /// cookie (after the headers, so a header wins), and require the double-submit CSRF
    /// header (`X-CSRF-Token` equal to the `tokengate_csrf` cookie) on cookie-authenticated
    /// requests with unsafe methods. See [`session`](crate::gate::session) for the cookies.
    pub fn cookie_sessions(mut self) -> Self {
        let cookie = TokenSource::Cookie(ACCESS_COOKIE.into());
        self.settings.sources = self.settings.sources.then(cookie);
        self.settings.csrf = true;
        self
    }

    /// The realm of the `WWW-Authenticate` challenge.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.settings.realm = realm.into();
        self
    }

    /// Replaces the error body format for every failure the gate renders.
    pub fn error_format(mut self, format: impl ErrorFormat) -> Self {
        self.settings.errors = Arc::new(format);
        self
    }

    /// Shares a revocation list (the account service writes to it on logout).
    pub fn revocations(mut self, revocations: Arc<RevocationList>) -> Self {
        self.settings.revocations = revocations;
        self
    }

    /// Also accepts access tokens of the OpenID Connect providers `issuers` (resource-server
    /// mode): a token whose `iss` is one of them is verified with that issuer's keys only,
    /// and must meet `rules`: one audience (`"https://api.example.com"`), or
    /// [`TrustedRules`](crate::token::remote::TrustedRules) for several audiences and a required
    /// `typ`. Other tokens are verified as before. Start the key fetching with
    /// [`Gate::spawn_key_refreshers`](crate::gate::Gate::spawn_key_refreshers). An empty `issuers` changes nothing.
    #[cfg(feature = "remote-keys")]
    pub fn trusted_issuers(
        mut self,
        issuers: crate::token::remote::TrustedIssuers,
        rules: impl Into<crate::token::remote::TrustedRules>,
    ) -> Self {
        self.settings.trusted = (!issuers.is_empty()).then(|| Trusted::new(issuers, rules.into()));
        self
    }

    /// The base of every request's URI in DPoP proofs: the scheme, host and port clients use
    /// (`https://api.example.com`, `TOKENGATE_PUBLIC_URL`). Without it, `http://` and the
    /// request's `Host`. See [`dpop`](crate::gate::dpop).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.settings.dpop = self.settings.dpop.with_public_url(url.into());
        self
    }

    /// Requires DPoP proofs to carry one of `nonces` (RFC 9449 section 9): a proof without a
    /// current nonce is refused with `use_dpop_nonce` and a `DPoP-Nonce` header. Give every
    /// instance the same [`DpopNonces::new`] secret.
    pub fn dpop_nonces(mut self, nonces: DpopNonces) -> Self {
        self.settings.dpop = self.settings.dpop.with_nonces(nonces);
        self
    }

    /// Records every decision in `metrics`: `tokengate_decisions_total` (each token let
    /// through, and each refusal by its code) and `tokengate_verify_duration_seconds`, and
    /// the age of the trusted issuers' keys at each scrape.
    #[cfg(feature = "metrics")]
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.settings.metrics = Some(metrics);
        self
    }
}
