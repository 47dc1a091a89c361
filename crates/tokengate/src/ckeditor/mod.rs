//! CKEditor Cloud Services tokens: the environment ID as `aud`, `iat`, `sub`, `user` and
//! `auth.collaboration`, signed HS256 with the access key, living at most 24 hours.
//!
//! CKEditor's client reads `exp` by decoding the payload with the browser's `atob()`, which
//! refuses the base64url digits `-` and `_`; when that fails it waits a fixed hour before
//! refreshing, so a shorter-lived token would expire in the editor's hands. The payload is
//! therefore written so that its base64url form never contains either digit: every byte of
//! it is ASCII, and the four ASCII characters that can still produce them (`>`, `?`, `~` and
//! DEL) are written as JSON `\u` escapes, as is everything outside ASCII. The claims are the
//! same; only their spelling changes.
//!
//! ```
//! use tokengate::ckeditor::{CkeditorTokens, CsPrincipal};
//! use tokengate::token::{Auth, CsUser};
//!
//! let tokens = CkeditorTokens::new("LJRQ1bju55p6a47RwadH", b"w1lnWEN63FPKxBNmxHN7WpfW2IoYVYca5moqIUKfWesL1Ykwv34iR5xwfWLy").unwrap();
//! let principal = CsPrincipal {
//!     id: "user-123".into(),
//!     user: CsUser { name: Some("Zoë ~ Doe?".into()), email: Some("joe.doe@example.com".into()), ..CsUser::default() },
//!     auth: Auth::writer_everywhere(),
//! };
//! let issued = tokens.issue(&principal).unwrap();
//! let payload = issued.token.split('.').nth(1).unwrap();
//! assert!(!payload.contains('-') && !payload.contains('_'));
//! ```

use std::time::Duration;

use crate::token::claims::{Audience, Claims, NoExtra};
use crate::token::collaboration::{Auth, CsUser, Grant, Permission, Role, ALL_DOCUMENTS};
use crate::token::error::AuthError;
use crate::token::issue::{random_id, IssueError, IssuedToken, Issuer, Payload};
use crate::token::keys::{Algorithm, Key, KeyError};
use crate::token::time::unix_now;

/// CKEditor Cloud Services accepts tokens no older than 24 hours.
pub const MAX_CS_TTL: Duration = Duration::from_secs(86_400);
/// The default lifetime of a Cloud Services token: one hour.
pub const DEFAULT_CS_TTL: Duration = Duration::from_secs(3600);

/// Who a Cloud Services token is for and what they may do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsPrincipal {
    /// The user id: becomes `sub`.
    pub id: String,
    /// Name, e-mail and avatar: becomes `user`.
    pub user: CsUser,
    /// Roles and permissions: becomes `auth`.
    pub auth: Auth,
}

impl CsPrincipal {
    /// The principal of an access token from an OpenID Connect provider (a trusted issuer):
    /// the id is `sub`; the name is the `name` claim, else `sub`; the e-mail is the `email`
    /// claim, if any; the role on every document follows the scopes: `writer` with
    /// `documents:write`, `reader` with `documents:read` only, and
    /// [`InsufficientScope`](AuthError::InsufficientScope) with neither.
    ///
    /// ```
    /// use tokengate::ckeditor::CsPrincipal;
    /// use tokengate::{Claims, DocumentRead};
    /// use tokengate::token::Permission;
    ///
    /// let claims = Claims { scope: Some("openid documents:read".into()), ..Claims::for_subject("svc") };
    /// let principal = CsPrincipal::from_provider_claims(&claims).unwrap();
    /// assert_eq!(principal.user.name.as_deref(), Some("svc"));
    /// assert!(principal.auth.allows("any", &Permission::DOCUMENT_READ));
    /// assert!(!principal.auth.allows("any", &Permission::DOCUMENT_WRITE));
    /// ```
    pub fn from_provider_claims<E>(claims: &Claims<E>) -> Result<CsPrincipal, AuthError> {
        let id = claims.sub.clone().ok_or(AuthError::MissingClaim("sub"))?;
        let has = |wanted: &str| claims.scopes().any(|scope| scope == wanted);
        let role = if has("documents:write") {
            Role::Writer
        } else if has("documents:read") {
            Role::Reader
        } else {
            return Err(AuthError::InsufficientScope {
                permission: Permission::DOCUMENT_READ.name(),
            });
        };
        let user = CsUser {
            name: Some(claims.name.clone().unwrap_or_else(|| id.clone())),
            email: claims.email.clone(),
            ..CsUser::default()
        };
        Ok(CsPrincipal {
            id,
            user,
            auth: Auth::new().grant(ALL_DOCUMENTS, Grant::role(role)),
        })
    }
}

/// Issues CKEditor Cloud Services tokens for one environment.
#[derive(Debug, Clone)]
pub struct CkeditorTokens {
    issuer: Issuer,
}

impl CkeditorTokens {
    /// Tokens for `environment_id`, signed HS256 with `access_key` (at least 32 bytes), with
    /// the default one-hour lifetime.
    pub fn new(environment_id: impl Into<String>, access_key: &[u8]) -> Result<Self, KeyError> {
        let key = Key::hmac(Algorithm::HS256, access_key)?;
        let issuer = Issuer::new(key)
            .audience(Audience::One(environment_id.into()))
            .ttl(DEFAULT_CS_TTL)
            .max_ttl(MAX_CS_TTL)
            .atob_safe(true);
        Ok(CkeditorTokens { issuer })
    }

