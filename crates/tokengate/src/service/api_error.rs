//! The failures of the service routes (signup, login, refresh, logout, `/cs-token`, …), each
//! with the status and code.

use std::borrow::Cow;

use crate::gate::problem::Problem;
use crate::token::error::AuthError;

/// The largest request body the service routes accept: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A route failure. Adapters render it through [`Gate::render`](crate::Gate::render) after
/// [`ApiError::to_problem`], so every framework answers the same.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A bearer failure.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The body is not valid JSON or form data, lacks a field, or a value is unacceptable.
    #[error("{0}")]
    InvalidRequest(Cow<'static, str>),
    /// The body is larger than allowed.
    #[error("the request body is larger than {max} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        max: usize,
    },
    /// The body could not be read to its end (a broken transfer encoding, a cut connection).
    #[error("the request body could not be read")]
    UnreadableBody,
    /// An account with this e-mail address already exists.
    #[error("an account with this email already exists")]
    Conflict,
    /// Unknown e-mail or wrong password: deliberately the same answer.
    #[error("the email or password is not correct")]
    InvalidCredentials,
    /// The current password given to change it is wrong (the user is signed in, so this is
    /// a refusal of the action, not of the credentials: 403).
    #[error("the current password is not correct")]
    WrongPassword,
    /// Nothing at this id for this user (e.g. a session that is not one of the user's live
    /// logins).
    #[error("there is no such {0} among yours")]
    NotFound(&'static str),
    /// Too many failed logins for this e-mail address.
    #[error("too many failed logins for this account; try again later")]
    TooManyAttempts {
        /// Seconds until a login may be tried again.
        retry_after: u64,
    },
    /// The refresh token is unknown, expired, spent or revoked.
    #[error("the refresh token is not valid")]
    InvalidRefreshToken,
    /// The store cannot be reached; nothing was changed and no token was issued.
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable,
    /// Too many password checks are waiting for a worker; nothing was checked or changed.
    #[error("too many logins are being checked right now; try again in {retry_after} s")]
    Busy {
        /// Seconds until the workers are expected to have caught up.
        retry_after: u64,
    },
    /// A token endpoint's DPoP proof lacks the server's current nonce (RFC 9449 section 8):
    /// 400 `use_dpop_nonce`, with the nonce in a `DPoP-Nonce` header.
    #[error("the DPoP proof must carry the nonce of the DPoP-Nonce header")]
    UseDpopNonce {
        /// The nonce the client should put in its next proof.
        nonce: String,
    },
    /// A feature is not configured (e.g. `/cs-token` without CKEditor keys).
    #[error("{0}")]
    NotConfigured(Cow<'static, str>),
}

impl ApiError {
    /// The problem to render, with status, code, message and headers.
    pub fn to_problem(&self, realm: &str) -> Problem {
        let (status, code) = match self {
            ApiError::Auth(auth) => return auth.to_problem(realm),
            ApiError::InvalidRequest(_) => (422, "invalid_request"),
            ApiError::PayloadTooLarge { .. } => (413, "payload_too_large"),
            ApiError::UnreadableBody => (400, "invalid_request"),
            ApiError::Conflict => (409, "conflict"),
            ApiError::InvalidCredentials => (401, "invalid_credentials"),
            ApiError::WrongPassword => (403, "invalid_credentials"),
            ApiError::NotFound(_) => (404, "not_found"),
            ApiError::TooManyAttempts { .. } => (429, "too_many_attempts"),
            ApiError::InvalidRefreshToken => (401, "invalid_token"),
            ApiError::Unavailable | ApiError::Busy { .. } => (503, "unavailable"),
            ApiError::NotConfigured(_) => (503, "not_configured"),
            ApiError::UseDpopNonce { .. } => (400, "use_dpop_nonce"),
        };
        let problem = Problem::new(status, code, self.to_string());
        match self {
            ApiError::TooManyAttempts { retry_after } | ApiError::Busy { retry_after } => {
                problem.with_header("retry-after", retry_after.to_string())
            }
            ApiError::Unavailable => problem.with_header("retry-after", "5"),
            ApiError::UseDpopNonce { nonce } => {
                problem.with_header(crate::gate::dpop::DPOP_NONCE_HEADER, nonce.clone())
            }
            // The rest of the body is never read, so the connection cannot carry another
            // request: say so, or a client reusing it has its next request cut off.
            ApiError::PayloadTooLarge { .. } | ApiError::UnreadableBody => {
                problem.with_header("connection", "close")
            }
            _ => problem,
        }
    }

    /// An [`ApiError::InvalidRequest`] with a fixed message.
    pub fn invalid(message: &'static str) -> Self {
        ApiError::InvalidRequest(Cow::Borrowed(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_follow_the_contract() {
        let cases = [
            (ApiError::invalid("x"), 422, "invalid_request"),
            (
                ApiError::PayloadTooLarge { max: 1 },
                413,
                "payload_too_large",
            ),
            (ApiError::UnreadableBody, 400, "invalid_request"),
            (ApiError::Conflict, 409, "conflict"),
            (ApiError::InvalidCredentials, 401, "invalid_credentials"),
            (ApiError::WrongPassword, 403, "invalid_credentials"),
            (ApiError::NotFound("session"), 404, "not_found"),
            (
                ApiError::TooManyAttempts { retry_after: 7 },
                429,
                "too_many_attempts",
            ),
            (ApiError::InvalidRefreshToken, 401, "invalid_token"),
            (ApiError::Unavailable, 503, "unavailable"),
            (ApiError::Busy { retry_after: 2 }, 503, "unavailable"),
            (ApiError::NotConfigured("x".into()), 503, "not_configured"),
            (ApiError::Auth(AuthError::Expired), 401, "token_expired"),
        ];
        for (error, status, code) in cases {
            let problem = error.to_problem("tokengate");
            assert_eq!((problem.status, problem.code), (status, code), "{error:?}");
        }
        let throttled = ApiError::TooManyAttempts { retry_after: 7 }.to_problem("r");
        assert_eq!(throttled.headers, [("retry-after", "7".to_owned())]);
        let busy = ApiError::Busy { retry_after: 2 }.to_problem("r");
        assert_eq!(busy.headers, [("retry-after", "2".to_owned())]);
    }
}
