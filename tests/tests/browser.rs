//! CKEditor 5 in headless Chromium against every reference app: runs the node tests in
//! `tests/browser/` with the apps built here: `ckeditor.test.mjs` (a bearer token and a
//! `tokenUrl` callback), `session.test.mjs` (a cookie session and the plain `tokenUrl`
//! string, and a cross-site attempt) and `tabs.test.mjs` (two tabs of one session refreshing
//! at the same moment both stay signed in).
//!
//! Needs `npm ci` in `tests/browser` and Debian's `chromium` (`.ci/run` installs both).
//! Without them the test is skipped with a message, except under `CI=true`.

use std::path::Path;
use std::process::Command;
use tokengate_scenarios::harness::Target;

const APPS: [&str; 4] = ["app-axum", "app-actix", "app-rocket", "app-warp"];

#[test]
fn ckeditor_cloud_services_in_chromium_against_every_app() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let ready = browser_dir.join("node_modules/playwright-core").exists()
        && browser_dir.join("node_modules/ckeditor5").exists()
        && Path::new(&chromium).exists();
    if !ready {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but the browser test is not set up: run `npm ci` in tests/browser and install chromium");
        }
        eprintln!("skipped: run `npm ci` in tests/browser and install Debian's chromium");
        return;
    }
    if Target::external().is_some() {
        return;
    }
    let binaries: Vec<String> = APPS
        .iter()
        .map(|app| format!("{app}={}", Target::new(app).executable().display()))
        .collect();
    let output = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "ckeditor.test.mjs",
            "session.test.mjs",
            "tabs.test.mjs",
        ])
        .current_dir(&browser_dir)
        .env("APP_BINARIES", binaries.join(","))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    for app in APPS {
        for test in [
            "CKEditor 5 Cloud Services against",
            "a browser session and CKEditor's plain tokenUrl against",
            "two tabs refreshing at once stay signed in against",
        ] {
            assert!(stdout.contains(&format!("{test} {app}")), "{stdout}");
        }
    }
}
