//! `TOKENGATE_TRUSTED_ISSUERS`, `TOKENGATE_TRUSTED_AUDIENCE` and
//! `TOKENGATE_INSECURE_HTTP_ISSUERS`: the OpenID Connect providers whose access tokens are
//! accepted too (resource-server mode).

use super::{Config, Vars};
use crate::config_error::ConfigError;

const ISSUERS: &str = "TOKENGATE_TRUSTED_ISSUERS";
const AUDIENCE: &str = "TOKENGATE_TRUSTED_AUDIENCE";
const INSECURE: &str = "TOKENGATE_INSECURE_HTTP_ISSUERS";

/// Reads the three variables into `config`; `config.issuer` must be read already.
pub(super) fn read(config: &mut Config, get: Vars<'_>) -> Result<(), ConfigError> {
    config.insecure_http_issuers = match get(INSECURE).as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(ConfigError::new(INSECURE, "must be 1 or 0")),
    };
    let issuers: Vec<String> = get(ISSUERS)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|issuer| !issuer.is_empty())
        .map(str::to_owned)
        .collect();
    let audience = get(AUDIENCE);
    if issuers.is_empty() {
        if audience.is_some() {
            return Err(ConfigError::new(
                AUDIENCE,
                "is set, but TOKENGATE_TRUSTED_ISSUERS is not: set both or neither",
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
    for issuer in &issuers {
        check_issuer(config, issuer)?;
    }
    check_fetchable(config, &issuers)?;
    config.trusted_issuers = issuers;
    config.trusted_audience = Some(audience);
    Ok(())
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
    return crate::remote::TrustedIssuers::discover(issuers, config.insecure_http_issuers)
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
    /// The trusted issuers of this configuration, with key sources that have fetched
    /// nothing yet; `None` when there are none. Each call makes new key sources: start the
    /// fetching on the gate that uses them ([`Gate::spawn_key_refreshers`](crate::Gate::spawn_key_refreshers)).
    ///
    /// # Panics
    ///
    /// When an issuer is not a URL that may be fetched, which [`Config::from_lookup`] has
    /// already refused.
    #[cfg(feature = "remote-keys")]
    pub fn trusted_issuers(&self) -> Option<crate::remote::TrustedIssuers> {
        if self.trusted_issuers.is_empty() {
            return None;
        }
        let issuers = crate::remote::TrustedIssuers::discover(
            &self.trusted_issuers,
            self.insecure_http_issuers,
        )
        .expect("trusted issuers are checked when the configuration is read");
        Some(issuers)
    }
}
