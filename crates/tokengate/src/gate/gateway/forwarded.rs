//! The original request a proxy asks about, read from the headers each proxy sends.

use crate::gate::source::{HeaderValue, RequestView};

/// What the original request was: its method, its path (and query), and its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Original<'r> {
    /// `X-Forwarded-Method` (Traefik, Caddy), else `X-Original-Method` (nginx, as the docs
    /// set it), else the method of the `/authz` request itself (Envoy).
    pub method: &'r str,
    /// `X-Forwarded-Uri` (Traefik, Caddy), else `X-Original-URI` (nginx), else what follows
    /// `/authz` in the request's own path (Envoy's `path_prefix`), else `/`.
    pub target: &'r str,
    /// `X-Forwarded-Host`, else `Host` (when asked for).
    pub host: Option<&'r str>,
}

/// A forwarding header that came twice, or not as text: the original request is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ambiguous(pub &'static str);

/// The path prefix of the gateway route.
pub const AUTHZ_PATH: &str = "/authz";

/// The methods the API description lists for the gateway route, which answers every method.
pub const AUTHZ_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

impl<'r> Original<'r> {
    /// Reads the original request from `view`, whose own path is `own_path` (the raw path,
    /// without the query, as the `/authz` request arrived); the host only `with_host` (no
    /// rule of the policy names one otherwise, and each header costs a lookup).
    pub fn read(
        view: &'r impl RequestView,
        own_path: &'r str,
        with_host: bool,
    ) -> Result<Self, Ambiguous> {
        let method = first_of(view, ["x-forwarded-method", "x-original-method"])?
            .unwrap_or_else(|| view.method());
        let target = match first_of(view, ["x-forwarded-uri", "x-original-uri"])? {
            Some(target) => target,
            None => own_path
                .strip_prefix(AUTHZ_PATH)
                .filter(|rest| rest.starts_with('/'))
                .unwrap_or("/"),
        };
        let host = match with_host {
            true => first_of(view, ["x-forwarded-host", "host"])?,
            false => None,
        };
        Ok(Original {
            method,
            target,
            host,
        })
    }
}

/// The value of the first of `names` the request has; a header sent twice, or not UTF-8, is
/// refused rather than guessed at.
fn first_of<'r, const N: usize>(
    view: &'r impl RequestView,
    names: [&'static str; N],
) -> Result<Option<&'r str>, Ambiguous> {
    for name in names {
        match view.header(name) {
            HeaderValue::Absent => continue,
            HeaderValue::One(value) => {
                return std::str::from_utf8(value)
                    .map(|value| Some(value.trim()))
                    .map_err(|_| Ambiguous(name));
            }
            HeaderValue::Many => return Err(Ambiguous(name)),
        }
    }
    Ok(None)
}

/// The `/authz` request as the gate must judge it: its headers (the proxies pass the client's
/// `Authorization` and `Cookie` on), the original method (for the CSRF rule), and no query (a
/// token is never read from the original URL, which the proxy logs).
pub(super) struct AsOriginal<'a, V> {
    pub(super) view: &'a V,
    pub(super) method: &'a str,
    /// The original path, without its query: what a DPoP proof names.
    pub(super) path: &'a str,
}

impl<V: RequestView> RequestView for AsOriginal<'_, V> {
    /// The asked request's headers, but `Host` is the original one (`X-Forwarded-Host`
    /// first): the host a DPoP proof names when no public URL is set.
    fn header(&self, name: &str) -> HeaderValue<'_> {
        if name == "host" {
            if let found @ (HeaderValue::One(_) | HeaderValue::Many) =
                self.view.header("x-forwarded-host")
            {
                return found;
            }
        }
        self.view.header(name)
    }

    fn path(&self) -> Option<&str> {
        Some(self.path)
    }

    fn query(&self) -> Option<&str> {
        None
    }

    fn method(&self) -> &str {
        self.method
    }
}
