//! Configuration from code or from the `TOKENGATE_*` environment variables (`docs/http-api.md`).
//!
//! This module holds [`Config`] and how it is read, variable group by variable group; the
//! checks of single values live in `parse`.

mod argon2;
mod keys;
mod parse;
mod policy_file;
#[cfg(test)]
mod tests;
mod trusted;

use keys::{previous_key, token_key};
pub(crate) use parse::check_database_url;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rand::RngCore;

use crate::ckeditor::{CkeditorTokens, DEFAULT_CS_TTL, MAX_CS_TTL};
use crate::gate::builder::GateBuilder;
use crate::gate::decision::Gate;
use crate::gate::gateway::Policy;
use crate::gate::session::SessionCookies;
use crate::service::accounts::password::PasswordHasher;
use crate::service::config_error::ConfigError;
use crate::token::issue::Issuer;
use crate::token::keys::{Algorithm, Key, KeySet};
use crate::token::verify::Verifier;

/// A secret value. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// A fresh random secret of `len` bytes.
    pub fn random(len: usize) -> Self {
        let mut bytes = vec![0u8; len];
        rand::rng().fill_bytes(&mut bytes);
        Secret(bytes)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

/// What signs and verifies the app's own access tokens.
#[derive(Debug, Clone)]
pub enum TokenKey {
    /// `TOKENGATE_SECRET`, with `TOKENGATE_ALGORITHM` HS256, HS384 or HS512.
    Secret(Secret),
    /// The key of `TOKENGATE_PRIVATE_KEY_FILE`, with `TOKENGATE_ALGORITHM` RS256, PS256, ES256
    /// or EdDSA. Its public half is published as a JWKS document.
    PrivateKey(Key),
}

/// CKEditor Cloud Services settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CkeditorConfig {
    /// The environment ID: the `aud` of Cloud Services tokens.
    pub environment_id: String,
    /// The access key that signs them (HS256).
    pub access_key: Secret,
    /// Their lifetime, at most 24 hours.
    pub ttl: Duration,
}

/// Everything a reference app or `tokengate serve` needs, with the documented defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TOKENGATE_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `TOKENGATE_SECRET` or `TOKENGATE_PRIVATE_KEY_FILE`: the key of access tokens.
    pub token_key: TokenKey,
    /// Whether the secret was generated because `TOKENGATE_DEV=1` and none was given.
    pub secret_generated: bool,
    /// `TOKENGATE_ALGORITHM`.
    pub algorithm: Algorithm,
    /// `TOKENGATE_KEY_ID`: the `kid` of issued tokens and of the published key. For a private
    /// key it defaults to the key's RFC 7638 thumbprint, so that a JWKS client can pick the
    /// key out of a set after rotation.
    pub key_id: Option<String>,
    /// `TOKENGATE_PREVIOUS_SECRET` (or `TOKENGATE_PREVIOUS_SECRET_FILE`) or
    /// `TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE`, named by `TOKENGATE_PREVIOUS_KEY_ID`: the key of
    /// a rotation's previous generation. It still verifies the app's own tokens (until they
    /// expire) but never signs; a public key is published beside the current one.
    pub previous_key: Option<Key>,
    /// `TOKENGATE_ISSUER`.
    pub issuer: String,
    /// `TOKENGATE_AUDIENCE`.
    pub audience: String,
    /// `TOKENGATE_ACCESS_TTL`.
    pub access_ttl: Duration,
    /// `TOKENGATE_REFRESH_TTL`.
    pub refresh_ttl: Duration,
    /// `TOKENGATE_REFRESH_GRACE`: how long a just-spent refresh token, presented again (by
    /// another tab refreshing at the same moment), gets the same successor instead of ending
    /// its login; zero turns the grace off.
    pub refresh_grace: Duration,
    /// `TOKENGATE_DATABASE_URL`.
    pub database_url: String,
    /// `TOKENGATE_CS_ENVIRONMENT_ID`, `TOKENGATE_CS_ACCESS_KEY`, `TOKENGATE_CS_TTL`; `None`
    /// when not configured (the endpoint then answers 503).
    pub ckeditor: Option<CkeditorConfig>,
    /// `TOKENGATE_CORS_ORIGINS`.
    pub cors_origins: Vec<String>,
    /// `TOKENGATE_COOKIE_SECURE`: whether the session cookies carry `Secure` (on unless set
    /// to `0`, for plain-HTTP development).
    pub cookie_secure: bool,
    /// `TOKENGATE_TRUSTED_ISSUERS`: OpenID Connect providers whose access tokens are also
    /// accepted (needs the `remote-keys` feature).
    pub trusted_issuers: Vec<String>,
    /// `TOKENGATE_TRUSTED_AUDIENCE`: the audiences (comma-separated in the variable) of which
    /// the trusted issuers' tokens must carry at least one in `aud`; empty without trusted
    /// issuers.
    pub trusted_audiences: Vec<String>,
    /// `TOKENGATE_TRUSTED_TOKEN_TYPE`: the header `typ` the trusted issuers' tokens must have
    /// (e.g. `at+jwt`, compared as a media type); `None` accepts any `typ`, or none.
    pub trusted_token_type: Option<String>,
    /// `TOKENGATE_INSECURE_HTTP_ISSUERS`: whether `http://` trusted issuers are allowed.
    pub insecure_http_issuers: bool,
    /// `TOKENGATE_AUTHZ_POLICY`: the gateway's rules (`/authz`), read from the TOML file the
    /// variable names; without it, every request the gateway is asked about needs a valid
    /// token.
    pub authz_policy: Policy,
    /// `TOKENGATE_ARGON2_MEMORY_KIB`, `_ITERATIONS` and `_PARALLELISM`: the Argon2id cost of
    /// new password hashes (stored hashes verify with their own, and are re-made with these
    /// at their next successful login).
    pub argon2: ::argon2::Params,
    /// `TOKENGATE_AUDIT_LOG`: the JSON Lines file security events are appended to.
    pub audit_log: Option<std::path::PathBuf>,
    /// `TOKENGATE_ARGON2_QUEUE`: how many password checks may wait for a worker before
    /// `/login`, `/signup` and `/session` answer 503; `None` lets the workers measure how
    /// many they can start within a few seconds.
    pub argon2_queue: Option<usize>,
    /// `TOKENGATE_METRICS`: whether `GET /metrics` serves the Prometheus metrics (off unless
    /// set to `1`).
    pub metrics: bool,
    /// `TOKENGATE_PUBLIC_URL`: the scheme, host and port clients use, the base of the URI a
    /// DPoP proof names; `None` takes `http://` and each request's `Host`.
    pub public_url: Option<String>,
    /// `TOKENGATE_DPOP_NONCE`: whether DPoP proofs must carry a server nonce (off unless set
    /// to `1`).
    pub dpop_nonce: bool,
}

