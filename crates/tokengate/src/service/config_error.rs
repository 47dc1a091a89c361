//! The error of a refused configuration value, shared by every setting the crate reads.

use std::fmt;

/// A configuration value that was refused, naming the variable it came from.
///
/// Its `Debug` form is its one-line `Display` form, so that `main` returning
/// `Result<(), Box<dyn Error>>` prints `Error: TOKENGATE_SECRET: must be at least 32 bytes
/// for HS256, got 5` rather than the struct. To stop the way `tokengate serve` does (one line,
/// exit status 2, as clap's usage errors), end start-up with [`exit`](ConfigError::exit):
///
/// ```no_run
/// use tokengate::Config;
///
/// let config = Config::from_env().unwrap_or_else(|error| error.exit());
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The variable, e.g. `TOKENGATE_SECRET`.
    pub variable: &'static str,
    /// What was wrong with it; never the secret value itself.
    pub reason: String,
}

impl ConfigError {
    /// A refused value of `variable`, for settings an app reads itself (a verify-only app's
    /// secret), so that they fail the same way as tokengate's own.
    pub fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            variable,
            reason: reason.into(),
        }
    }

    /// Prints `error: VARIABLE: reason` as one line on standard error and exits the process
    /// with status 2, the status of a usage error (`tokengate serve`, clap, most Unix tools):
    /// what a program should do when its settings are refused before it starts serving.
    pub fn exit(&self) -> ! {
        eprintln!("error: {}", self.one_line());
        std::process::exit(2)
    }

    /// The `Display` form with any line break of a wrapped library message folded away.
    fn one_line(&self) -> String {
        self.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::ConfigError;

    #[test]
    fn debug_reads_like_display_so_main_prints_one_line() {
        let error = ConfigError::new(
            "TOKENGATE_SECRET",
            "must be at least 32 bytes for HS256, got 5",
        );
        let expected = "TOKENGATE_SECRET: must be at least 32 bytes for HS256, got 5";
        assert_eq!(format!("{error:?}"), expected);
        assert_eq!(error.to_string(), expected);
        let boxed: Box<dyn std::error::Error> = Box::new(error);
        assert_eq!(format!("{boxed:?}"), expected);
    }

    #[test]
    fn the_exit_line_folds_a_wrapped_reason() {
        let error = ConfigError::new("TOKENGATE_DATABASE_URL", "cannot open:\n  disk  full");
        assert_eq!(
            error.one_line(),
            "TOKENGATE_DATABASE_URL: cannot open: disk full"
        );
    }
}
