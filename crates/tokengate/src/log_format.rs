//! `TOKENGATE_LOG_FORMAT`: how the binaries write their logs.

use std::fmt;
use std::str::FromStr;

use crate::service::config_error::ConfigError;

/// The format of a binary's log lines on standard error. Whatever the format, a log line
/// never carries a token, secret or password, and durations are integer microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines; colours only when standard error is a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl LogFormat {
    /// The variable that sets it.
    pub const VARIABLE: &'static str = "TOKENGATE_LOG_FORMAT";

    /// From `TOKENGATE_LOG_FORMAT` (`text`, the default, or `json`). Any other value is an
    /// error naming the variable, for the binary to stop on.
    pub fn from_env() -> Result<LogFormat, ConfigError> {
        match std::env::var(Self::VARIABLE) {
            Ok(value) if !value.is_empty() => value.parse(),
            _ => Ok(LogFormat::Text),
        }
    }
}

impl FromStr for LogFormat {
    type Err = ConfigError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(ConfigError::new(
                LogFormat::VARIABLE,
                "must be `text` or `json`",
            )),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_only() {
        assert_eq!("text".parse(), Ok(LogFormat::Text));
        assert_eq!("json".parse(), Ok(LogFormat::Json));
        let error = "JSON".parse::<LogFormat>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "TOKENGATE_LOG_FORMAT: must be `text` or `json`"
        );
    }
}
