//! Running the node fixtures of `tests/oidc` (at the repository root) from Rust tests: the
//! core's tests and the scenario suite's both include this file.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// `tests/oidc`, where the npm packages and scripts are, found from whichever crate's
/// directory the test runs in.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tests/oidc"))
        .find(|dir| dir.join("provider.mjs").exists())
        .expect("tests/oidc/provider.mjs above the crate")
}

/// Starts `provider.mjs` on `port` (0: a free one) with `env`, and waits (at most 30 s) for
/// the issuer URL it prints. The child is the caller's to kill.
pub fn start_provider(port: u16, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new("node")
        .args(["provider.mjs", &port.to_string()])
        .current_dir(fixture_dir())
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node provider.mjs");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = sender.send(url.to_owned());
            }
        }
    });
    let issuer = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the provider did not start within 30 s");
    (child, issuer)
}

/// Whether the node fixtures can run: false (with a message) when node is not installed;
/// `npm ci` is run first when the packages are missing, and must succeed.
pub fn ready(test: &str) -> bool {
    if Command::new("node").arg("--version").output().is_err() {
        // CI installs node: there, a missing node is a broken set-up, not a reason to pass.
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs node, and CI is set: install node"
        );
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
