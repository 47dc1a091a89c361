//! The token service as framework-neutral request handlers: each takes what an adapter can
//! read off a request and returns the [`HttpReply`] to send. Adapters only translate.

mod cookie_routes;
mod session_routes;

use std::sync::Arc;
use std::time::Duration;

use crate::ckeditor::{CkeditorTokens, CsPrincipal};
use crate::gate::decision::Gate;
use crate::gate::dpop::DpopNonces;
use crate::gate::gateway::{Gateway, Policy};
use crate::gate::reply::HttpReply;
use crate::gate::revocation::RevocationList;
use crate::gate::session::SessionCookies;
use crate::gate::source::RequestView;
use crate::service::accounts::{
    Accounts, Credentials, LoginThrottle, RefreshRequest, Signup, SqlStore, TokenPair, TokenStore,
};
use crate::service::api_error::ApiError;
use crate::service::audit::AuditLog;
use crate::service::body::{basic_credentials_of, ReadBody};
use crate::service::config::{check_database_url, Config};
use crate::service::config_error::ConfigError;
use crate::service::discovery;
use crate::service::principals::{PrincipalResolver, StorePrincipals};
use crate::telemetry::{Metrics, METRICS_CONTENT_TYPE};
use crate::token::claims::Claims;
use crate::token::error::AuthError;

/// How often each instance reloads revocations written by the others: the safety net behind
/// PostgreSQL's push (`LISTEN`/`NOTIFY`), and the only path on SQLite.
pub const REVOCATION_SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// The whole reference service behind one cheap clone: the gate, the accounts, the
/// CKEditor token issuer and the principal resolver.
#[derive(Clone)]
pub struct TokenService {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    gate: Gate,
    accounts: Accounts,
    ckeditor: Option<CkeditorTokens>,
    principals: Arc<dyn PrincipalResolver>,
    /// The JWKS response of the gate's public keys, built once; `None` for secrets.
    jwks: Option<HttpReply>,
    /// The discovery document, built once; `None` when the service is no provider.
    discovery: Option<HttpReply>,
    /// The `GET /openapi.json` response, built once.
    openapi: HttpReply,
    /// How the browser-session routes write their cookies.
    cookies: SessionCookies,
    /// The gate under the gateway's policy, answering `/authz`.
    gateway: Gateway,
    /// What `GET /metrics` renders: the gate's metrics, if it records any.
    metrics: Option<Metrics>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("gate", &self.inner.gate)
            .field("ckeditor", &self.inner.ckeditor.is_some())
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// Opens the store of `config` (creating an SQLite file, applying migrations), loads the
    /// revocations in force and keeps them in sync in the background. Must run inside a
    /// tokio runtime. A store that cannot be opened is a [`ConfigError`] naming
    /// `TOKENGATE_DATABASE_URL`.
    pub async fn connect(config: &Config) -> Result<TokenService, ConfigError> {
        // A `Config` built in code skipped `from_env`'s check of the URL.
        check_database_url(&config.database_url)?;
        let store = SqlStore::connect(&config.database_url)
            .await
            .map_err(|e| ConfigError {
                variable: "TOKENGATE_DATABASE_URL",
                reason: format!("cannot open the database: {}", store_reason(&e)),
            })?;
        let revocations = Arc::new(RevocationList::new());
        let metrics = config.metrics.then(Metrics::new);
        let mut gate = config.gate_builder().revocations(revocations.clone());
        if let Some(metrics) = &metrics {
            gate = gate.metrics(metrics.clone());
        }
        if config.dpop_nonce {
            // The store's secret: every instance on it hands out and accepts the same nonces.
            let secret = store.successor_secret().await.map_err(|e| ConfigError {
                variable: "TOKENGATE_DATABASE_URL",
                reason: format!("cannot read the store's secret: {}", store_reason(&e)),
            })?;
            gate = gate.dpop_nonces(DpopNonces::new(&secret));
        }
        let gate = gate.build();
        // The providers' keys load in the background: start-up never waits for them.
        #[cfg(feature = "remote-keys")]
        gate.spawn_key_refreshers();
        let shared = store.is_postgres();
        let mut accounts = Accounts::new(store.clone(), config, revocations.clone());
        if let Some(path) = &config.audit_log {
            let log = AuditLog::open(path).map_err(|error| {
                ConfigError::new(
                    "TOKENGATE_AUDIT_LOG",
                    format!("cannot open {} for appending: {error}", path.display()),
                )
            })?;
            accounts = accounts.audit_log(Arc::new(log));
        }
        if let Some(metrics) = metrics {
            accounts = accounts.metrics(metrics);
        }
        if shared {
            // Instances on one PostgreSQL count failed logins together.
            accounts = accounts.login_throttle(LoginThrottle::default().shared(store));
        }
        // A restarted instance must refuse what was revoked before it started.
        accounts.sync_revocations().await.map_err(|e| ConfigError {
            variable: "TOKENGATE_DATABASE_URL",
            reason: format!("cannot read revocations: {e}"),
        })?;
        accounts.spawn_revocation_sync(REVOCATION_SYNC_INTERVAL);
        #[cfg(feature = "postgres")]
        if shared {
            // Revocations written by other instances arrive at once, not at the next sync.
            crate::service::accounts::feed::spawn(
                config.database_url.clone(),
                accounts.clone(),
                revocations.clone(),
            );
        }
        Ok(TokenService::new(gate, accounts, config.ckeditor_tokens())
            .with_session_cookies(config.session_cookies())
            .with_gateway_policy(config.authz_policy.clone()))
    }

