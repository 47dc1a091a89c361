//! Where a token comes from: `Authorization: Bearer`, a named header, a query parameter or a
//! cookie, tried in a configured order, over a request view each adapter implements.

use std::borrow::Cow;

use cookie::Cookie;

use crate::token::error::AuthError;

/// What a request holds under one header name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderValue<'r> {
    /// The header is absent.
    Absent,
    /// The header appears once with these bytes.
    One(&'r [u8]),
    /// The header appears more than once.
    Many,
}

impl<'r> HeaderValue<'r> {
    /// What a request holds under one name, from the values the framework found for it in
    /// order: none is [`Absent`](Self::Absent), more than one [`Many`](Self::Many).
    pub fn from_values(values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (None, _) => HeaderValue::Absent,
            (Some(value), None) => HeaderValue::One(value),
            (Some(_), Some(_)) => HeaderValue::Many,
        }
    }
}

/// The little of a request the core needs to find a token. Each adapter implements it for
/// its framework's request type, because the frameworks do not share one `http` version.
pub trait RequestView {
    /// The value of header `name` (ASCII, lower case), looked up case-insensitively.
    fn header(&self, name: &str) -> HeaderValue<'_>;
    /// The raw query string, without the `?`.
    fn query(&self) -> Option<&str>;
    /// The request method, upper case (`GET`, `POST`, …): a token read from a cookie needs
    /// the CSRF header on any method but GET, HEAD and OPTIONS.
    fn method(&self) -> &str;
    /// The address of the peer that sent the request (behind a proxy, the proxy's), for the
    /// audit log; `None` when the framework does not say.
    fn client_ip(&self) -> Option<std::net::IpAddr> {
        None
    }
    /// The request's path as it arrived (percent-encoded, without the query): part of the URI
    /// a DPoP proof must name. `None` when the adapter does not say; a DPoP-bound token is
    /// then refused, since its proof cannot be checked.
    fn path(&self) -> Option<&str> {
        None
    }
}

/// One place a token may be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `Authorization: Bearer TOKEN` (RFC 6750 section 2.1); the scheme is matched without
    /// regard to case, and any other scheme counts as no token.
    Bearer,
    /// `Authorization: DPoP TOKEN` (RFC 9449 section 7.1), the scheme matched without regard
    /// to case: a token bound to a key, which needs a `DPoP` proof header (see
    /// [`dpop`](crate::gate::dpop)).
    Dpop,
    /// A header holding the bare token, like the seeds' `x-access-token`.
    Header(Cow<'static, str>),
    /// A query parameter (RFC 6750 section 2.3). Tokens in URLs end up in logs and
    /// `Referer` headers; prefer headers.
    Query(Cow<'static, str>),
    /// A cookie.
    Cookie(Cow<'static, str>),
}

/// The sources to try, in order; the first that holds a token decides.
///
/// ```
/// use tokengate::gate::{HeaderValue, RequestView, TokenSources};
///
/// struct Req(&'static str);
/// impl RequestView for Req {
///     fn header(&self, name: &str) -> HeaderValue<'_> {
///         if name == "authorization" { HeaderValue::One(self.0.as_bytes()) } else { HeaderValue::Absent }
///     }
///     fn query(&self) -> Option<&str> { None }
///     fn method(&self) -> &str { "GET" }
/// }
///
/// let sources = TokenSources::default(); // Bearer, then x-access-token
/// assert_eq!(sources.extract(&Req("bearer abc.def.ghi")).unwrap(), "abc.def.ghi");
/// assert!(sources.extract(&Req("Basic dXNlcjpwYXNz")).is_err()); // no token
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSources(Vec<TokenSource>);

impl Default for TokenSources {
    /// `Authorization: Bearer` or `DPoP`, then `x-access-token`: what the reference apps read.
    fn default() -> Self {
        TokenSources(vec![
            TokenSource::Bearer,
            TokenSource::Dpop,
            TokenSource::Header(Cow::Borrowed("x-access-token")),
        ])
    }
}

impl TokenSources {
    /// Exactly these sources, in this order.
    pub fn new(sources: impl IntoIterator<Item = TokenSource>) -> Self {
        TokenSources(sources.into_iter().collect())
    }

    /// The sources in order.
    pub fn as_slice(&self) -> &[TokenSource] {
        &self.0
    }

    /// Finds the token in `request`: [`AuthError::MissingToken`] when no source holds one,
    /// [`AuthError::Malformed`] when a source holds something that cannot be a token (two
    /// `Authorization` headers, a value that is not ASCII, an empty bearer token).
    pub fn extract<'r>(&self, request: &'r impl RequestView) -> Result<Cow<'r, str>, AuthError> {
        self.extract_with_source(request).map(|(token, _)| token)
    }

    /// Like [`extract`](Self::extract), also saying which source held the token.
    pub fn extract_with_source<'r>(
        &self,
        request: &'r impl RequestView,
    ) -> Result<(Cow<'r, str>, &TokenSource), AuthError> {
        for source in &self.0 {
            if let Some(token) = source.find(request)? {
                return Ok((token, source));
            }
        }
        Err(AuthError::MissingToken)
    }

    /// These sources, then `source` (unless it is among them already).
    pub fn then(mut self, source: TokenSource) -> Self {
        if !self.0.contains(&source) {
            self.0.push(source);
        }
        self
    }
}

