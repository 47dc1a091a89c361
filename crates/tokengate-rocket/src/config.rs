//! Configuration from the `TOKENGATE_*` variables layered over Rocket's own figment.

use rocket::figment::value::Value;
use rocket::figment::Figment;
use tokengate::{Config, ConfigError};

/// Reads the configuration of the reference service: each `TOKENGATE_*` variable of the
/// environment, else the same key in Rocket's configuration (`[default.tokengate]` in
/// `Rocket.toml` with lower-case keys, or `ROCKET_TOKENGATE_*` variables; see the
/// [guide](crate::guide)). Errors name the `TOKENGATE_*` variable whichever layer the value
/// came from.
///
/// ```
/// let figment = rocket::Config::figment()
///     .merge(("tokengate.secret", "a secret of at least thirty-two bytes"));
/// let config = tokengate_rocket::config_from_figment(&figment).unwrap();
/// assert_eq!(config.issuer, "tokengate");
/// ```
pub fn config_from_figment(figment: &Figment) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.is_empty())
            .or_else(|| from_figment(figment, name))
    })
}

/// `TOKENGATE_CORS_ORIGINS` as `tokengate.cors_origins`, else `tokengate_cors_origins` (what
/// `ROCKET_TOKENGATE_CORS_ORIGINS` becomes).
fn from_figment(figment: &Figment, name: &str) -> Option<String> {
    let key = name.strip_prefix("TOKENGATE_")?.to_ascii_lowercase();
    figment
        .find_value(&format!("tokengate.{key}"))
        .ok()
        .or_else(|| figment.find_value(&format!("tokengate_{key}")).ok())
        .and_then(|value| text(&value))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(_, text) => Some(text.clone()),
        Value::Char(_, c) => Some(c.to_string()),
        Value::Bool(_, b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Num(..) => value
            .to_u128()
            .map(|n| n.to_string())
            .or_else(|| value.to_i128().map(|n| n.to_string()))
            .or_else(|| value.to_f64().map(|n| n.to_string())),
        Value::Array(_, items) => Some(items.iter().filter_map(text).collect::<Vec<_>>().join(",")),
        Value::Empty(..) | Value::Dict(..) => None,
    }
}