    /// A service from its parts. `gate` and `accounts` should share one revocation list.
    pub fn new(gate: Gate, accounts: Accounts, ckeditor: Option<CkeditorTokens>) -> TokenService {
        let principals = Arc::new(StorePrincipals::new(accounts.users().clone()));
        let jwks = discovery::jwks_reply(&gate);
        let discovery = discovery::document_reply(accounts.token_issuer(), jwks.is_some());
        let cookies = SessionCookies::new(accounts.refresh_ttl_secs());
        let gateway = Gateway::new(gate.clone(), Policy::default());
        TokenService {
            inner: Arc::new(Inner {
                metrics: gate.metrics().cloned(),
                gateway,
                gate,
                accounts,
                ckeditor,
                principals,
                jwks,
                discovery,
                openapi: HttpReply::json(200, &crate::service::openapi::service_document()),
                cookies,
            }),
        }
    }

    /// Replaces how `/cs-token` learns who the user is.
    pub fn with_principals(self, resolver: impl PrincipalResolver) -> TokenService {
        self.changed(|inner| inner.principals = Arc::new(resolver))
    }

    /// Replaces the document `GET /openapi.json` serves (by default
    /// [`openapi::service_document`](crate::service::openapi::service_document), the routes of the
    /// adapters' `routes()`), e.g. with one that also describes the app's own routes.
    pub fn with_openapi(self, document: &serde_json::Value) -> TokenService {
        self.changed(|inner| inner.openapi = HttpReply::json(200, document))
    }

    /// Replaces how the browser-session routes write their cookies (e.g. without `Secure`
    /// for plain-HTTP development: `TOKENGATE_COOKIE_SECURE=0`).
    pub fn with_session_cookies(self, cookies: SessionCookies) -> TokenService {
        self.changed(|inner| inner.cookies = cookies)
    }

    /// Replaces the gateway's policy (by default none: every request `/authz` is asked about
    /// needs a valid token); `TOKENGATE_AUTHZ_POLICY` sets it in [`connect`](Self::connect).
    pub fn with_gateway_policy(self, policy: Policy) -> TokenService {
        self.changed(|inner| inner.gateway = Gateway::new(inner.gate.clone(), policy))
    }

    /// Keeps `GET /metrics` off the service's routes (a 404 there, as with metrics off) while
    /// the gate and the accounts go on recording: for an app that serves
    /// [`Gate::metrics`]'s [`render`](Metrics::render) on a private port of its own.
    pub fn with_private_metrics(self) -> TokenService {
        self.changed(|inner| inner.metrics = None)
    }

