//! `TOKENGATE_AUTHZ_POLICY`: the gateway's rules, read from a TOML file. Anything the file
//! does not say plainly (an unknown key, a method in lower case, a path in another form than
//! the one requests are matched in) stops start-up, naming the file and the line.

use serde::Deserialize;
use toml::Spanned;

use crate::gate::gateway::{normalise_path, Access, Policy, Rule};
use crate::service::config_error::ConfigError;

const VARIABLE: &str = "TOKENGATE_AUTHZ_POLICY";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    rule: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    host: Option<Spanned<String>>,
    path: Spanned<String>,
    methods: Option<Spanned<Vec<Spanned<String>>>>,
    allow: Option<Spanned<String>>,
    scopes: Option<Spanned<Vec<Spanned<String>>>>,
}

/// Reads and checks the policy file at `path`.
pub(super) fn read(path: &str) -> Result<Policy, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| ConfigError::new(VARIABLE, format!("cannot read {path}: {error}")))?;
    parse(&text).map_err(|(offset, reason)| {
        let line = text[..offset.min(text.len())].matches('\n').count() + 1;
        ConfigError::new(VARIABLE, format!("{path}, line {line}: {reason}"))
    })
}

/// The policy in `text`, or the byte offset and the reason of its first mistake.
fn parse(text: &str) -> Result<Policy, (usize, String)> {
    let file: PolicyFile = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        (offset, error.message().to_owned())
    })?;
    let rules = file
        .rule
        .into_iter()
        .map(rule_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy::new(rules))
}