    /// Sets the lifetime; anything over 24 hours is capped at 24 hours.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.issuer = self.issuer.ttl(ttl);
        self
    }

    /// The effective lifetime in seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.issuer.ttl_secs()
    }

    /// Issues a token for `principal` now.
    pub fn issue(&self, principal: &CsPrincipal) -> Result<IssuedToken, IssueError> {
        self.issue_at(principal, unix_now())
    }

    /// Issues a token for `principal` as of `now`.
    pub fn issue_at(&self, principal: &CsPrincipal, now: u64) -> Result<IssuedToken, IssueError> {
        let jti = random_id();
        let exp = self.issuer.expiry(None, now);
        // Written from the principal as it is: nothing is copied into claims first.
        let payload = Payload {
            sub: Some(&principal.id),
            user: Some(&principal.user),
            auth: Some(&principal.auth),
            ..Payload::new(exp, now, &jti, &NoExtra {})
        };
        let token = self.issuer.sign(payload)?;
        Ok(IssuedToken {
            token,
            jti,
            issued_at: now,
            expires_at: exp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const KEY: &[u8] = b"w1lnWEN63FPKxBNmxHN7WpfW2IoYVYca5moqIUKfWesL1Ykwv34iR5xwfWLy";

    #[test]
    fn a_providers_token_names_its_user_and_its_role_follows_the_scope() {
        let claims: Claims = serde_json::from_str(
            r#"{"sub":"u7","name":"Ada L.","email":"ada@example.com",
                "scope":"openid documents:read documents:write"}"#,
        )
        .unwrap();
        let principal = CsPrincipal::from_provider_claims(&claims).unwrap();
        assert_eq!(principal.id, "u7");
        assert_eq!(principal.user.name.as_deref(), Some("Ada L."));
        assert_eq!(principal.user.email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            principal.auth,
            Auth::new().grant(ALL_DOCUMENTS, Grant::role(Role::Writer))
        );

        let reader: Claims =
            serde_json::from_str(r#"{"sub":"u8","scope":"documents:read"}"#).unwrap();
        let principal = CsPrincipal::from_provider_claims(&reader).unwrap();
        assert_eq!(principal.user.name.as_deref(), Some("u8"));
        assert_eq!(principal.user.email, None);
        assert_eq!(
            principal.auth,
            Auth::new().grant(ALL_DOCUMENTS, Grant::role(Role::Reader))
        );

        let neither: Claims = serde_json::from_str(r#"{"sub":"u9","scope":"openid"}"#).unwrap();
        let refused = CsPrincipal::from_provider_claims(&neither).unwrap_err();
        assert_eq!(refused.code(), "insufficient_scope");
    }

    fn principal(name: &str, avatar: &str) -> CsPrincipal {
        CsPrincipal {
            id: "user-123".into(),
            user: CsUser {
                id: None,
                name: Some(name.into()),
                email: Some("joe.doe@example.com".into()),
                avatar: Some(avatar.into()),
            },
            auth: Auth::new().grant("doc~1?", Grant::role(Role::Reader)),
        }
    }

    #[test]
    fn payload_has_the_cloud_services_claims() {
        let tokens = CkeditorTokens::new("LJRQ1bju55p6a47RwadH", KEY).unwrap();
        let issued = tokens
            .issue_at(&principal("Joe", "http://x/a.png"), 1_700_000_000)
            .unwrap();
        let parts: Vec<&str> = issued.token.split('.').collect();
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg":"HS256","typ":"JWT"}));
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["aud"], "LJRQ1bju55p6a47RwadH");
        assert_eq!(payload["iat"], 1_700_000_000);
        assert_eq!(payload["exp"], 1_700_000_000 + 3600);
        assert_eq!(payload["sub"], "user-123");
        assert_eq!(payload["user"]["email"], "joe.doe@example.com");
        assert_eq!(payload["user"]["avatar"], "http://x/a.png");
        assert_eq!(payload["auth"]["collaboration"]["doc~1?"]["role"], "reader");
    }

    #[test]
    fn lifetime_is_capped_at_24_hours() {
        let tokens = CkeditorTokens::new("env", KEY)
            .unwrap()
            .ttl(Duration::from_secs(10 * 86_400));
        assert_eq!(tokens.ttl_secs(), 86_400);
        let issued = tokens.issue_at(&CsPrincipal::default(), 100).unwrap();
        assert_eq!(issued.expires_at, 100 + 86_400);
    }

    #[test]
    fn payload_never_holds_dash_or_underscore_whatever_the_user_data() {
        // Names and URLs chosen to hit every alignment of every risky character, plus
        // non-ASCII text, astral characters and control characters.
        let risky = [
            '>', '?', '~', '\x7f', 'é', 'ÿ', '€', '😀', '\u{ffff}', '\n', '"', '\\', '/',
        ];
        let tokens = CkeditorTokens::new("env-_id", KEY).unwrap();
        for pad in 0..3 {
            for a in risky {
                for b in risky {
                    let name = format!("{}{a}{b}{a}", "x".repeat(pad));
                    let avatar = format!("https://cdn.example/u?id={b}&s=~{a}");
                    let p = principal(&name, &avatar);
                    let issued = tokens.issue_at(&p, 1_700_000_000 + pad as u64).unwrap();
                    let payload = issued.token.split('.').nth(1).unwrap();
                    assert!(
                        !payload.contains(['-', '_']),
                        "{name:?} {avatar:?}: {payload}"
                    );
                    let json: serde_json::Value =
                        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
                    assert_eq!(json["user"]["name"], name.as_str());
                    assert_eq!(json["user"]["avatar"], avatar.as_str());
                }
            }
        }
    }
}
