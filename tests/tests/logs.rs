//! No log line carries a secret: runs the scenario suite against the axum reference app and
//! `tokengate serve` with every app logging at debug level (`RUST_LOG=debug`), then reads
//! everything they logged for the suite's secret, CKEditor access key, passwords, access
//! tokens (any JWT) and refresh tokens.

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
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        logs.push_str(&String::from_utf8_lossy(
            &std::fs::read(entry.unwrap().path()).unwrap(),
        ));
        files += 1;
    }
    assert!(files > 50, "every app started logged to a file ({files})");
    assert!(logs.contains("DEBUG"), "debug level was on");
    for (what, needle) in [
        ("the HMAC secret", SECRET),
        ("the CKEditor access key", CS_ACCESS_KEY),
        ("a password", "password1"),
        ("a password", "wrong-password"),
        // Every JWT starts with a base64url JSON header: `{"` is `eyJ`.
        ("an access or CKEditor token", "eyJ"),
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
}