    fn changed(self, change: impl FnOnce(&mut Inner)) -> TokenService {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        change(&mut inner);
        TokenService {
            inner: Arc::new(inner),
        }
    }

    /// The gate that guards routes.
    pub fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// The gateway: the gate under the policy of `/authz`.
    pub fn gateway(&self) -> &Gateway {
        &self.inner.gateway
    }

    /// The account service.
    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    /// The response for any failure, in the gate's error format.
    pub fn error(&self, error: impl Into<ApiError>) -> HttpReply {
        let gate = &self.inner.gate;
        gate.render(&error.into().to_problem(gate.realm()))
    }

    /// `GET /healthz`: 200 `{"status":"ok"}` when the store answers, else 503.
    pub async fn healthz(&self) -> HttpReply {
        match self.inner.accounts.health().await {
            Ok(()) => HttpReply::json(200, &serde_json::json!({"status": "ok"})),
            Err(error) => self.error(error),
        }
    }

    /// `GET /.well-known/jwks.json`: the public keys that verify access tokens, for services
    /// that check them without sharing a secret. A service signing with a secret publishes
    /// nothing and answers the JSON 404 of an unknown route.
    pub fn jwks(&self) -> HttpReply {
        match &self.inner.jwks {
            Some(reply) => reply.clone(),
            None => self
                .inner
                .gate
                .render(&crate::gate::problem::Problem::not_found()),
        }
    }

    /// `GET /.well-known/openid-configuration`: the OpenID Connect discovery document
    /// (`issuer`, `jwks_uri`, `id_token_signing_alg_values_supported`,
    /// `subject_types_supported`), so that another app may trust this service's tokens
    /// through `TOKENGATE_TRUSTED_ISSUERS`. When the issuer is not an `http(s)://` URL, or no
    /// key is published (tokens signed with a secret), the service is no provider and
    /// answers the JSON 404 of an unknown route.
    pub fn openid_configuration(&self) -> HttpReply {
        match &self.inner.discovery {
            Some(reply) => reply.clone(),
            None => self
                .inner
                .gate
                .render(&crate::gate::problem::Problem::not_found()),
        }
    }

    /// `GET /openapi.json`: the OpenAPI 3.1 document of the service, the same bytes on
    /// every request and every framework.
    pub fn openapi(&self) -> HttpReply {
        self.inner.openapi.clone()
    }

    /// `GET /metrics`: the gate's metrics in the Prometheus text format, 404 when it records
    /// none (`TOKENGATE_METRICS` unset).
    pub fn metrics(&self) -> HttpReply {
        match &self.inner.metrics {
            Some(metrics) => HttpReply {
                content_type: METRICS_CONTENT_TYPE.into(),
                ..HttpReply::text(metrics.render())
            },
            None => self
                .inner
                .gate
                .render(&crate::gate::problem::Problem::not_found()),
        }
    }

    /// `POST /signup`: 201 with the new user. `body` is what the adapter read of the body;
    /// its `Content-Type` comes from `request`.
    pub async fn signup(&self, request: &impl RequestView, body: ReadBody<'_>) -> HttpReply {
        let result = async {
            let signup: Signup = body.with_type(request)?.parse()?;
            self.inner.accounts.signup(signup).await
        };
        match result.await {
            Ok(user) => HttpReply::json(201, &user),
            Err(error) => self.error(error),
        }
    }

    /// `POST /login`: HTTP Basic when the `Authorization` header carries it, else the body.
    pub async fn login(&self, request: &impl RequestView, body: ReadBody<'_>) -> HttpReply {
        match self.login_pair(request, body).await {
            Ok(pair) => no_store(HttpReply::json(200, &pair)),
            Err(error) => self.error(error),
        }
    }

    pub(super) async fn login_pair(
        &self,
        request: &impl RequestView,
        body: ReadBody<'_>,
    ) -> Result<TokenPair, ApiError> {
        // The body is checked first, so an oversized one is 413 whatever the header says.
        let body = body.with_type(request)?;
        let credentials = match basic_credentials_of(request)? {
            Some(credentials) => credentials,
            None => body.parse::<Credentials>()?,
        };
        let key = self.proven_key(request)?;
        self.inner.accounts.login_bound(credentials, key).await
    }

