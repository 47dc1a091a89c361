//! Browser sessions: the access token in an `HttpOnly` cookie, the refresh token in another,
//! and a script-readable CSRF cookie whose value the page echoes in a header (double submit).
//!
//! Why these attributes:
//! - `HttpOnly` on the two token cookies: no script, and so no XSS, can read a token.
//! - `Secure`: the cookies never travel over plain HTTP (`TOKENGATE_COOKIE_SECURE=0` drops it
//!   for local development only).
//! - `SameSite=Lax` on the access cookie: sent on top-level navigations and same-site
//!   requests (CKEditor's `tokenUrl` XHR), never on cross-site sub-requests; the CSRF rule
//!   covers what `Lax` lets through.
//! - `SameSite=Strict` on the refresh cookie: only same-site requests can spend it.
//! - The CSRF cookie is readable by the page's scripts (that is the point) and worthless alone:
//!   a cookie-authenticated request with an unsafe method must repeat it in `X-CSRF-Token`,
//!   which another site cannot read nor set.

use cookie::{Cookie, SameSite};

pub use crate::gate::source::cookie_value;
use crate::gate::source::{HeaderValue, RequestView};
use crate::token::constant_time::constant_time_eq;

/// The cookie holding the access token.
pub const ACCESS_COOKIE: &str = "tokengate_access";
/// The cookie holding the refresh token.
pub const REFRESH_COOKIE: &str = "tokengate_refresh";
/// The script-readable cookie holding the CSRF value.
pub const CSRF_COOKIE: &str = "tokengate_csrf";
/// The header a cookie-authenticated request with an unsafe method repeats the CSRF value in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Writes the session cookies: what `POST /session` and `POST /session/refresh` set and
/// `DELETE /session` clears.
///
/// ```
/// use tokengate::gate::session::SessionCookies;
///
/// let cookies = SessionCookies::new(1_209_600);
/// let set = cookies.set("ACCESS.JWT.TOKEN", 900, "refresh-token");
/// assert!(set[0].starts_with("tokengate_access=ACCESS.JWT.TOKEN;"));
/// assert!(set[0].contains("HttpOnly") && set[0].contains("SameSite=Lax") && set[0].contains("Max-Age=900"));
/// assert!(set[1].contains("SameSite=Strict"));
/// assert!(!set[2].contains("HttpOnly")); // the CSRF cookie is for the page's scripts
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookies {
    refresh_ttl_secs: u64,
    secure: bool,
}

impl SessionCookies {
    /// Cookies for refresh tokens that live `refresh_ttl_secs`; `Secure` on.
    pub fn new(refresh_ttl_secs: u64) -> Self {
        SessionCookies {
            refresh_ttl_secs,
            secure: true,
        }
    }

    /// Whether the cookies carry `Secure`. Turn it off only for plain-HTTP development.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The three `Set-Cookie` values of a new or rotated session: the access token (which
    /// lives `access_ttl_secs`), the refresh token and a fresh CSRF value of 128 random bits.
    /// Each cookie lives as long as the token it holds.
    pub fn set(
        &self,
        access_token: &str,
        access_ttl_secs: u64,
        refresh_token: &str,
    ) -> [String; 3] {
        let csrf = crate::token::random_id();
        [
            self.cookie(
                ACCESS_COOKIE,
                access_token,
                access_ttl_secs,
                SameSite::Lax,
                true,
            ),
            self.cookie(
                REFRESH_COOKIE,
                refresh_token,
                self.refresh_ttl_secs,
                SameSite::Strict,
                true,
            ),
            // It must outlive the access token: refreshing needs it.
            self.cookie(
                CSRF_COOKIE,
                &csrf,
                self.refresh_ttl_secs,
                SameSite::Lax,
                false,
            ),
        ]
    }

    /// The three `Set-Cookie` values that remove the session (empty, `Max-Age=0`).
    pub fn clear(&self) -> [String; 3] {
        [
            self.cookie(ACCESS_COOKIE, "", 0, SameSite::Lax, true),
            self.cookie(REFRESH_COOKIE, "", 0, SameSite::Strict, true),
            self.cookie(CSRF_COOKIE, "", 0, SameSite::Lax, false),
        ]
    }

    fn cookie(
        &self,
        name: &str,
        value: &str,
        max_age_secs: u64,
        same_site: SameSite,
        http_only: bool,
    ) -> String {
        let max_age = i64::try_from(max_age_secs).unwrap_or(i64::MAX);
        Cookie::build((name, value))
            .path("/")
            .http_only(http_only)
            .secure(self.secure)
            .same_site(same_site)
            .max_age(cookie::time::Duration::seconds(max_age))
            .build()
            .to_string()
    }
}

/// Whether the request repeats its CSRF cookie in `X-CSRF-Token`, compared in constant time.
/// An empty or missing value never matches.
pub fn csrf_matches(request: &impl RequestView) -> bool {
    let Some(cookie) = cookie_value(request, CSRF_COOKIE) else {
        return false;
    };
    let HeaderValue::One(header) = request.header(CSRF_HEADER) else {
        return false;
    };
    !header.is_empty() && constant_time_eq(header, cookie.as_bytes())
}

/// Whether `method` changes nothing (GET, HEAD, OPTIONS): such requests need no CSRF header.
pub fn is_safe_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Req(Vec<(&'static str, &'static str)>);

    impl RequestView for Req {
        fn header(&self, name: &str) -> HeaderValue<'_> {
            HeaderValue::from_values(
                self.0
                    .iter()
                    .filter(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_bytes()),
            )
        }
        fn query(&self) -> Option<&str> {
            None
        }
        fn method(&self) -> &str {
            "POST"
        }
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let req = Req(vec![(
            "cookie",
            "a=1; tokengate_access=x.y.z; tokengate_csrf=abc",
        )]);
        assert_eq!(cookie_value(&req, ACCESS_COOKIE), Some("x.y.z"));
        assert_eq!(cookie_value(&req, "tokengate"), None);
        assert_eq!(
            cookie_value(&Req(vec![("cookie", "tokengate_access=")]), ACCESS_COOKIE),
            None
        );
    }

    #[test]
    fn csrf_needs_the_header_equal_to_the_cookie() {
        let cookie = ("cookie", "tokengate_csrf=abc");
        assert!(csrf_matches(&Req(vec![cookie, ("x-csrf-token", "abc")])));
        assert!(!csrf_matches(&Req(vec![cookie, ("x-csrf-token", "abd")])));
        assert!(!csrf_matches(&Req(vec![cookie])));
        assert!(!csrf_matches(&Req(vec![("x-csrf-token", "abc")])));
        assert!(!csrf_matches(&Req(vec![
            ("cookie", "tokengate_csrf="),
            ("x-csrf-token", "")
        ])));
    }

    #[test]
    fn cleared_cookies_expire_now() {
        for cleared in SessionCookies::new(2).secure(false).clear() {
            assert!(cleared.contains("Max-Age=0"), "{cleared}");
            assert!(!cleared.contains("Secure"), "{cleared}");
        }
    }
}
