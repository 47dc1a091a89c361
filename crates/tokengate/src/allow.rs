//! Which methods a path takes: the `Allow` header of a 405, the same on every framework.

use crate::problem::Problem;

/// The service routes and the methods each takes (what [`Problem::method_not_allowed_for`]
/// lists in `Allow`). Adapters whose framework cannot tell (warp's rejections, actix's
/// default services, Rocket's catchers) look paths up here.
pub const SERVICE_ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["GET"]),
    ("/.well-known/jwks.json", &["GET"]),
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
    /// 405 `method_not_allowed` with `Allow` listing `allow`.
    pub fn method_not_allowed_for(allow: &[&str]) -> Self {
        Problem::method_not_allowed().with_header("allow", allow.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_service_route_of_the_openapi_document() {
        let document = crate::openapi::service_document();
        let paths = document["paths"].as_object().unwrap();
        for (path, operations) in paths {
            let mut methods: Vec<String> = operations
                .as_object()
                .unwrap()
                .keys()
                .map(|method| method.to_ascii_uppercase())
                .collect();
            let mut allowed = allowed_methods(SERVICE_ROUTES, path)
                .unwrap_or_default()
                .to_vec();
            methods.sort();
            allowed.sort_unstable();
            assert_eq!(allowed, methods, "{path}");
        }
        assert_eq!(paths.len(), SERVICE_ROUTES.len());
    }
}
