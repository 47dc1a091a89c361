//! The account service's wire types (what clients send and receive) and the rules their
//! fields must meet. Passwords and refresh tokens never appear in `Debug` output.

use serde::{Deserialize, Serialize};

use super::store::User;
use crate::service::api_error::ApiError;

/// A signup request: `{"name", "email", "password"}`.
#[derive(Clone, Deserialize)]
pub struct Signup {
    /// Display name.
    pub name: String,
    /// E-mail address; unique without regard to case.
    pub email: String,
    /// At least 8 characters.
    pub password: String,
}

/// Login credentials, from HTTP Basic, a form or JSON.
#[derive(Clone, Deserialize)]
pub struct Credentials {
    /// E-mail address, matched without regard to case.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A refresh request: `{"refresh_token"}`.
#[derive(Clone, Deserialize)]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh.
    pub refresh_token: String,
}

/// A password change: `{"current_password","new_password"}`.
#[derive(Clone, Deserialize)]
pub struct PasswordChange {
    /// The password the user has now.
    pub current_password: String,
    /// The new one, under the signup rules.
    pub new_password: String,
}

/// An RFC 7009 revocation request: `token=…` and an optional `token_type_hint`.
#[derive(Clone, Deserialize)]
pub struct RevokeRequest {
    /// A refresh token or an access token of this service.
    pub token: String,
    /// `refresh_token` or `access_token`, as RFC 7009 allows; not needed, since an access
    /// token (a JWT, with dots) and a refresh token (without) are told apart by their shape.
    pub token_type_hint: Option<String>,
}

/// One of the user's live logins, as `GET /sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSummary {
    /// The session id (the `sid` of its access tokens): what `DELETE /sessions/{id}` takes.
    pub id: String,
    /// When the login started, in seconds since the Unix epoch.
    pub created_at: u64,
    /// When its refresh token was last issued (the login or the latest refresh).
    pub last_used_at: u64,
    /// Whether this is the login of the token that asked.
    pub current: bool,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RevokeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevokeRequest")
            .field("token_type_hint", &self.token_type_hint)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Signup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signup")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// What a client may see of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUser {
    /// The user id (`sub` of their tokens).
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
}

impl From<&User> for PublicUser {
    fn from(user: &User) -> Self {
        PublicUser {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
        }
    }
}

/// The answer of `/login` and `/refresh` (RFC 6749 section 5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    /// The access token (a JWT).
    pub access_token: String,
    /// `Bearer`, or `DPoP` when the access token is bound to a DPoP key (`cnf.jkt`).
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// An opaque refresh token, spent by its first use.
    pub refresh_token: String,
}

/// Longest password accepted: hashing is deliberately slow, so unbounded input is a lever.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The form of an e-mail address used for lookups and uniqueness: lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks the fields of `signup`, trimmed, in the order name, email, password. Returns the
/// trimmed name and email.
pub(super) fn validate_signup(signup: &Signup) -> Result<(&str, &str), ApiError> {
    let name = signup.name.trim();
    let email = signup.email.trim();
    validate_name(name)?;
    validate_email(email)?;
    validate_password(&signup.password)?;
    Ok((name, email))
}

fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name must be at most 200 characters, without control characters",
        ));
    }
    Ok(())
}

fn validate_email(email: &str) -> Result<(), ApiError> {
    let invalid = || ApiError::invalid("email is not a valid address");
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(())
}

pub(super) fn validate_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid("password must be at least 8 characters"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid("password must be at most 1024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org", "Zoë@exämple.de"] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@.b.co", "a@b.co.", "a b@c.de", "a@b..co", "a@b@c.de",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_rules_count_characters() {
        assert!(validate_password("1234567").is_err());
        assert!(validate_password("12345678").is_ok());
        assert!(
            validate_password("ééééééé").is_err(),
            "7 characters, 14 bytes"
        );
        assert!(validate_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn debug_never_shows_passwords_or_refresh_tokens() {
        let signup = Signup {
            name: "n".into(),
            email: "e@x.co".into(),
            password: "hunter2hunter2".into(),
        };
        let credentials = Credentials {
            email: "e@x.co".into(),
            password: "hunter2hunter2".into(),
        };
        let refresh = RefreshRequest {
            refresh_token: "rt-secret-value".into(),
        };
        let shown = format!("{signup:?} {credentials:?} {refresh:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("rt-secret"),
            "{shown}"
        );
    }
}