/// The default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The refresh grace unless configured (`TOKENGATE_REFRESH_GRACE`): 10 seconds.
pub const DEFAULT_REFRESH_GRACE: Duration = Duration::from_secs(10);
/// The default database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://tokengate.db";

impl Config {
    /// A configuration with the contract's defaults around `secret`, which is checked
    /// against the algorithm like any other.
    pub fn new(secret: Secret) -> Result<Config, ConfigError> {
        let algorithm = Algorithm::HS256;
        parse::check_secret(algorithm, secret.expose(), "TOKENGATE_SECRET")?;
        Ok(Config {
            addr: DEFAULT_ADDR.parse().expect("default address"),
            token_key: TokenKey::Secret(secret),
            secret_generated: false,
            algorithm,
            key_id: None,
            previous_key: None,
            issuer: "tokengate".into(),
            audience: "tokengate".into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(1_209_600),
            refresh_grace: DEFAULT_REFRESH_GRACE,
            database_url: DEFAULT_DATABASE_URL.into(),
            ckeditor: None,
            cors_origins: Vec::new(),
            cookie_secure: true,
            trusted_issuers: Vec::new(),
            trusted_audiences: Vec::new(),
            trusted_token_type: None,
            insecure_http_issuers: false,
            authz_policy: Policy::default(),
            argon2: ::argon2::Params::default(),
            argon2_queue: None,
            audit_log: None,
            metrics: false,
            public_url: None,
            dpop_nonce: false,
        })
    }

    /// Reads the `TOKENGATE_*` variables of the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the `TOKENGATE_*` variables through `lookup` (for tests, or another source
    /// such as a config file, layered by the caller).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        // The variables are checked in a fixed order, so that a configuration with several
        // mistakes always reports the same one first.
        let dev = parse::dev_flag(get("TOKENGATE_DEV").as_deref())?;
        let algorithm = parse::algorithm(get("TOKENGATE_ALGORITHM"))?;
        let (token_key, secret_generated) = token_key(&get, algorithm, dev)?;

