//! Which methods a path takes: the `Allow` header of a 405, the same on every framework.

use crate::gate::problem::Problem;

/// Whether a route template takes `path`: literal segments compare exactly, `{name}` and
/// Rocket's `<name>` take any one segment, Rocket's `<name..>` takes the rest.
///
/// ```
/// use tokengate::gate::template_matches;
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

impl Problem {
    /// What a request that no route took gets, for frameworks that cannot tell a 405 from a
    /// 404 (Rocket's catchers): 405 with `Allow` (sorted) when routes of other methods take
    /// `path`, else 404 `not_found`. `routes` are the framework's (template, method) pairs;
    /// `OPTIONS` routes are ignored, `HEAD` counts as `GET`, and a route of the request's own
    /// method that declined (a guard forwarded) makes it a 404.
    ///
    /// ```
    /// use tokengate::gate::Problem;
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
        Problem::wrong_method(own, path, routes).unwrap_or_else(Problem::not_found)
    }

    /// 405 with `Allow` (sorted) when routes of other methods than `method` take `path` and
    /// none of `method` does; `None` otherwise. For frameworks whose router cannot tell
    /// (warp). `routes` are (template, method) pairs; `OPTIONS` routes are ignored, and
    /// `HEAD` is a method of its own here (see [`unrouted`](Self::unrouted) for the mapping).
    ///
    /// ```
    /// use tokengate::gate::Problem;
    /// let routes = [("/session", "POST"), ("/session", "DELETE")];
    /// let problem = Problem::wrong_method("GET", "/session", routes).unwrap();
    /// assert_eq!(problem.status, 405);
    /// assert!(problem.headers.contains(&("allow", "DELETE, POST".to_owned())));
    /// assert!(Problem::wrong_method("POST", "/session", routes).is_none());
    /// assert!(Problem::wrong_method("GET", "/other", routes).is_none());
    /// ```
    pub fn wrong_method<'a>(
        method: &str,
        path: &str,
        routes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<Problem> {
        let mut allowed: Vec<&str> = routes
            .into_iter()
            .filter(|(template, method)| *method != "OPTIONS" && template_matches(template, path))
            .map(|(_, method)| method)
            .collect();
        if allowed.is_empty() || allowed.contains(&method) {
            return None;
        }
        allowed.sort_unstable();
        allowed.dedup();
        Some(Problem::method_not_allowed_for(&allowed))
    }

    /// 405 `method_not_allowed` with `Allow` listing `allow`.
    pub fn method_not_allowed_for(allow: &[&str]) -> Self {
        Problem::method_not_allowed().with_header("allow", allow.join(", "))
    }
}
