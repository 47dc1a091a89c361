//! Why keys could not be fetched.

/// Why a provider's keys could not be fetched, or a remote key source not be made. Never
/// contains key material or response bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteKeysError {
    /// The URL does not parse.
    #[error("{0:?} is not a URL")]
    InvalidUrl(String),
    /// The URL is not `https` (and `http` was not allowed).
    #[error("{0:?} is not an https URL (plain http is only allowed when set explicitly)")]
    InsecureUrl(String),
    /// The provider could not be reached, or the connection failed.
    #[error("{url} could not be fetched: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What failed, as the HTTP client says it.
        reason: String,
    },
    /// The answer did not come within the timeout.
    #[error("{url} did not answer within the timeout")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// The answer's status was not 2xx.
    #[error("{url} answered with status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The answer was larger than the size cap.
    #[error("{url} answered with more than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The JWKS answer is not a JWK set.
    #[error("{url} did not answer with a JWK set (a JSON object with a \"keys\" array)")]
    NotAJwkSet {
        /// The URL.
        url: String,
    },
    /// The discovery document is not JSON with string `issuer` and `jwks_uri` members.
    #[error("{url} is not an OpenID Connect discovery document with issuer and jwks_uri")]
    NotADiscoveryDocument {
        /// The URL.
        url: String,
    },
    /// The discovery document names another issuer than the configured one.
    #[error("the discovery document of {expected:?} names the issuer {found:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The `issuer` member of the document.
        found: String,
    },
    /// The fetch was interrupted (its task panicked or the runtime shut down).
    #[error("the key fetch was interrupted")]
    Interrupted,
}

impl RemoteKeysError {
    pub(super) fn from_reqwest(url: &reqwest::Url, error: reqwest::Error) -> RemoteKeysError {
        let url = url.to_string();
        if error.is_timeout() {
            return RemoteKeysError::Timeout { url };
        }
        // The outermost message with its causes, without the URL reqwest repeats in it.
        let error = error.without_url();
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        RemoteKeysError::Unreachable { url, reason }
    }
}