        let mut config = Config::new(Secret::new([0u8; 32]))?;
        config.token_key = token_key;
        config.secret_generated = secret_generated;
        config.algorithm = algorithm;
        config.key_id = match (get("TOKENGATE_KEY_ID"), &config.token_key) {
            (Some(kid), _) => Some(kid),
            (None, TokenKey::PrivateKey(key)) => key.thumbprint(),
            (None, TokenKey::Secret(_)) => None,
        };
        config.previous_key = previous_key(&get, &config)?;
        read_addr_and_names(&mut config, &get)?;
        read_lifetimes(&mut config, &get)?;
        if let Some(url) = get("TOKENGATE_DATABASE_URL") {
            parse::check_database_url(&url)?;
            config.database_url = url;
        }
        trusted::read(&mut config, &get)?;
        config.ckeditor = ckeditor_config(&get)?;
        if let Some(origins) = get("TOKENGATE_CORS_ORIGINS") {
            config.cors_origins = parse::parse_origins(&origins)?;
        }
        if let Some(path) = get("TOKENGATE_AUTHZ_POLICY") {
            config.authz_policy = policy_file::read(&path)?;
        }
        config.argon2 = argon2::params(&get)?;
        config.argon2_queue = argon2::queue(&get)?;
        config.audit_log = get("TOKENGATE_AUDIT_LOG")
            .map(|path| parse::audit_log_path(&path))
            .transpose()?;
        config.public_url = get("TOKENGATE_PUBLIC_URL")
            .map(|url| parse::public_url(&url))
            .transpose()?;
        config.dpop_nonce = parse::flag(
            "TOKENGATE_DPOP_NONCE",
            get("TOKENGATE_DPOP_NONCE").as_deref(),
            false,
        )?;
        config.metrics = parse::flag(
            "TOKENGATE_METRICS",
            get("TOKENGATE_METRICS").as_deref(),
            false,
        )?;
        config.cookie_secure = parse::flag(
            "TOKENGATE_COOKIE_SECURE",
            get("TOKENGATE_COOKIE_SECURE").as_deref(),
            true,
        )?;
        Ok(config)
    }

    /// Lines to print at start-up, such as the warning for a generated secret.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut warnings = Vec::new();
        if self.secret_generated {
            warnings.push(
                "warning: TOKENGATE_DEV=1 and no TOKENGATE_SECRET: using a random key for this \
                 run only; tokens will not survive a restart. Never use this in production.",
            );
        }
        warnings
    }

    /// The key of access tokens, named [`key_id`](Config::key_id) when set.
    pub fn access_key(&self) -> Key {
        let key = match &self.token_key {
            TokenKey::Secret(secret) => {
                Key::hmac(self.algorithm, secret.expose()).expect("secret checked when loaded")
            }
            TokenKey::PrivateKey(key) => key.clone(),
        };
        match &self.key_id {
            Some(kid) => key.with_kid(kid.as_str()),
            None => key,
        }
    }

    /// The keys of access tokens: what the verifier accepts and `/.well-known/jwks.json`
    /// publishes (nothing, for a secret): the current key, which signs, and the
    /// [`previous_key`](Self::previous_key), which only verifies.
    pub fn access_keys(&self) -> KeySet {
        let keys = KeySet::new(self.access_key());
        match &self.previous_key {
            Some(previous) => keys.with_verify_only(previous.clone()),
            None => keys,
        }
    }

    /// The verifier of access tokens: the key, issuer and audience of this configuration.
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.access_keys())
            .issuer(&self.issuer)
            .audience(&self.audience)
    }

    /// A gate as the reference service has it: `Authorization: Bearer`, then
    /// `x-access-token`, then the session cookie, with the CSRF rule for cookies.
    pub fn gate(&self) -> Gate {
        self.gate_builder().build()
    }

    /// The builder of [`gate`](Self::gate), to change more (e.g. share a revocation list).
    /// With trusted issuers (feature `remote-keys`), the gate accepts their tokens too; its
    /// keys are fetched once `Gate::spawn_key_refreshers` runs.
    pub fn gate_builder(&self) -> GateBuilder {
        let mut builder = Gate::builder(self.verifier()).cookie_sessions();
        if let Some(url) = &self.public_url {
            builder = builder.public_url(url.as_str());
        }
        #[cfg(feature = "remote-keys")]
        if let Some(issuers) = self.trusted_issuers() {
            return builder.trusted_issuers(issuers, self.trusted_rules());
        }
        builder
    }

    /// How the browser-session routes write their cookies: as long-lived as the refresh
    /// token, `Secure` unless [`cookie_secure`](Self::cookie_secure) is off.
    pub fn session_cookies(&self) -> SessionCookies {
        SessionCookies::new(self.refresh_ttl.as_secs()).secure(self.cookie_secure)
    }

    /// The issuer of access tokens.
    pub fn issuer(&self) -> Issuer {
        Issuer::new(self.access_keys())
            .issuer(&self.issuer)
            .audience(self.audience.as_str())
            .ttl(self.access_ttl)
    }

    /// The password hasher: [`argon2`](Self::argon2) on one worker per CPU, with the
    /// [`argon2_queue`](Self::argon2_queue) bound.
    pub fn password_hasher(&self) -> PasswordHasher {
        let hasher = PasswordHasher::new(self.argon2.clone());
        match self.argon2_queue {
            Some(bound) => hasher.max_waiting(bound),
            None => hasher,
        }
    }

    /// The CKEditor token issuer, when configured.
    pub fn ckeditor_tokens(&self) -> Option<CkeditorTokens> {
        let cs = self.ckeditor.as_ref()?;
        let tokens = CkeditorTokens::new(&cs.environment_id, cs.access_key.expose())
            .expect("access key checked when loaded");
        Some(tokens.ttl(cs.ttl))
    }
}

