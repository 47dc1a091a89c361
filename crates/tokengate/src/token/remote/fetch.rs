//! One bounded HTTP GET: an allowed scheme, a timeout (set on the client), a response size
//! cap, and the `Cache-Control: max-age` of the answer.

use std::num::IntErrorKind;
use std::time::Duration;

use reqwest::header::{ACCEPT, CACHE_CONTROL};

use super::RemoteKeysError;

/// The shortest time keys are cached for, whatever the provider's `max-age`.
pub const MIN_CACHE_LIFETIME: Duration = Duration::from_secs(60);
/// The longest time keys are cached for, whatever the provider's `max-age`.
pub const MAX_CACHE_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How long keys are cached when the answer has no `Cache-Control: max-age`.
pub const DEFAULT_CACHE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The body of a successful answer and its `max-age`, if it gave one.
pub(super) struct Fetched {
    pub(super) body: Vec<u8>,
    pub(super) max_age: Option<u64>,
}

/// Parses `url`, refusing any scheme but `https` (and `http` when `allow_http`).
pub(super) fn check_url(url: &str, allow_http: bool) -> Result<reqwest::Url, RemoteKeysError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| RemoteKeysError::InvalidUrl(url.into()))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http => Ok(parsed),
        _ => Err(RemoteKeysError::InsecureUrl(url.into())),
    }
}

/// GETs `url` as JSON, failing on a status other than 2xx and on a body over `max_bytes`.
pub(super) async fn get(
    client: &reqwest::Client,
    url: &reqwest::Url,
    max_bytes: usize,
) -> Result<Fetched, RemoteKeysError> {
    let failed = |error: reqwest::Error| RemoteKeysError::from_reqwest(url, error);
    let mut response = client
        .get(url.clone())
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(failed)?;
    if !response.status().is_success() {
        return Err(RemoteKeysError::Status {
            url: url.to_string(),
            status: response.status().as_u16(),
        });
    }
    let too_large = || RemoteKeysError::TooLarge {
        url: url.to_string(),
        limit: max_bytes,
    };
    if response
        .content_length()
        .is_some_and(|len| len > max_bytes as u64)
    {
        return Err(too_large());
    }
    let max_age = max_age(
        response
            .headers()
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok()),
    );
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { body, max_age })
}

/// The `max-age` of `Cache-Control` header values, in seconds; `no-store` and `no-cache`
/// count as 0.
pub(super) fn max_age<'a>(values: impl Iterator<Item = &'a str>) -> Option<u64> {
    let mut found = None;
    for directive in values.flat_map(|value| value.split(',')) {
        let (name, value) = directive
            .split_once('=')
            .map_or((directive, None), |(name, value)| (name, Some(value)));
        let name = name.trim();
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(0);
        }
        if name.eq_ignore_ascii_case("max-age") {
            let seconds = value.unwrap_or_default().trim().trim_matches('"');
            match seconds.parse::<u64>() {
                Ok(seconds) => found = Some(seconds),
                // Too large for u64: "a very long time".
                Err(error) if *error.kind() == IntErrorKind::PosOverflow => found = Some(u64::MAX),
                Err(_) => {}
            }
        }
    }
    found
}

/// How long keys fetched with this `max-age` are kept: the `max-age` held between
/// [`MIN_CACHE_LIFETIME`] and [`MAX_CACHE_LIFETIME`], or [`DEFAULT_CACHE_LIFETIME`].
pub fn cache_lifetime(max_age: Option<u64>) -> Duration {
    match max_age {
        Some(seconds) => Duration::from_secs(seconds).clamp(MIN_CACHE_LIFETIME, MAX_CACHE_LIFETIME),
        None => DEFAULT_CACHE_LIFETIME,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_any_directive_list() {
        let parse = |values: &[&str]| max_age(values.iter().copied());
        assert_eq!(parse(&["public, max-age=3600"]), Some(3600));
        assert_eq!(parse(&["Max-Age = \"120\""]), Some(120));
        assert_eq!(parse(&["public", "max-age=7, must-revalidate"]), Some(7));
        assert_eq!(parse(&["max-age=99999999999999999999999"]), Some(u64::MAX));
        assert_eq!(parse(&["max-age=soon"]), None);
        assert_eq!(parse(&["no-store"]), Some(0));
        assert_eq!(parse(&["max-age=600, no-cache"]), Some(0));
        assert_eq!(parse(&[]), None);
    }

    #[test]
    fn lifetimes_are_clamped_to_a_minute_and_a_day() {
        assert_eq!(cache_lifetime(Some(0)), MIN_CACHE_LIFETIME);
        assert_eq!(cache_lifetime(Some(59)), Duration::from_secs(60));
        assert_eq!(cache_lifetime(Some(3600)), Duration::from_secs(3600));
        assert_eq!(cache_lifetime(Some(u64::MAX)), MAX_CACHE_LIFETIME);
        assert_eq!(cache_lifetime(None), Duration::from_secs(300));
    }

    #[test]
    fn only_https_unless_http_is_allowed() {
        assert!(check_url("https://id.example/jwks", false).is_ok());
        assert_eq!(
            check_url("http://127.0.0.1:1/jwks", false).unwrap_err(),
            RemoteKeysError::InsecureUrl("http://127.0.0.1:1/jwks".into())
        );
        assert!(check_url("http://127.0.0.1:1/jwks", true).is_ok());
        assert!(check_url("file:///etc/passwd", true).is_err());
        assert!(check_url("not a url", true).is_err());
    }
}
