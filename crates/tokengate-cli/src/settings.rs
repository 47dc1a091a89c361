//! Where `serve` and the store commands read their settings, first match wins: flags, then
//! the `--config` file, then `TOKENGATE_*` variables, then the defaults. What is written on
//! the command line (a flag, or the file it names) is the most specific wish, so it beats
//! the ambient environment.

use std::collections::HashMap;
use std::path::Path;
use tokengate::{Config, ConfigError};

/// Settings given as flags, by their variable name (`TOKENGATE_ADDR`…).
pub type Flags = Vec<(&'static str, String)>;

/// Loads the configuration. A config file holds the same settings as the variables, named
/// without the prefix in lower case (`secret`, `addr`, `database_url`, `cs_environment_id`…).
pub fn load(config_file: Option<&Path>, flags: Flags) -> Result<Config, ConfigError> {
    let file = match config_file {
        Some(path) => read_file(path)?,
        None => HashMap::new(),
    };
    let flags: HashMap<&str, String> = flags.into_iter().collect();
    Config::from_lookup(|name| {
        if let Some(value) = flags.get(name) {
            return Some(value.clone());
        }
        let key = name.strip_prefix("TOKENGATE_")?.to_ascii_lowercase();
        if let Some(value) = file.get(&key) {
            return Some(value.clone());
        }
        std::env::var(name).ok()
    })
}

fn read_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let error = |reason: String| ConfigError {
        variable: "--config",
        reason,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        error(format!(
            "{} is not valid TOML: {}",
            path.display(),
            e.message()
        ))
    })?;
    table
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => if b { "1" } else { "0" }.to_owned(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| item.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                _ => {
                    return Err(error(format!(
                        "`{key}` must be a string, number, boolean or list"
                    )))
                }
            };
            Ok((key.to_ascii_lowercase(), value))
        })
        .collect()
}
