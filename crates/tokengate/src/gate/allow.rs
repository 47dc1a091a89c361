//! Which methods a path takes: the `Allow` header of a 405, the same on every framework.

use crate::gate::problem::Problem;

/// The service routes and the methods each takes (what [`Problem::method_not_allowed_for`]
/// lists in `Allow`). Adapters whose framework cannot tell (warp's rejections, actix's
/// default services, Rocket's catchers) look paths up here.
pub const SERVICE_ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["GET"]),
    ("/.well-known/jwks.json", &["GET"]),
    ("/.well-known/openid-configuration", &["GET"]),
    ("/openapi.json", &["GET"]),
    ("/signup", &["POST"]),
    ("/login", &["POST"]),
    ("/refresh", &["POST"]),
    ("/logout", &["POST"]),
    ("/session", &["POST", "DELETE"]),
    ("/session/refresh", &["POST"]),
    ("/users/me", &["GET"]),
    ("/cs-token", &["GET"]),
];

/// Whether a route template takes `path`: literal segments compare exactly, `{name}` and
/// Rocket's `<name>` take any one segment, Rocket's `<name..>` takes the rest.
///
/// ```
/// use tokengate::template_matches;
/// assert!(template_matches("/documents/{id}", "/documents/d-1"));
/// assert!(template_matches("/files/<path..>", "/files/a/b"));
/// assert!(!template_matches("/documents/{id}", "/documents/a/b"));
/// ```
pub fn template_matches(template: &str, path: &str) -> bool {
    let mut template = template.split('/').filter(|s| !s.is_empty());
    let mut path = path.split('/').filter(|s| !s.is_empty());
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), _) if t.starts_with('<') && t.ends_with("..>") => return true,
            (Some(t), Some(_)) if is_placeholder(t) => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

fn is_placeholder(segment: &str) -> bool {
    (segment.starts_with('{') && segment.ends_with('}'))
        || (segment.starts_with('<') && segment.ends_with('>'))
}

/// The methods the first route of `routes` that takes `path` allows.
pub fn allowed_methods<'a>(routes: &[(&str, &'a [&'a str])], path: &str) -> Option<&'a [&'a str]> {
    routes
        .iter()
        .find(|(template, _)| template_matches(template, path))
        .map(|(_, methods)| *methods)
}

impl Problem {
    /// What a request that no route took gets, for frameworks that cannot tell a 405 from a
    /// 404 (Rocket's catchers): 405 with `Allow` (sorted) when routes of other methods take
    /// `path`, else 404 `not_found`. `routes` are the framework's (template, method) pairs;
    /// `OPTIONS` routes are ignored, `HEAD` counts as `GET`, and a route of the request's own
    /// method that declined (a guard forwarded) makes it a 404.
    ///
    /// ```
    /// use tokengate::Problem;
    /// let routes = [("/notes/<id>", "PUT"), ("/notes/<id>", "GET"), ("/notes/<id>", "OPTIONS")];
    /// let problem = Problem::unrouted("POST", "/notes/n1", routes);
    /// assert_eq!(problem.status, 405);
    /// assert_eq!(Problem::unrouted("HEAD", "/notes/n1", routes).status, 404);
    /// assert_eq!(Problem::unrouted("GET", "/other", routes).status, 404);
    /// ```
    pub fn unrouted<'a>(
        method: &str,
        path: &str,
        routes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Problem {
        let own = if method == "HEAD" { "GET" } else { method };
        let mut allowed: Vec<&str> = routes
            .into_iter()
            .filter(|(template, method)| *method != "OPTIONS" && template_matches(template, path))
            .map(|(_, method)| method)
            .collect();
        if allowed.is_empty() || allowed.contains(&own) {
            return Problem::not_found();
        }
        allowed.sort_unstable();
        allowed.dedup();
        Problem::method_not_allowed_for(&allowed)
    }

    /// 405 `method_not_allowed` with `Allow` listing `allow`.
    pub fn method_not_allowed_for(allow: &[&str]) -> Self {
        Problem::method_not_allowed().with_header("allow", allow.join(", "))
    }
}
