//! Configuration from code or from the `TOKENGATE_*` environment variables (`docs/http-api.md`).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rand::RngCore;

use crate::ckeditor::{CkeditorTokens, MAX_CS_TTL};
use crate::config_error::ConfigError;
use crate::gate::Gate;
use crate::issue::Issuer;
use crate::keys::{Algorithm, Key, KeySet};
use crate::verify::Verifier;

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
    /// `TOKENGATE_ISSUER`.
    pub issuer: String,
    /// `TOKENGATE_AUDIENCE`.
    pub audience: String,
    /// `TOKENGATE_ACCESS_TTL`.
    pub access_ttl: Duration,
    /// `TOKENGATE_REFRESH_TTL`.
    pub refresh_ttl: Duration,
    /// `TOKENGATE_DATABASE_URL`.
    pub database_url: String,
    /// `TOKENGATE_CS_ENVIRONMENT_ID`, `TOKENGATE_CS_ACCESS_KEY`, `TOKENGATE_CS_TTL`; `None`
    /// when not configured (the endpoint then answers 503).
    pub ckeditor: Option<CkeditorConfig>,
    /// `TOKENGATE_CORS_ORIGINS`.
    pub cors_origins: Vec<String>,
}

/// The default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The default database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://tokengate.db";

impl Config {
    /// A configuration with the contract's defaults around `secret`, which is checked
    /// against the algorithm like any other.
    pub fn new(secret: Secret) -> Result<Config, ConfigError> {
        let algorithm = Algorithm::HS256;
        check_secret(algorithm, &secret, "TOKENGATE_SECRET")?;
        Ok(Config {
            addr: DEFAULT_ADDR.parse().expect("default address"),
            token_key: TokenKey::Secret(secret),
            secret_generated: false,
            algorithm,
            key_id: None,
            issuer: "tokengate".into(),
            audience: "tokengate".into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(1_209_600),
            database_url: DEFAULT_DATABASE_URL.into(),
            ckeditor: None,
            cors_origins: Vec::new(),
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
        let dev = match get("TOKENGATE_DEV").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(_) => return Err(ConfigError::new("TOKENGATE_DEV", "must be 1 or 0")),
        };
        let algorithm = match get("TOKENGATE_ALGORITHM") {
            None => Algorithm::HS256,
            Some(name) => name.parse().map_err(|_| {
                ConfigError::new(
                    "TOKENGATE_ALGORITHM",
                    "must be HS256, HS384, HS512 (with TOKENGATE_SECRET) or RS256, PS256, \
                     ES256, EdDSA (with TOKENGATE_PRIVATE_KEY_FILE)",
                )
            })?,
        };
        let key_file = get("TOKENGATE_PRIVATE_KEY_FILE");
        let (token_key, secret_generated) = if algorithm.min_secret_len().is_some() {
            if key_file.is_some() {
                return Err(ConfigError::new(
                    "TOKENGATE_PRIVATE_KEY_FILE",
                    format!(
                        "is set, but TOKENGATE_ALGORITHM is {algorithm}, which signs with \
                         TOKENGATE_SECRET: set TOKENGATE_ALGORITHM to the key's algorithm \
                         (RS256, PS256, ES256 or EdDSA)"
                    ),
                ));
            }
            let (secret, generated) = match get("TOKENGATE_SECRET") {
                Some(value) => (Secret::new(value), false),
                None if dev => (
                    Secret::random(algorithm.min_secret_len().unwrap_or(64)),
                    true,
                ),
                None => {
                    return Err(ConfigError::new(
                        "TOKENGATE_SECRET",
                        format!(
                            "is not set: give at least {} random bytes for {algorithm}, or set \
                             TOKENGATE_DEV=1 to generate a throwaway key for development",
                            algorithm.min_secret_len().unwrap_or(32)
                        ),
                    ))
                }
            };
            check_secret(algorithm, &secret, "TOKENGATE_SECRET")?;
            (TokenKey::Secret(secret), generated)
        } else {
            let Some(path) = key_file else {
                return Err(ConfigError::new(
                    "TOKENGATE_ALGORITHM",
                    format!(
                        "{algorithm} signs with a private key: set TOKENGATE_PRIVATE_KEY_FILE \
                         to its PEM file (tokengate keygen --alg {algorithm} --out DIR writes one)"
                    ),
                ));
            };
            if get("TOKENGATE_SECRET").is_some() {
                return Err(ConfigError::new(
                    "TOKENGATE_SECRET",
                    format!(
                        "is set, but TOKENGATE_ALGORITHM is {algorithm}, which signs with \
                         TOKENGATE_PRIVATE_KEY_FILE: unset one of them"
                    ),
                ));
            }
            (TokenKey::PrivateKey(private_key(algorithm, &path)?), false)
        };

        let mut config = Config::new(Secret::new([0u8; 32]))?;
        config.token_key = token_key;
        config.secret_generated = secret_generated;
        config.algorithm = algorithm;
        config.key_id = match (get("TOKENGATE_KEY_ID"), &config.token_key) {
            (Some(kid), _) => Some(kid),
            (None, TokenKey::PrivateKey(key)) => key.thumbprint(),
            (None, TokenKey::Secret(_)) => None,
        };
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
        if let Some(ttl) = get("TOKENGATE_ACCESS_TTL") {
            config.access_ttl = seconds("TOKENGATE_ACCESS_TTL", &ttl, u64::MAX)?;
        }
        if let Some(ttl) = get("TOKENGATE_REFRESH_TTL") {
            config.refresh_ttl = seconds("TOKENGATE_REFRESH_TTL", &ttl, u64::MAX)?;
        }
        if let Some(url) = get("TOKENGATE_DATABASE_URL") {
            check_database_url(&url)?;
            config.database_url = url;
        }
        let cs_ttl = match get("TOKENGATE_CS_TTL") {
            Some(ttl) => seconds("TOKENGATE_CS_TTL", &ttl, MAX_CS_TTL.as_secs())?,
            None => crate::ckeditor::DEFAULT_CS_TTL,
        };
        config.ckeditor = match (
            get("TOKENGATE_CS_ENVIRONMENT_ID"),
            get("TOKENGATE_CS_ACCESS_KEY"),
        ) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "TOKENGATE_CS_ACCESS_KEY",
                    "is not set, but TOKENGATE_CS_ENVIRONMENT_ID is: set both or neither",
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "TOKENGATE_CS_ENVIRONMENT_ID",
                    "is not set, but TOKENGATE_CS_ACCESS_KEY is: set both or neither",
                ))
            }
            (Some(environment_id), Some(key)) => {
                let access_key = Secret::new(key);
                check_secret(Algorithm::HS256, &access_key, "TOKENGATE_CS_ACCESS_KEY")?;
                Some(CkeditorConfig {
                    environment_id,
                    access_key,
                    ttl: cs_ttl,
                })
            }
        };
        if let Some(origins) = get("TOKENGATE_CORS_ORIGINS") {
            config.cors_origins = parse_origins(&origins)?;
        }
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
    /// publishes (nothing, for a secret).
    pub fn access_keys(&self) -> KeySet {
        KeySet::new(self.access_key())
    }

    /// The verifier of access tokens: the key, issuer and audience of this configuration.
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.access_keys())
            .issuer(&self.issuer)
            .audience(&self.audience)
    }

    /// A gate with the default sources (`Authorization: Bearer`, `x-access-token`).
    pub fn gate(&self) -> Gate {
        Gate::new(self.verifier())
    }

    /// The issuer of access tokens.
    pub fn issuer(&self) -> Issuer {
        Issuer::new(self.access_keys())
            .issuer(&self.issuer)
            .audience(self.audience.as_str())
            .ttl(self.access_ttl)
    }

    /// The CKEditor token issuer, when configured.
    pub fn ckeditor_tokens(&self) -> Option<CkeditorTokens> {
        let cs = self.ckeditor.as_ref()?;
        let tokens = CkeditorTokens::new(&cs.environment_id, cs.access_key.expose())
            .expect("access key checked when loaded");
        Some(tokens.ttl(cs.ttl))
    }
}

