//! [`Setup`]: what an adapter that sets itself up (Rocket's fairing) starts from, and what
//! it opens: the gate, the service and the CORS origins of the configuration.

use crate::gate::decision::Gate;
#[cfg(feature = "accounts")]
use crate::service::config::Config;
use crate::service::config_error::ConfigError;
#[cfg(feature = "accounts")]
use crate::service::token_service::TokenService;

/// Where the gate (and, with the account service, the routes) come from.
#[derive(Debug, Clone)]
pub enum Setup {
    /// Verify-only: this gate, no service.
    Gate(Gate),
    /// A service that is already open; no CORS origins.
    #[cfg(feature = "accounts")]
    Service(TokenService),
    /// A configuration: the store is opened by [`open`](Setup::open).
    #[cfg(feature = "accounts")]
    Config(Box<Config>),
}

/// What [`Setup::open`] opened.
#[derive(Debug)]
pub struct Opened {
    /// The gate for the guards.
    pub gate: Gate,
    /// The service for the routes, unless verify-only.
    #[cfg(feature = "accounts")]
    pub service: Option<TokenService>,
    /// `TOKENGATE_CORS_ORIGINS` of a configuration (none otherwise).
    pub cors_origins: Vec<String>,
    /// The configuration's warnings (see [`Config::warnings`](crate::Config::warnings)), to log.
    pub warnings: Vec<&'static str>,
}

impl Setup {
    /// Opens the service of a configuration ([`TokenService::connect`]), or takes what was
    /// given.
    pub async fn open(&self) -> Result<Opened, ConfigError> {
        let opened = |gate, cors_origins, warnings| Opened {
            gate,
            #[cfg(feature = "accounts")]
            service: None,
            cors_origins,
            warnings,
        };
        match self {
            Setup::Gate(gate) => Ok(opened(gate.clone(), Vec::new(), Vec::new())),
            #[cfg(feature = "accounts")]
            Setup::Service(service) => Ok(Opened {
                service: Some(service.clone()),
                ..opened(service.gate().clone(), Vec::new(), Vec::new())
            }),
            #[cfg(feature = "accounts")]
            Setup::Config(config) => {
                let service = TokenService::connect(config).await?;
                let origins = config.cors_origins.clone();
                Ok(Opened {
                    service: Some(service.clone()),
                    ..opened(service.gate().clone(), origins, config.warnings())
                })
            }
        }
    }
}

/// A structured configuration value (TOML, Rocket's figment, JSON) as the text of its
/// `TOKENGATE_*` variable: strings as they are, booleans `1` or `0`, numbers, and lists joined
/// by commas (`cors_origins = ["https://a", "https://b"]`); `None` for a table or null.
///
/// ```
/// use serde_json::json;
/// assert_eq!(tokengate::service::setting_text(&json!(["https://a", "https://b"])).unwrap(), "https://a,https://b");
/// assert_eq!(tokengate::service::setting_text(&json!(true)).unwrap(), "1");
/// assert_eq!(tokengate::service::setting_text(&json!(900)).unwrap(), "900");
/// assert!(tokengate::service::setting_text(&json!({"a": 1})).is_none());
/// ```
pub fn setting_text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(yes) => Some(if *yes { "1" } else { "0" }.to_owned()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(setting_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Null | Value::Object(_) => None,
    }
}