/// Reads one variable; an empty value counts as unset.
type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `TOKENGATE_ADDR`, `TOKENGATE_ISSUER` and `TOKENGATE_AUDIENCE`.
fn read_addr_and_names(config: &mut Config, get: Vars<'_>) -> Result<(), ConfigError> {
    if let Some(addr) = get("TOKENGATE_ADDR") {
        config.addr = addr.parse().map_err(|_| {
            ConfigError::new("TOKENGATE_ADDR", "must be an address like 127.0.0.1:8080")
        })?;
    }
    if let Some(issuer) = get("TOKENGATE_ISSUER") {
        config.issuer = issuer;
    }
    if let Some(audience) = get("TOKENGATE_AUDIENCE") {
        config.audience = audience;
    }
    Ok(())
}

/// A grace longer than this would let a stolen spent token pass for minutes.
const MAX_REFRESH_GRACE_SECS: u64 = 300;

/// `TOKENGATE_ACCESS_TTL`, `TOKENGATE_REFRESH_TTL` and `TOKENGATE_REFRESH_GRACE`.
fn read_lifetimes(config: &mut Config, get: Vars<'_>) -> Result<(), ConfigError> {
    if let Some(ttl) = get("TOKENGATE_ACCESS_TTL") {
        config.access_ttl = parse::seconds("TOKENGATE_ACCESS_TTL", &ttl, u64::MAX)?;
    }
    if let Some(ttl) = get("TOKENGATE_REFRESH_TTL") {
        config.refresh_ttl = parse::seconds("TOKENGATE_REFRESH_TTL", &ttl, u64::MAX)?;
    }
    if let Some(grace) = get("TOKENGATE_REFRESH_GRACE") {
        config.refresh_grace = match grace.trim().parse::<u64>() {
            Ok(secs) if secs <= MAX_REFRESH_GRACE_SECS => Duration::from_secs(secs),
            _ => {
                return Err(ConfigError::new(
                    "TOKENGATE_REFRESH_GRACE",
                    format!("must be a whole number of seconds from 0 to {MAX_REFRESH_GRACE_SECS}"),
                ))
            }
        };
    }
    Ok(())
}

/// `TOKENGATE_CS_TTL`, `TOKENGATE_CS_ENVIRONMENT_ID` and `TOKENGATE_CS_ACCESS_KEY`: both of
/// the last two or neither, since one without the other cannot issue a token.
fn ckeditor_config(get: Vars<'_>) -> Result<Option<CkeditorConfig>, ConfigError> {
    let ttl = match get("TOKENGATE_CS_TTL") {
        Some(ttl) => parse::seconds("TOKENGATE_CS_TTL", &ttl, MAX_CS_TTL.as_secs())?,
        None => DEFAULT_CS_TTL,
    };
    match (
        get("TOKENGATE_CS_ENVIRONMENT_ID"),
        get("TOKENGATE_CS_ACCESS_KEY"),
    ) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::new(
            "TOKENGATE_CS_ACCESS_KEY",
            "is not set, but TOKENGATE_CS_ENVIRONMENT_ID is: set both or neither",
        )),
        (None, Some(_)) => Err(ConfigError::new(
            "TOKENGATE_CS_ENVIRONMENT_ID",
            "is not set, but TOKENGATE_CS_ACCESS_KEY is: set both or neither",
        )),
        (Some(environment_id), Some(key)) => {
            let access_key = Secret::new(key);
            parse::check_secret(
                Algorithm::HS256,
                access_key.expose(),
                "TOKENGATE_CS_ACCESS_KEY",
            )?;
            Ok(Some(CkeditorConfig {
                environment_id,
                access_key,
                ttl,
            }))
        }
    }
}