fn rule_of(entry: RuleEntry) -> Result<Rule, (usize, String)> {
    let at = |spanned_start: usize, reason: String| (spanned_start, reason);
    let path = entry.path.get_ref();
    if !path.starts_with('/') {
        return Err(at(
            entry.path.span().start,
            format!("path {path:?} must start with /"),
        ));
    }
    match normalise_path(path) {
        Ok(normal) if normal == path.as_str() => {}
        _ => {
            let reason = format!("path {path:?} is not in the normal form requests are matched in");
            return Err(at(entry.path.span().start, reason));
        }
    }
    let mut rule = Rule::path(path.clone());
    if let Some(host) = &entry.host {
        let valid = !host.get_ref().is_empty()
            && host
                .get_ref()
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'/');
        if !valid {
            return Err(at(
                host.span().start,
                format!("host {:?} is not a host name", host.get_ref()),
            ));
        }
        rule = rule.host(host.get_ref().clone());
    }
    if let Some(methods) = &entry.methods {
        if methods.get_ref().is_empty() {
            return Err(at(
                methods.span().start,
                "methods must name at least one method".into(),
            ));
        }
        for method in methods.get_ref() {
            let name = method.get_ref();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase()) {
                let reason =
                    format!("method {name:?} must be a method name in capitals (GET, POST, …)");
                return Err(at(method.span().start, reason));
            }
        }
        rule = rule.methods(methods.get_ref().iter().map(|m| m.get_ref().clone()));
    }
    let access = match entry
        .allow
        .as_ref()
        .map(|allow| (allow, allow.get_ref().as_str()))
    {
        None => Access::Authenticated,
        Some((_, "authenticated")) => Access::Authenticated,
        Some((_, "anyone")) => Access::Anyone,
        Some((allow, other)) => {
            let reason = format!("allow {other:?} must be \"anyone\" or \"authenticated\"");
            return Err(at(allow.span().start, reason));
        }
    };
    rule = rule.allow(access);
    if let Some(scopes) = &entry.scopes {
        if access == Access::Anyone {
            let reason =
                "scopes need allow = \"authenticated\": an anyone rule lets everybody in".into();
            return Err(at(scopes.span().start, reason));
        }
        for scope in scopes.get_ref() {
            let name = scope.get_ref();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            {
                let reason = format!("scope {name:?} must be one scope, without spaces or quotes");
                return Err(at(scope.span().start, reason));
            }
        }
        rule = rule.scopes(scopes.get_ref().iter().map(|s| s.get_ref().clone()));
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of_error(text: &str) -> (usize, String) {
        let (offset, reason) = parse(text).unwrap_err();
        (text[..offset].matches('\n').count() + 1, reason)
    }

    #[test]
    fn the_contracts_example_reads_as_rules_in_order() {
        let text = r#"
[[rule]]
host = "docs.example.com"
path = "/public/"
methods = ["GET", "HEAD"]
allow = "anyone"

[[rule]]
path = "/documents/"
scopes = ["documents:write"]

[[rule]]
path = "/healthz"
allow = "anyone"
"#;
        let policy = parse(text).unwrap();
        assert_eq!(policy.len(), 3);
        let public = policy
            .rule_for(Some("DOCS.example.com"), "/public/x", "HEAD")
            .unwrap();
        assert_eq!(public.access(), Access::Anyone);
        assert!(policy
            .rule_for(Some("other.example"), "/public/x", "GET")
            .is_none());
        let documents = policy.rule_for(None, "/documents/1", "PUT").unwrap();
        assert_eq!(documents.required_scopes(), ["documents:write"]);
        assert!(policy.rule_for(None, "/healthz/", "GET").is_none());
    }

    #[test]
    fn an_empty_file_denies_everything() {
        let policy = parse("").unwrap();
        assert!(policy.rule_for(None, "/", "GET").is_none());
    }

    #[test]
    fn each_mistake_names_its_line() {
        let cases = [
            (
                "[[rule]]\npath = \"/a\"\nmethod = [\"GET\"]\n",
                3,
                "unknown field",
            ),
            ("[[rule]]\npath = \"a/b\"\n", 2, "must start with /"),
            ("[[rule]]\npath = \"/a/../b\"\n", 2, "normal form"),
            ("[[rule]]\npath = \"/a//b\"\n", 2, "normal form"),
            ("[[rule]]\npath = \"/%61\"\n", 2, "normal form"),
            (
                "\n[[rule]]\npath = \"/a\"\nmethods = [\"GET\", \"get\"]\n",
                4,
                "capitals",
            ),
            ("[[rule]]\npath = \"/a\"\nmethods = []\n", 3, "at least one"),
            (
                "[[rule]]\npath = \"/a\"\n\nallow = \"everyone\"\n",
                4,
                "\"anyone\" or",
            ),
            (
                "[[rule]]\npath = \"/a\"\nallow = \"anyone\"\nscopes = [\"x\"]\n",
                4,
                "scopes need",
            ),
            (
                "[[rule]]\npath = \"/a\"\nscopes = [\"a b\"]\n",
                3,
                "one scope",
            ),
            ("[[rule]]\npath = \"/a\"\nhost = \"\"\n", 3, "host name"),
            ("[[rule]]\nhost = \"x\"\n", 1, "missing field `path`"),
            ("[[rule]]\npath = \"/a\"\npath = \"/b\"\n", 3, "duplicate"),
            ("[[rule]\n", 1, ""),
            ("[[rules]]\npath = \"/a\"\n", 1, "unknown field"),
        ];
        for (text, line, reason) in cases {
            let (found_line, found_reason) = line_of_error(text);
            assert_eq!(found_line, line, "{text:?}: {found_reason}");
            assert!(found_reason.contains(reason), "{text:?}: {found_reason}");
        }
    }

    #[test]
    fn the_error_names_the_variable_the_file_and_the_line() {
        let dir = std::env::temp_dir().join(format!("tokengate-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.toml");
        std::fs::write(
            &file,
            "[[rule]]\npath = \"/ok\"\n\n[[rule]]\npath = \"nope\"\n",
        )
        .unwrap();
        let error = read(file.to_str().unwrap()).unwrap_err();
        assert_eq!(error.variable, VARIABLE);
        let expected = format!(
            "{}, line 5: path \"nope\" must start with /",
            file.display()
        );
        assert_eq!(error.reason, expected);
        let missing = read(dir.join("absent.toml").to_str().unwrap()).unwrap_err();
        assert!(missing.reason.starts_with("cannot read "), "{missing}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