impl TokenSource {
    fn find<'r>(&self, request: &'r impl RequestView) -> Result<Option<Cow<'r, str>>, AuthError> {
        match self {
            TokenSource::Bearer | TokenSource::Dpop => match request.header("authorization") {
                HeaderValue::Absent => Ok(None),
                HeaderValue::Many => Err(AuthError::Malformed(
                    "more than one Authorization header was sent",
                )),
                HeaderValue::One(value) => {
                    let scheme = match self {
                        TokenSource::Dpop => "dpop",
                        _ => "bearer",
                    };
                    with_scheme(value, scheme).map(|t| t.map(Cow::Borrowed))
                }
            },
            TokenSource::Header(name) => match request.header(name) {
                HeaderValue::Absent => Ok(None),
                HeaderValue::Many => Err(AuthError::Malformed("the token header was sent twice")),
                HeaderValue::One(value) => single_token(value).map(|t| Some(Cow::Borrowed(t))),
            },
            TokenSource::Query(name) => Ok(request.query().and_then(|query| {
                form_urlencoded::parse(query.as_bytes())
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value)
                    .filter(|value| !value.is_empty())
            })),
            TokenSource::Cookie(name) => Ok(cookie_value(request, name).map(Cow::Borrowed)),
        }
    }
}

/// Parses `SCHEME TOKEN` for `scheme` (lower case). `None` for another scheme (not these
/// credentials).
fn with_scheme<'v>(value: &'v [u8], scheme: &str) -> Result<Option<&'v str>, AuthError> {
    let value = std::str::from_utf8(value)
        .map_err(|_| AuthError::Malformed("the Authorization header is not ASCII"))?
        .trim_matches([' ', '\t']);
    let (sent, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if !sent.eq_ignore_ascii_case(scheme) {
        return Ok(None);
    }
    printable_token(rest).map(Some)
}

/// A header value that must be one token: non-empty, printable ASCII without spaces.
fn single_token(value: &[u8]) -> Result<&str, AuthError> {
    let token =
        std::str::from_utf8(value).map_err(|_| AuthError::Malformed("the token is not ASCII"))?;
    printable_token(token)
}

fn printable_token(value: &str) -> Result<&str, AuthError> {
    let token = value.trim_matches([' ', '\t']);
    if token.is_empty() {
        return Err(AuthError::Malformed("the bearer token is empty"));
    }
    // Every request with a token runs this: a fold without early exit lets the compiler
    // check many bytes at once.
    let printable = token.bytes().fold(true, |ok, b| ok & b.is_ascii_graphic());
    if !printable {
        return Err(AuthError::Malformed(
            "the bearer token contains spaces or controls",
        ));
    }
    Ok(token)
}

