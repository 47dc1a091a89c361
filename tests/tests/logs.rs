//! No log line carries a secret: runs the scenario suite against the axum reference app and
//! `tokengate serve` with every app logging at debug level (`RUST_LOG=debug`) and keeping an
//! audit log (`TOKENGATE_AUDIT_LOG`), then reads everything they logged and audited for the
//! suite's secret, CKEditor access key, passwords, access tokens (any JWT) and refresh tokens.

use std::process::Command;

use tokengate_scenarios::harness::{Target, CS_ACCESS_KEY, LOGS_DIR_VAR, SECRET};

#[test]
fn debug_logs_of_the_whole_suite_hold_no_secret() {
    if Target::external().is_some() || std::env::var_os(LOGS_DIR_VAR).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let suite = Command::new(cargo)
        .args([
            "test",
            "--quiet",
            "-p",
            "tokengate-scenarios",
            "--test",
            "axum",
            "--test",
            "serve",
        ])
        .env(LOGS_DIR_VAR, dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the suite");
    assert!(
        suite.status.success(),
        "the suite failed with debug logs on:\n{}",
        String::from_utf8_lossy(&suite.stdout)
    );
    let mut logs = String::new();
    let (mut files, mut audit_lines) = (0, 0);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if path.to_string_lossy().ends_with(".audit.jsonl") {
            audit_lines += text.lines().count();
        } else {
            files += 1;
        }
        logs.push_str(&text);
    }
    assert!(files > 50, "every app started logged to a file ({files})");
    assert!(
        audit_lines > 100,
        "the apps kept audit logs ({audit_lines} lines)"
    );
    assert!(logs.contains("DEBUG"), "debug level was on");
    for (what, needle) in [
        ("the HMAC secret", SECRET),
        ("the CKEditor access key", CS_ACCESS_KEY),
        ("a password", "password1"),
        ("a password", "wrong-password"),
        // A refresh token only travels in a body (JSON or form) or a cookie.
        ("a refresh token", "\"refresh_token\":"),
        ("a refresh token", "refresh_token="),
        ("a refresh token", "tokengate_refresh="),
        ("an access token", "tokengate_access="),
    ] {
        let found = logs.lines().find(|line| line.contains(needle));
        assert!(
            found.is_none(),
            "{what} in the logs: {}",
            found.unwrap_or_default()
        );
    }
    let found = logs.lines().find(|line| holds_a_jwt(line));
    assert!(
        found.is_none(),
        "an access or CKEditor token in the logs: {}",
        found.unwrap_or_default()
    );
}

/// Whether `line` holds a compact JWT: a base64url JSON header (`{"` is `eyJ`), a dot, a
/// payload, a dot. A random id may hold `eyJ` by chance, never followed by the dots.
fn holds_a_jwt(line: &str) -> bool {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    line.match_indices("eyJ").any(|(start, _)| {
        let mut segments = line[start..].split('.');
        let header = segments.next().unwrap_or_default();
        let payload = segments.next().unwrap_or_default();
        header.chars().all(base64url)
            && !payload.is_empty()
            && payload.chars().all(base64url)
            && segments.next().is_some()
    })
}

#[test]
fn a_jwt_is_found_and_a_random_id_is_not() {
    assert!(holds_a_jwt(
        "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig rest"
    ));
    assert!(!holds_a_jwt(
        r#""login":"XSiaByWbeyJ4sMpJe5o6MA","ip":"127.0.0.1""#
    ));
    assert!(!holds_a_jwt("eyJ. and eyJabc.def without a third part"));
}
