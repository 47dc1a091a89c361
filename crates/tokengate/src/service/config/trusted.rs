//! `TOKENGATE_TRUSTED_ISSUERS`, `TOKENGATE_TRUSTED_AUDIENCE`, `TOKENGATE_TRUSTED_TOKEN_TYPE`
//! and `TOKENGATE_INSECURE_HTTP_ISSUERS`: the OpenID Connect providers whose access tokens are
//! accepted too (resource-server mode).

use super::{Config, Vars};
use crate::service::config_error::ConfigError;

const ISSUERS: &str = "TOKENGATE_TRUSTED_ISSUERS";
const AUDIENCE: &str = "TOKENGATE_TRUSTED_AUDIENCE";
const INSECURE: &str = "TOKENGATE_INSECURE_HTTP_ISSUERS";
const TOKEN_TYPE: &str = "TOKENGATE_TRUSTED_TOKEN_TYPE";

/// Reads the four variables into `config`; `config.issuer` must be read already.
pub(super) fn read(config: &mut Config, get: Vars<'_>) -> Result<(), ConfigError> {
    config.insecure_http_issuers = match get(INSECURE).as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(ConfigError::new(INSECURE, "must be 1 or 0")),
    };
    let issuers = list(get(ISSUERS));
    let audience = get(AUDIENCE);
    let token_type = get(TOKEN_TYPE);
    if issuers.is_empty() {
        if audience.is_some() {
            return Err(ConfigError::new(
                AUDIENCE,
                "is set, but TOKENGATE_TRUSTED_ISSUERS is not: set both or neither",
            ));
        }
        if token_type.is_some() {
            return Err(ConfigError::new(
                TOKEN_TYPE,
                "is set, but TOKENGATE_TRUSTED_ISSUERS is not: it only applies to their tokens",
            ));
        }
        return Ok(());
    }
    let Some(audience) = audience else {
        return Err(ConfigError::new(
            AUDIENCE,
            "is not set, but TOKENGATE_TRUSTED_ISSUERS is: give the audience (aud) that the \
             providers' access tokens carry for this API",
        ));
    };
    let audiences = list(Some(audience));
    if audiences.is_empty() {
        return Err(ConfigError::new(
            AUDIENCE,
            "names no audience: give one, or several separated by commas",
        ));
    }
    let token_type = token_type.map(|typ| check_token_type(&typ)).transpose()?;
    for issuer in &issuers {
        check_issuer(config, issuer)?;
    }
    check_fetchable(config, &issuers)?;
    config.trusted_issuers = issuers;
    config.trusted_audiences = audiences;
    config.trusted_token_type = token_type;
    Ok(())
}

/// The entries of a comma-separated list, trimmed, empty ones skipped.
fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `TOKENGATE_TRUSTED_TOKEN_TYPE`: a media type, `subtype` (`application/` implied, RFC 7515
/// section 4.1.9) or `type/subtype`, each name made of the characters RFC 6838 section 4.2
/// allows.
fn check_token_type(value: &str) -> Result<String, ConfigError> {
    let name = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && part.len() <= 127
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    let valid = match value.split_once('/') {
        Some((kind, subtype)) => name(kind) && name(subtype),
        None => name(value),
    };
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::new(
            TOKEN_TYPE,
            format!(
                "{value:?} is not a media type: give the header typ the providers' tokens carry, \
                 e.g. at+jwt (RFC 9068) or application/at+jwt"
            ),
        ))
    }
}

fn check_issuer(config: &Config, issuer: &str) -> Result<(), ConfigError> {
    if issuer == config.issuer {
        return Err(ConfigError::new(
            ISSUERS,
            format!(
                "{issuer:?} is also TOKENGATE_ISSUER: the app's own tokens and a provider's \
                 must have different issuers"
            ),
        ));
    }
    if issuer.starts_with("http://") && !config.insecure_http_issuers {
        return Err(ConfigError::new(
            ISSUERS,
            format!(
                "{issuer:?} is plain http: use https (or set TOKENGATE_INSECURE_HTTP_ISSUERS=1 \
                 for a provider on loopback in tests)"
            ),
        ));
    }
    if !issuer.starts_with("https://") && !issuer.starts_with("http://") {
        return Err(ConfigError::new(
            ISSUERS,
            format!("{issuer:?} is not an https URL"),
        ));
    }
    Ok(())
}

/// Whether the issuers can be fetched: URLs that parse, in a build that can fetch at all.
fn check_fetchable(config: &Config, issuers: &[String]) -> Result<(), ConfigError> {
    #[cfg(feature = "remote-keys")]
    return crate::token::remote::TrustedIssuers::discover(issuers, config.insecure_http_issuers)
        .map(drop)
        .map_err(|error| ConfigError::new(ISSUERS, error.to_string()));
    #[cfg(not(feature = "remote-keys"))]
    {
        let _ = (config, issuers);
        Err(ConfigError::new(
            ISSUERS,
            "is set, but this build has no remote-keys feature to fetch the providers' keys",
        ))
    }
}

impl Config {
    /// What the trusted issuers' tokens must carry: one of
    /// [`trusted_audiences`](Self::trusted_audiences) in `aud`, and the
    /// [`trusted_token_type`](Self::trusted_token_type) as `typ` when set.
    #[cfg(feature = "remote-keys")]
    pub fn trusted_rules(&self) -> crate::token::remote::TrustedRules {
        let rules =
            crate::token::remote::TrustedRules::audiences(self.trusted_audiences.iter().cloned());
        match &self.trusted_token_type {
            Some(typ) => rules.require_typ(typ.as_str()),
            None => rules,
        }
    }

    /// The trusted issuers of this configuration, with key sources that have fetched
    /// nothing yet; `None` when there are none. Each call makes new key sources: start the
    /// fetching on the gate that uses them ([`Gate::spawn_key_refreshers`](crate::Gate::spawn_key_refreshers)).
    ///
    /// # Panics
    ///
    /// When an issuer is not a URL that may be fetched, which [`Config::from_lookup`] has
    /// already refused.
    #[cfg(feature = "remote-keys")]
    pub fn trusted_issuers(&self) -> Option<crate::token::remote::TrustedIssuers> {
        if self.trusted_issuers.is_empty() {
            return None;
        }
        let issuers = crate::token::remote::TrustedIssuers::discover(
            &self.trusted_issuers,
            self.insecure_http_issuers,
        )
        .expect("trusted issuers are checked when the configuration is read");
        Some(issuers)
    }
}
