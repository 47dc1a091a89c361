//! Parsing and checking single `TOKENGATE_*` values. Each refusal is a [`ConfigError`] naming
//! its variable; none of them repeats a secret.

use std::time::Duration;

use crate::service::config_error::ConfigError;
use crate::token::keys::{Algorithm, Key, KeyError};

/// `TOKENGATE_DEV`: 1 or 0 (or true or false); unset is 0.
pub(super) fn dev_flag(value: Option<&str>) -> Result<bool, ConfigError> {
    flag("TOKENGATE_DEV", value, false)
}

/// A `1`/`0` (or `true`/`false`) switch; unset is `default`.
pub(super) fn flag(
    variable: &'static str,
    value: Option<&str>,
    default: bool,
) -> Result<bool, ConfigError> {
    match value {
        None => Ok(default),
        Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(_) => Err(ConfigError::new(variable, "must be 1 or 0")),
    }
}

/// `TOKENGATE_ALGORITHM`; unset is HS256.
pub(super) fn algorithm(value: Option<String>) -> Result<Algorithm, ConfigError> {
    match value {
        None => Ok(Algorithm::HS256),
        Some(name) => name.parse().map_err(|_| {
            ConfigError::new(
                "TOKENGATE_ALGORITHM",
                "must be HS256, HS384, HS512 (with TOKENGATE_SECRET) or RS256, RS384, RS512, \
                 PS256, PS384, PS512, ES256, ES384, EdDSA (with TOKENGATE_PRIVATE_KEY_FILE)",
            )
        }),
    }
}

/// Refuses a secret shorter than `alg` requires. The message gives lengths only.
pub(super) fn check_secret(
    alg: Algorithm,
    secret: &[u8],
    variable: &'static str,
) -> Result<(), ConfigError> {
    let min = alg.min_secret_len().unwrap_or(32);
    let actual = secret.len();
    if actual < min {
        return Err(ConfigError::new(
            variable,
            format!("must be at least {min} bytes for {alg}, got {actual}"),
        ));
    }
    Ok(())
}

/// Reads the private key PEM at `path` (`TOKENGATE_PRIVATE_KEY_FILE`). The message names
/// the file, never its contents.
pub(super) fn private_key(alg: Algorithm, path: &str) -> Result<Key, ConfigError> {
    let variable = "TOKENGATE_PRIVATE_KEY_FILE";
    let pem = std::fs::read(path)
        .map_err(|e| ConfigError::new(variable, format!("cannot read {path}: {e}")))?;
    Key::from_private_pem(alg, &pem).map_err(|error| {
        let reason = match error {
            // A key of the right kind that is unsound: say what is wrong with it.
            KeyError::RsaTooSmall { .. } | KeyError::RsaExponent => format!("{path}: {error}"),
            _ => format!("{path} is not a {alg} private key in PEM (PKCS#8, PKCS#1 or SEC1)"),
        };
        ConfigError::new(variable, reason)
    })
}

/// Reads the public key PEM at `path` (e.g. `TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE`), with the
/// same soundness checks as a private key. The message names the file, never its contents.
pub(super) fn public_key(
    alg: Algorithm,
    path: &str,
    variable: &'static str,
) -> Result<Key, ConfigError> {
    let pem = std::fs::read(path)
        .map_err(|e| ConfigError::new(variable, format!("cannot read {path}: {e}")))?;
    Key::from_public_pem(alg, &pem).map_err(|error| {
        let reason = match error {
            KeyError::RsaTooSmall { .. } | KeyError::RsaExponent => format!("{path}: {error}"),
            _ => format!(
                "{path} is not a {alg} public key in PEM (SPKI, or PKCS#1 for RSA; \
                 openssl pkey -in PRIVATE.pem -pubout writes one)"
            ),
        };
        ConfigError::new(variable, reason)
    })
}

/// `TOKENGATE_AUDIT_LOG`: a file path whose folder exists (the file is created, or appended
/// to, when the service starts).
pub(super) fn audit_log_path(path: &str) -> Result<std::path::PathBuf, ConfigError> {
    let path = std::path::PathBuf::from(path);
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() || !folder.is_dir() {
        return Err(ConfigError::new(
            "TOKENGATE_AUDIT_LOG",
            format!("{} must be a file in a folder that exists", path.display()),
        ));
    }
    Ok(path)
}

/// A whole number of seconds from 1 to `max`.
pub(super) fn seconds(
    variable: &'static str,
    value: &str,
    max: u64,
) -> Result<Duration, ConfigError> {
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

/// `TOKENGATE_DATABASE_URL`: a SQLite or PostgreSQL URL, the two stores that ship, whose
/// backend this build has (the `sqlite` and `postgres` features).
pub(crate) fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let sqlite =
        url == "sqlite::memory:" || (url.starts_with("sqlite:") && url.len() > "sqlite:".len());
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let missing = |backend: &str, feature: &str| {
        ConfigError::new(
            "TOKENGATE_DATABASE_URL",
            format!(
                "this build has no {backend} store: turn on the `{feature}` feature of \
                 tokengate (or of your tokengate adapter)"
            ),
        )
    };
    if sqlite {
        if cfg!(feature = "sqlite") {
            Ok(())
        } else {
            Err(missing("SQLite", "sqlite"))
        }
    } else if postgres {
        if cfg!(feature = "postgres") {
            Ok(())
        } else {
            Err(missing("PostgreSQL", "postgres"))
        }
    } else {
        Err(ConfigError::new(
            "TOKENGATE_DATABASE_URL",
            "must be sqlite://PATH, sqlite::memory: or postgres://…",
        ))
    }
}

/// `TOKENGATE_CORS_ORIGINS`: comma-separated `http(s)://host[:port]` origins; blanks are
/// skipped.
pub(super) fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
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

/// `TOKENGATE_PUBLIC_URL`: `http(s)://HOST[:PORT]`, without path, query or user; a trailing
/// `/` is dropped.
pub(super) fn public_url(value: &str) -> Result<String, ConfigError> {
    let refused = || {
        ConfigError::new(
            "TOKENGATE_PUBLIC_URL",
            "must be the scheme, host and port clients use, like https://api.example.com (no path)",
        )
    };
    let url = value.trim().trim_end_matches('/');
    let (scheme, authority) = url.split_once("://").ok_or_else(refused)?;
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let authority_ok = !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@', ' '])
        && authority.is_ascii();
    match scheme_ok && authority_ok {
        true => Ok(url.to_owned()),
        false => Err(refused()),
    }
}