    /// The DPoP key a request for tokens proved it holds: `None` without a `DPoP` header, a
    /// 401 `invalid_dpop_proof` for a header that is no valid proof for this request.
    pub(super) fn proven_key(
        &self,
        request: &impl RequestView,
    ) -> Result<Option<String>, ApiError> {
        match self.inner.gate.dpop().proven_key(request).transpose() {
            // At a token endpoint the missing nonce is a 400 (RFC 9449 section 8).
            Err(AuthError::UseDpopNonce { nonce }) => Err(ApiError::UseDpopNonce { nonce }),
            other => Ok(other?),
        }
    }

    /// `POST /refresh`: a new pair for a live refresh token.
    pub async fn refresh(&self, request: &impl RequestView, body: ReadBody<'_>) -> HttpReply {
        let result = async {
            let refresh: RefreshRequest = body.with_type(request)?.parse()?;
            let key = self.proven_key(request)?;
            self.inner.accounts.refresh_proven(refresh, key).await
        };
        match result.await {
            Ok(pair) => no_store(HttpReply::json(200, &pair)),
            Err(error) => self.error(error),
        }
    }

    /// `POST /logout` with verified claims: 204.
    pub async fn logout(&self, claims: &Claims) -> HttpReply {
        if let Some(refused) = self.own_tokens_only(claims) {
            return refused;
        }
        match self.inner.accounts.logout(claims).await {
            Ok(()) => HttpReply::empty(204),
            Err(error) => self.error(error),
        }
    }

    /// `GET /users/me` with verified claims.
    pub async fn me(&self, claims: &Claims) -> HttpReply {
        if let Some(refused) = self.own_tokens_only(claims) {
            return refused;
        }
        match self.inner.accounts.me(claims).await {
            Ok(user) => HttpReply::json(200, &user),
            Err(error) => self.error(error),
        }
    }

    /// `GET /cs-token` with verified claims: a CKEditor Cloud Services token as
    /// `text/plain`, or 503 `not_configured`.
    pub async fn cs_token(&self, claims: &Claims) -> HttpReply {
        let Some(tokens) = &self.inner.ckeditor else {
            return self.error(ApiError::NotConfigured(
                "CKEditor Cloud Services is not configured: set TOKENGATE_CS_ENVIRONMENT_ID \
                 and TOKENGATE_CS_ACCESS_KEY"
                    .into(),
            ));
        };
        let principal = if self.inner.gate.trusts(claims.iss.as_deref()) {
            CsPrincipal::from_provider_claims(claims).map_err(ApiError::from)
        } else {
            self.inner.principals.resolve(claims).await
        };
        let principal = match principal {
            Ok(principal) => principal,
            Err(error) => return self.error(error),
        };
        match tokens.issue(&principal) {
            Ok(issued) => no_store(HttpReply::text(issued.token)),
            Err(_) => self.error(ApiError::Unavailable),
        }
    }
}

impl TokenService {
    /// The account routes (`/users/me`, `/logout`, `DELETE /session`) are for the service's
    /// own tokens: a trusted issuer's token there is 401 `invalid_token`.
    fn own_tokens_only(&self, claims: &Claims) -> Option<HttpReply> {
        self.inner
            .gate
            .trusts(claims.iss.as_deref())
            .then(|| self.error(AuthError::WrongIssuer))
    }
}

fn store_reason(error: &crate::service::accounts::StoreError) -> String {
    match error {
        crate::service::accounts::StoreError::Unavailable(reason) => reason.clone(),
        other => other.to_string(),
    }
}

/// Token responses must not be cached (RFC 6749 section 5.1).
fn no_store(mut reply: HttpReply) -> HttpReply {
    reply.headers.push(("cache-control", "no-store".to_owned()));
    reply.headers.push(("pragma", "no-cache".to_owned()));
    reply
}
