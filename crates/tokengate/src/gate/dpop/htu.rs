//! The `htu` of a DPoP proof compared with the request's URI as RFC 9449 section 4.3 says:
//! without query and fragment, after syntax-based normalisation (RFC 3986 section 6.2.2):
//! scheme and host in lower case, the default port dropped, an empty path as `/`, and
//! percent-encodings of unreserved characters decoded, the others in upper case.
//!
//! Written here rather than with the `url` crate, which would bring IDNA tables into every
//! verify-only build for the few lines an `http(s)` URI needs.

/// `uri` normalised for comparison, without query and fragment; `None` for anything but an
/// absolute `http` or `https` URI with a host (user information is refused too: a proof
/// never needs it, and it hides the host from a reader).
pub(crate) fn normalise(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = split_port(authority)?;
    let mut normal = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(port) = port.filter(|port| *port != default_port) {
        normal.push(':');
        normal.push_str(port);
    }
    normalise_path(path, &mut normal)?;
    Some(normal)
}

/// The host and the port of an authority; an IPv6 literal keeps its brackets.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let host_end = match authority.strip_prefix('[') {
        Some(literal) => literal.find(']')? + 2,
        None => authority.find(':').unwrap_or(authority.len()),
    };
    let (host, port) = authority.split_at(host_end);
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => None,
        None => return None,
        // An empty port is the default one (RFC 3986 section 6.2.3).
        Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.trim_start_matches('0')).filter(|p| !p.is_empty())
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// Appends `path` with its percent-encodings normalised; `None` for a broken one.
fn normalise_path(path: &str, out: &mut String) -> Option<()> {
    let bytes = path.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            out.push(bytes[at] as char);
            at += 1;
            continue;
        }
        let hex = path.get(at + 1..at + 3)?;
        let byte = u8::from_str_radix(hex, 16).ok()?;
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push_str(&hex.to_ascii_uppercase());
        }
        at += 3;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn equivalent_uris_normalise_alike() {
        let same = [
            "https://API.example.com/notes",
            "HTTPS://api.example.com:443/notes",
            "https://api.example.com/notes?page=2",
            "https://api.example.com/notes#top",
            "https://api.example.com/%6Eotes",
            "https://api.example.com:/notes",
        ];
        for uri in same {
            assert_eq!(
                normalise(uri).as_deref(),
                Some("https://api.example.com/notes"),
                "{uri}"
            );
        }
        assert_eq!(
            normalise("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080/")
        );
        assert_eq!(
            normalise("http://[::1]:80/a%2fb").as_deref(),
            Some("http://[::1]/a%2Fb")
        );
    }

    #[test]
    fn different_targets_stay_different() {
        let base = normalise("https://api.example.com/notes");
        for other in [
            "http://api.example.com/notes",
            "https://api.example.com:8443/notes",
            "https://api.example.org/notes",
            "https://api.example.com/notes/",
            "https://api.example.com/Notes",
            "https://api.example.com/notes%2F",
        ] {
            assert_ne!(normalise(other), base, "{other}");
        }
    }

    #[test]
    fn what_is_no_http_uri_is_refused() {
        for bad in [
            "/notes",
            "ftp://example.com/",
            "https://",
            "https://user@api.example.com/",
            "https://api.example.com:80a/",
            "https://api.example.com/%zz",
            "https://api.example.com/%4",
            "https://[::1/",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
