//! Running the node fixtures of `tests/oidc` (at the repository root) from Rust tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// `tests/oidc`, where the npm packages and scripts are.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

/// Whether the node fixtures can run: false (with a message) when node is not installed;
/// `npm ci` is run first when the packages are missing, and must succeed.
pub fn ready(test: &str) -> bool {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: node is not installed ({test} needs it)");
        return false;
    }
    // Tests of one binary run in parallel: one `npm ci` at a time.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _installing = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = fixture_dir();
    if !dir.join("node_modules/oidc-provider").exists() || !dir.join("node_modules/jose").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci in tests/oidc");
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
    true
}
