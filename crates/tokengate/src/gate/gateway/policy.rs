//! The gateway's route policy: rules tried in order, the first that matches deciding who may
//! pass. Built in code, or read from a TOML file by the service (`TOKENGATE_AUTHZ_POLICY`).

use std::sync::Arc;

/// Who a rule lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Any request, with or without a token; a valid token still names its holder.
    Anyone,
    /// Requests with a valid token (and the rule's scopes).
    #[default]
    Authenticated,
}

/// Where a rule applies: the path, and optionally the host and the methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    host: Option<String>,
    path: String,
    methods: Option<Vec<String>>,
    access: Access,
    scopes: Vec<String>,
    /// The scopes, space-separated, as `Claims::has_scopes` takes them; `None` when none.
    scope_requirement: Option<Arc<str>>,
}

impl Rule {
    /// A rule for `path`: a prefix when it ends in `/` (`/public/` takes `/public/a`, not
    /// `/public`), otherwise that exact path, for authenticated requests, any host and any
    /// method. Paths are compared after [`normalise_path`](super::normalise_path), so give
    /// them in normal form.
    pub fn path(path: impl Into<String>) -> Self {
        Rule {
            host: None,
            path: path.into(),
            methods: None,
            access: Access::Authenticated,
            scopes: Vec::new(),
            scope_requirement: None,
        }
    }

    /// Only for this host, compared without regard to case and without any port.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host_name(&host.into()).to_ascii_lowercase());
        self
    }

    /// Only for these methods (`GET`, `HEAD`, …), compared exactly.
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Who may pass.
    pub fn allow(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// Scopes the token's `scope` claim must each hold.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        let joined = self.scopes.join(" ");
        self.scope_requirement = (!joined.is_empty()).then(|| joined.into());
        self
    }

    /// Who the rule lets through.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The scopes it requires, each of them.
    pub fn required_scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The required scopes, space-separated; `None` when none.
    pub(super) fn scope_requirement(&self) -> Option<&Arc<str>> {
        self.scope_requirement.as_ref()
    }

    fn matches(&self, host: Option<&str>, path: &str, method: &str) -> bool {
        let path_matches = match self.path.ends_with('/') {
            true => path.starts_with(&self.path),
            false => path == self.path,
        };
        let host_matches = match (&self.host, host) {
            (None, _) => true,
            (Some(wanted), Some(host)) => host_name(host).eq_ignore_ascii_case(wanted),
            (Some(_), None) => false,
        };
        let method_matches = self
            .methods
            .as_ref()
            .is_none_or(|methods| methods.iter().any(|m| m == method));
        path_matches && host_matches && method_matches
    }
}

/// The host of a `Host` header value, without its port (`[::1]:8080` is `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.split(':').next().unwrap_or(host)
}

/// The rules, in order. The first that matches a request decides; a request no rule matches
/// is refused (403 `access_denied`). The empty policy, `Policy::default()`, is not that: it
/// stands for "no policy file", where every request needs a valid token.
///
/// ```
/// use tokengate::gate::gateway::{Access, Policy, Rule};
///
/// let policy = Policy::new([
///     Rule::path("/public/").methods(["GET", "HEAD"]).allow(Access::Anyone),
///     Rule::path("/admin/").scopes(["admin"]),
///     Rule::path("/").host("docs.example.com"),
/// ]);
/// assert_eq!(policy.rule_for(None, "/public/a", "GET").unwrap().access(), Access::Anyone);
/// assert!(policy.rule_for(None, "/public/a", "POST").is_none());
/// assert!(policy.rule_for(Some("DOCS.example.com:443"), "/x", "GET").is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    rules: Option<Vec<Rule>>,
}

/// The rule of a request when there is no policy file: a valid token, any scope.
static AUTHENTICATED_EVERYWHERE: std::sync::LazyLock<Rule> =
    std::sync::LazyLock::new(|| Rule::path("/"));

impl Policy {
    /// A policy of `rules`, tried in order.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Self {
        Policy {
            rules: Some(rules.into_iter().collect()),
        }
    }

    /// The rule that decides a request for `path` (normalised), `method` and `host` (the
    /// `Host` the client sent, if any); `None` when no rule matches and the request is denied.
    pub fn rule_for(&self, host: Option<&str>, path: &str, method: &str) -> Option<&Rule> {
        match &self.rules {
            None => Some(&AUTHENTICATED_EVERYWHERE),
            Some(rules) => rules.iter().find(|rule| rule.matches(host, path, method)),
        }
    }

    /// The number of rules (0 without a policy file).
    pub fn len(&self) -> usize {
        self.rules.as_ref().map_or(0, Vec::len)
    }

    /// Whether there is no rule (no policy file, or a file without rules).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a rule names a host: only then is the original host worth reading.
    pub(super) fn names_hosts(&self) -> bool {
        self.rules
            .as_ref()
            .is_some_and(|rules| rules.iter().any(|rule| rule.host.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_in_a_slash_and_anything_else_is_exact() {
        let policy = Policy::new([Rule::path("/public/"), Rule::path("/exact")]);
        assert!(policy.rule_for(None, "/public/", "GET").is_some());
        assert!(policy.rule_for(None, "/public/a/b", "GET").is_some());
        assert!(policy.rule_for(None, "/public", "GET").is_none());
        assert!(policy.rule_for(None, "/publicity", "GET").is_none());
        assert!(policy.rule_for(None, "/exact", "GET").is_some());
        assert!(policy.rule_for(None, "/exact/", "GET").is_none());
        assert!(policy.rule_for(None, "/exactly", "GET").is_none());
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let policy = Policy::new([
            Rule::path("/a/").allow(Access::Anyone),
            Rule::path("/").scopes(["x"]),
        ]);
        assert_eq!(
            policy.rule_for(None, "/a/b", "GET").unwrap().access(),
            Access::Anyone
        );
        assert_eq!(
            policy
                .rule_for(None, "/b", "GET")
                .unwrap()
                .required_scopes(),
            ["x"]
        );
    }

    #[test]
    fn hosts_compare_without_case_or_port() {
        let policy = Policy::new([Rule::path("/").host("Docs.Example.com:8443")]);
        for host in [
            "docs.example.com",
            "DOCS.EXAMPLE.COM:80",
            "docs.example.com:443",
        ] {
            assert!(policy.rule_for(Some(host), "/", "GET").is_some(), "{host}");
        }
        assert!(policy.rule_for(Some("example.com"), "/", "GET").is_none());
        assert!(policy.rule_for(None, "/", "GET").is_none());
        let v6 = Policy::new([Rule::path("/").host("[::1]")]);
        assert!(v6.rule_for(Some("[::1]:8080"), "/", "GET").is_some());
    }

    #[test]
    fn methods_compare_exactly() {
        let policy = Policy::new([Rule::path("/").methods(["GET", "HEAD"])]);
        assert!(policy.rule_for(None, "/", "HEAD").is_some());
        assert!(policy.rule_for(None, "/", "get").is_none());
        assert!(policy.rule_for(None, "/", "DELETE").is_none());
    }

    #[test]
    fn no_policy_file_means_a_valid_token_everywhere_and_no_rule_means_denied() {
        let none = Policy::default();
        let rule = none.rule_for(Some("any"), "/x", "PATCH").unwrap();
        assert_eq!(rule.access(), Access::Authenticated);
        assert!(rule.required_scopes().is_empty());
        assert!(Policy::new([]).rule_for(None, "/", "GET").is_none());
    }
}