fn check_secret(
    alg: Algorithm,
    secret: &Secret,
    variable: &'static str,
) -> Result<(), ConfigError> {
    let min = alg.min_secret_len().unwrap_or(32);
    let actual = secret.expose().len();
    if actual < min {
        return Err(ConfigError::new(
            variable,
            format!("must be at least {min} bytes for {alg}, got {actual}"),
        ));
    }
    Ok(())
}

fn private_key(alg: Algorithm, path: &str) -> Result<Key, ConfigError> {
    let variable = "TOKENGATE_PRIVATE_KEY_FILE";
    let pem = std::fs::read(path)
        .map_err(|e| ConfigError::new(variable, format!("cannot read {path}: {e}")))?;
    Key::from_private_pem(alg, &pem).map_err(|_| {
        ConfigError::new(
            variable,
            format!("{path} is not a {alg} private key in PEM (PKCS#8, PKCS#1 or SEC1)"),
        )
    })
}

fn seconds(variable: &'static str, value: &str, max: u64) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(secs) if secs > 0 && secs <= max => Ok(Duration::from_secs(secs)),
        Ok(secs) if secs > max => Err(ConfigError::new(
            variable,
            format!("must be at most {max} seconds"),
        )),
        _ => Err(ConfigError::new(
            variable,
            "must be a whole number of seconds greater than 0",
        )),
    }
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let ok = url == "sqlite::memory:"
        || (url.starts_with("sqlite:") && url.len() > "sqlite:".len())
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://");
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            "TOKENGATE_DATABASE_URL",
            "must be sqlite://PATH, sqlite::memory: or postgres://…",
        ))
    }
}

fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => {
                    Ok(origin.to_owned())
                }
                _ => Err(ConfigError::new(
                    "TOKENGATE_CORS_ORIGINS",
                    "each origin must look like https://host[:port], without a path",
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    fn refused(vars: &[(&str, &str)]) -> ConfigError {
        load(vars).unwrap_err()
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = load(&[("TOKENGATE_SECRET", SECRET)]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.algorithm, Algorithm::HS256);
        assert_eq!(
            (c.issuer.as_str(), c.audience.as_str()),
            ("tokengate", "tokengate")
        );
        assert_eq!(c.access_ttl.as_secs(), 900);
        assert_eq!(c.refresh_ttl.as_secs(), 1_209_600);
        assert_eq!(c.database_url, "sqlite://tokengate.db");
        assert!(c.ckeditor.is_none() && c.cors_origins.is_empty());
        assert!(c.warnings().is_empty());
    }

    #[test]
    fn a_missing_secret_is_refused_unless_dev() {
        assert_eq!(refused(&[]).variable, "TOKENGATE_SECRET");
        let dev = load(&[("TOKENGATE_DEV", "1")]).unwrap();
        assert!(dev.secret_generated);
        assert!(matches!(&dev.token_key, TokenKey::Secret(s) if s.expose().len() >= 32));
        assert_eq!(dev.warnings().len(), 1);
    }

    #[test]
    fn bad_values_name_their_variable_and_never_echo_secrets() {
        let short = refused(&[("TOKENGATE_SECRET", "hunter2-but-short")]);
        assert_eq!(
            short.to_string(),
            "TOKENGATE_SECRET: must be at least 32 bytes for HS256, got 17"
        );
        let for_512 = refused(&[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_ALGORITHM", "HS512"),
        ]);
        assert!(for_512.reason.contains("64 bytes"), "{for_512}");
        for (var, value) in [
            ("TOKENGATE_ALGORITHM", "none"),
            ("TOKENGATE_ALGORITHM", "RS256"),
            ("TOKENGATE_ADDR", "localhost"),
            ("TOKENGATE_ACCESS_TTL", "15m"),
            ("TOKENGATE_ACCESS_TTL", "0"),
            ("TOKENGATE_REFRESH_TTL", "-1"),
            ("TOKENGATE_CS_TTL", "86401"),
            ("TOKENGATE_DATABASE_URL", "mysql://x"),
            ("TOKENGATE_DATABASE_URL", "tokengate.db"),
            ("TOKENGATE_CORS_ORIGINS", "https://ok.example,example.com"),
            ("TOKENGATE_CORS_ORIGINS", "https://a.example/path"),
            ("TOKENGATE_DEV", "yes"),
        ] {
            let err = refused(&[("TOKENGATE_SECRET", SECRET), (var, value)]);
            assert_eq!(err.variable, var, "{value}");
        }
        let cs = refused(&[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
            ("TOKENGATE_CS_ACCESS_KEY", "tooshort"),
        ]);
        assert_eq!(cs.variable, "TOKENGATE_CS_ACCESS_KEY");
        assert!(!cs.to_string().contains("tooshort"));
        let half = refused(&[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
        ]);
        assert_eq!(half.variable, "TOKENGATE_CS_ACCESS_KEY");
    }

    #[test]
    fn every_variable_is_read() {
        let c = load(&[
            ("TOKENGATE_SECRET", &"s".repeat(48)),
            ("TOKENGATE_ALGORITHM", "HS384"),
            ("TOKENGATE_ADDR", "127.0.0.1:0"),
            ("TOKENGATE_ISSUER", "iss"),
            ("TOKENGATE_AUDIENCE", "aud"),
            ("TOKENGATE_ACCESS_TTL", "60"),
            ("TOKENGATE_REFRESH_TTL", "120"),
            ("TOKENGATE_DATABASE_URL", "sqlite::memory:"),
            ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
            ("TOKENGATE_CS_ACCESS_KEY", SECRET),
            ("TOKENGATE_CS_TTL", "86400"),
            (
                "TOKENGATE_CORS_ORIGINS",
                "http://localhost:3000, https://app.example",
            ),
        ])
        .unwrap();
        assert_eq!(c.algorithm, Algorithm::HS384);
        assert_eq!(c.addr.port(), 0);
        assert_eq!((c.issuer.as_str(), c.audience.as_str()), ("iss", "aud"));
        assert_eq!((c.access_ttl.as_secs(), c.refresh_ttl.as_secs()), (60, 120));
        assert_eq!(c.database_url, "sqlite::memory:");
        let cs = c.ckeditor.as_ref().unwrap();
        assert_eq!(
            (cs.environment_id.as_str(), cs.ttl.as_secs()),
            ("env", 86_400)
        );
        assert_eq!(
            c.cors_origins,
            ["http://localhost:3000", "https://app.example"]
        );
        assert!(!format!("{c:?}").contains(SECRET));
    }

    fn fixture(name: &str) -> String {
        format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn a_private_key_file_signs_and_is_named_by_its_thumbprint() {
        let c = load(&[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
        ])
        .unwrap();
        let key = c.access_key();
        assert!(matches!(c.token_key, TokenKey::PrivateKey(_)));
        assert_eq!(key.algorithm(), Algorithm::ES256);
        assert_eq!(c.key_id.as_deref(), key.kid());
        assert_eq!(key.kid().map(str::len), Some(43), "a SHA-256 thumbprint");
        let jwks = c.access_keys().jwks();
        assert_eq!(jwks.keys.len(), 1);
        assert_eq!(jwks.keys[0].common.key_id, c.key_id);

        let named = load(&[
            ("TOKENGATE_ALGORITHM", "EdDSA"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ed_private.pem")),
            ("TOKENGATE_KEY_ID", "2026-11"),
        ])
        .unwrap();
        assert_eq!(named.access_key().kid(), Some("2026-11"));
    }

    #[test]
    fn private_key_mistakes_name_their_variable() {
        let hmac_with_file = refused(&[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
        ]);
        assert_eq!(hmac_with_file.variable, "TOKENGATE_PRIVATE_KEY_FILE");
        let no_file = refused(&[("TOKENGATE_ALGORITHM", "RS256")]);
        assert_eq!(no_file.variable, "TOKENGATE_ALGORITHM");
        assert!(no_file.reason.contains("TOKENGATE_PRIVATE_KEY_FILE"));
        let both = refused(&[
            ("TOKENGATE_ALGORITHM", "RS256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("rsa_private.pem")),
            ("TOKENGATE_SECRET", SECRET),
        ]);
        assert_eq!(both.variable, "TOKENGATE_SECRET");
        assert!(!both.to_string().contains(SECRET));
        for (alg, file) in [
            ("RS256", "ec_private.pem"),
            ("ES256", "ec_public.pem"),
            ("EdDSA", "no-such-file.pem"),
        ] {
            let err = refused(&[
                ("TOKENGATE_ALGORITHM", alg),
                ("TOKENGATE_PRIVATE_KEY_FILE", &fixture(file)),
            ]);
            assert_eq!(err.variable, "TOKENGATE_PRIVATE_KEY_FILE", "{alg} {file}");
            assert!(err.reason.contains(file), "{err}");
            assert!(!err.reason.contains("PRIVATE KEY-----"), "{err}");
        }
    }
}
