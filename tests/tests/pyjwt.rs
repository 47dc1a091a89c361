//! PyJWT interoperability, both ways, against every reference app: tokens from the apps decode
//! with PyJWT, and PyJWT's tokens are accepted (or refused with the contract's errors).
//!
//! Needs a Python with PyJWT: `TOKENGATE_PYTHON` (`.ci/run` makes a venv), else `python3`.
//! Without PyJWT the tests are skipped with a message, except under `CI=true`.

use std::process::Command;
use tokengate_scenarios::harness::{Target, CS_ACCESS_KEY, CS_ENVIRONMENT_ID, SECRET};

fn python() -> Option<String> {
    tokengate_scenarios::harness::python_with("jwt")
}

async fn interop(binary: &'static str) {
    let Some(python) = python() else { return };
    if Target::external().is_some() {
        return;
    }
    let app = Target::new(binary).start();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/pyjwt_interop.py");
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(base)
            .env("SECRET", SECRET)
            .env("CS_ENVIRONMENT_ID", CS_ENVIRONMENT_ID)
            .env("CS_ACCESS_KEY", CS_ACCESS_KEY)
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{binary}:\n{stdout}\n{stderr}");
}

#[tokio::test]
async fn pyjwt_interoperates_with_app_axum() {
    interop("app-axum").await;
}

#[tokio::test]
async fn pyjwt_interoperates_with_app_actix() {
    interop("app-actix").await;
}

#[tokio::test]
async fn pyjwt_interoperates_with_app_rocket() {
    interop("app-rocket").await;
}

#[tokio::test]
async fn pyjwt_interoperates_with_app_warp() {
    interop("app-warp").await;
}
