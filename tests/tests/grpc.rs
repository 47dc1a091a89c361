//! The tonic copy-me (`examples/src/bin/tonic-verify-only.rs`) called by a real gRPC client,
//! Python's grpcio: every refusal arrives as the gRPC status a client expects.
//!
//! Needs a Python with grpcio and grpcio-health-checking: `TOKENGATE_PYTHON` (`.ci/run`
//! installs them, pinned, in its venv), else `python3`. Without them the test is skipped with a
//! message, except under `CI=true`.

use std::process::Command;

use serde_json::{json, Value};
use tokengate_scenarios::harness::{now, Target};

fn python() -> Option<String> {
    tokengate_scenarios::harness::python_with("grpc, grpc_health.v1")
}

#[tokio::test]
async fn grpcio_gets_grpc_statuses_from_the_tonic_copy_me() {
    let Some(python) = python() else { return };
    if Target::external().is_some() {
        return;
    }
    let app = Target::verify_only("tonic-verify-only").start();
    let scoped = app.mint("user-42", json!({"scope": "openid health:read"}));
    let unscoped = app.mint("user-42", json!({"scope": "openid"}));
    let expired = app.mint(
        "user-42",
        json!({"scope": "health:read", "iat": now() - 7200, "exp": now() - 3600}),
    );
    let tokens = json!(["", "not.a.token", expired, unscoped, scoped]);
    let address = app.base.trim_start_matches("http://").to_owned();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/grpcio_client.py");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(address)
            .env("TOKENS", tokens.to_string())
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let answers: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let codes: Vec<&str> = answers
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "PERMISSION_DENIED",
            "OK"
        ],
        "{stdout}"
    );
    assert_eq!(answers[4]["serving"], "SERVING");
    let expired = answers[2]["details"].as_str().unwrap();
    assert!(expired.contains("expired"), "{expired}");
    let missing_scope = answers[3]["details"].as_str().unwrap();
    assert!(missing_scope.contains("health:read"), "{missing_scope}");
}
