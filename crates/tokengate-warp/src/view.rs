//! The core's request view and reply, in warp's types.

use tokengate::gate::{HttpReply, RequestView};
use warp::http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

/// What the guard filters see of a request: its method, path, headers and raw query string; and,
/// for the service routes whose events the audit log records, the peer's address.
pub(crate) struct View {
    pub method: warp::http::Method,
    pub path: warp::path::FullPath,
    pub headers: HeaderMap,
    pub query: Option<String>,
    pub remote: Option<std::net::SocketAddr>,
}

impl RequestView for View {
    fn header(&self, name: &str) -> tokengate::gate::HeaderValue<'_> {
        let values = self
            .headers
            .get_all(name)
            .iter()
            .map(|value| value.as_bytes());
        tokengate::gate::HeaderValue::from_values(values)
    }

    fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.remote.map(|addr| addr.ip())
    }

    fn path(&self) -> Option<&str> {
        Some(self.path.as_str())
    }
}

/// Extracts the [`View`] of a request. Warp gives filters no borrowed access to the request,
/// so this clones the header map (the values are reference-counted, their bytes are not
/// copied) and copies the query string only when there is one.
pub(crate) fn view() -> impl Filter<Extract = (View,), Error = std::convert::Infallible> + Clone {
    let query = warp::query::raw()
        .map(Some)
        .or(warp::any().map(|| None))
        .unify();
    warp::method()
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and(query)
        .map(|method, path, headers, query| View {
            method,
            path,
            headers,
            query,
            remote: None,
        })
}

/// The [`View`] of a service route whose events the audit log records: with the peer's
/// address, which the guards and the gateway, on every request, do without.
#[cfg(feature = "accounts")]
pub(crate) fn audited_view(
) -> impl Filter<Extract = (View,), Error = std::convert::Infallible> + Clone {
    view()
        .and(warp::addr::remote())
        .map(|view, remote| View { remote, ..view })
}

/// A core [`HttpReply`] (status, content type, headers, body) as a warp response.
///
/// For handlers of your own that call [`TokenService`](tokengate::TokenService) methods:
///
/// ```
/// use tokengate::gate::HttpReply;
///
/// let response = tokengate_warp::into_response(HttpReply::text("hello"));
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
pub fn into_response(reply: HttpReply) -> Response {
    let mut response = warp::Reply::into_response(reply.body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    match HeaderValue::from_str(&reply.content_type) {
        Ok(value) if !reply.content_type.is_empty() => {
            headers.insert(CONTENT_TYPE, value);
        }
        _ => {
            headers.remove(CONTENT_TYPE);
        }
    }
    for (name, value) in reply.headers {
        if let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) {
            headers.append(name, value);
        }
    }
    response
}

/// `name` as a header name, lowercased, or `None` when it is not one: an [`HttpReply`]'s
/// headers are public, so an app's may be `X-Custom`, or no name at all.
/// ([`HeaderName::from_static`] would panic on either.)
pub(crate) fn header_name(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tokengate::testing::{awkward_reply, sorted_headers, AWKWARD_HEADERS_SENT};

    pub(crate) fn sorted(headers: &warp::http::HeaderMap) -> Vec<(&str, &str)> {
        sorted_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))
    }

    #[test]
    fn header_names_of_any_case_are_sent_and_invalid_ones_skipped() {
        let response = into_response(awkward_reply());
        assert_eq!(sorted(response.headers()), AWKWARD_HEADERS_SENT);
    }
}
