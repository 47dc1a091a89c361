//! The error of a refused configuration value, shared by every setting the crate reads.

/// A configuration value that was refused, naming the variable it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The variable, e.g. `TOKENGATE_SECRET`.
    pub variable: &'static str,
    /// What was wrong with it; never the secret value itself.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            variable,
            reason: reason.into(),
        }
    }
}