/// The value of cookie `name` in the request's `Cookie` header (`None` when absent, empty,
/// or when the request sends several `Cookie` headers, which browsers never do).
pub fn cookie_value<'r>(request: &'r impl RequestView, name: &str) -> Option<&'r str> {
    let HeaderValue::One(header) = request.header("cookie") else {
        return None;
    };
    let header = std::str::from_utf8(header).ok()?;
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .and_then(|cookie| cookie.value_raw())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Req {
        headers: Vec<(&'static str, &'static [u8])>,
        query: Option<&'static str>,
    }

    impl RequestView for Req {
        fn header(&self, name: &str) -> HeaderValue<'_> {
            let mut found = self
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name));
            match (found.next(), found.next()) {
                (None, _) => HeaderValue::Absent,
                (Some((_, v)), None) => HeaderValue::One(v),
                (Some(_), Some(_)) => HeaderValue::Many,
            }
        }
        fn query(&self) -> Option<&str> {
            self.query
        }
        fn method(&self) -> &str {
            "GET"
        }
    }

    fn auth(value: &'static str) -> Req {
        Req {
            headers: vec![("authorization", value.as_bytes())],
            ..Req::default()
        }
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_other_schemes_are_no_token() {
        let sources = TokenSources::default();
        for ok in [
            "Bearer t.t.t",
            "bearer t.t.t",
            "BEARER   t.t.t",
            "BeArEr t.t.t ",
        ] {
            assert_eq!(sources.extract(&auth(ok)).unwrap(), "t.t.t", "{ok}");
        }
        for none in ["Basic dTpw", "Token t.t.t", "Bearertoken", "Digest x"] {
            assert_eq!(
                sources.extract(&auth(none)),
                Err(AuthError::MissingToken),
                "{none}"
            );
        }
        for bad in ["Bearer", "Bearer ", "Bearer a b", "Bearer a\x01"] {
            assert!(
                matches!(sources.extract(&auth(bad)), Err(AuthError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn header_values_count_as_absent_one_or_many() {
        let none: [&[u8]; 0] = [];
        assert_eq!(HeaderValue::from_values(none), HeaderValue::Absent);
        assert_eq!(
            HeaderValue::from_values([&b"a"[..]]),
            HeaderValue::One(b"a")
        );
        assert_eq!(
            HeaderValue::from_values([&b"a"[..], &b"b"[..]]),
            HeaderValue::Many
        );
    }

    #[test]
    fn two_authorization_headers_are_refused() {
        let req = Req {
            headers: vec![
                ("authorization", b"Bearer a"),
                ("Authorization", b"Bearer b"),
            ],
            ..Req::default()
        };
        assert!(matches!(
            TokenSources::default().extract(&req),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn sources_are_tried_in_order() {
        let req = Req {
            headers: vec![
                ("x-access-token", b"from-header"),
                ("cookie", b"a=1; tok=from-cookie"),
            ],
            query: Some("x=1&access_token=from%2Dquery"),
        };
        let q = TokenSource::Query("access_token".into());
        let c = TokenSource::Cookie("tok".into());
        let h = TokenSource::Header("x-access-token".into());
        let pick = |s: Vec<TokenSource>| TokenSources::new(s).extract(&req).unwrap().into_owned();
        assert_eq!(pick(vec![q.clone(), c.clone(), h.clone()]), "from-query");
        assert_eq!(pick(vec![c.clone(), q.clone()]), "from-cookie");
        assert_eq!(pick(vec![TokenSource::Bearer, h, q]), "from-header");
        assert_eq!(
            TokenSources::new([TokenSource::Bearer]).extract(&req),
            Err(AuthError::MissingToken)
        );
    }

    #[test]
    fn query_tokens_are_off_unless_configured() {
        let req = Req {
            query: Some("token=a.b.c&access_token=a.b.c"),
            ..Req::default()
        };
        assert_eq!(
            TokenSources::default().extract(&req),
            Err(AuthError::MissingToken)
        );
    }
}
