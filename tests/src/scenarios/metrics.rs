//! `GET /metrics` (`TOKENGATE_METRICS=1`): the Prometheus text format, which `promtool`
//! accepts, counting every decision, login, refresh and ended login under the contract's names.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use super::helpers::{
    access, get, get_with_token, login, login_attempt, now_nanos, signup, skip_if_external,
};
use super::refresh_logout::refresh;
use crate::harness::{now, App, Launch, Target};

/// The samples of a scrape, by series exactly as written (`name{label="value",…}`).
pub fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// `GET /metrics`, checked to be the Prometheus text format 0.0.4 (and by `promtool check
/// metrics` where it is installed; CI installs it), as its samples.
pub async fn scrape(app: &App) -> HashMap<String, f64> {
    let response = get(app, "/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain") && content_type.contains("version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    promtool_accepts(&text);
    samples(&text)
}

/// Runs `promtool check metrics` on `text`: any lint problem fails the test.
fn promtool_accepts(text: &str) {
    let Ok(mut child) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but promtool is not installed: .ci/run installs Debian's prometheus");
        }
        eprintln!("promtool is not installed: the scrape is not linted");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool check metrics refused the scrape:\n{}{}\n{text}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How much `series` grew between two scrapes (a series absent before counts from zero).
fn grew(before: &HashMap<String, f64>, after: &HashMap<String, f64>, series: &str) -> f64 {
    let value = |samples: &HashMap<String, f64>| samples.get(series).copied().unwrap_or(0.0);
    assert!(after.contains_key(series), "no {series} in the scrape");
    value(after) - value(before)
}

fn decisions(outcome: &str, reason: &str) -> String {
    format!(r#"tokengate_decisions_total{{outcome="{outcome}",reason="{reason}"}}"#)
}

fn result(family: &str, result: &str) -> String {
    format!(r#"{family}{{result="{result}"}}"#)
}

/// Requests of every kind, then the scrape's counters: each grew by what was sent, under its
/// outcome and code; the verification histogram counted the tokens it checked.
pub async fn metrics_count_decisions_logins_and_refreshes(target: &Target) {
    if skip_if_external("starts the app with metrics on") {
        return;
    }
    let app = target.launch(Launch {
        env: vec![
            ("TOKENGATE_METRICS".into(), "1".into()),
            ("TOKENGATE_REFRESH_GRACE".into(), "0".into()),
        ],
        ..Launch::default()
    });
    let before = scrape(&app).await;
    let build = format!(
        r#"tokengate_build_info{{version="{}"}}"#,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(before.get(&build), Some(&1.0), "{before:?}");

    let email = format!("metrics{}@example.com", now_nanos());
    signup(&app, &email, "metrics-password-1").await;
    let pair = login(&app, &email, "metrics-password-1").await;
    login_attempt(&app, &email, "a-wrong-password").await;
    let token = access(&pair);
    for _ in 0..3 {
        let ok = get_with_token(&app, "/protected", &token).await;
        assert_eq!(ok.status().as_u16(), 200);
    }
    let expired = app.mint("u1", json!({"exp": now() - 3600, "iat": now() - 7200}));
    let refusals = [
        get_with_token(&app, "/protected", "not-a-token").await,
        get_with_token(&app, "/protected", &expired).await,
        get(&app, "/protected").await,
        get(&app, "/authz").await,
    ];
    let statuses: Vec<u16> = refusals.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [401, 401, 401, 401]);
    let spent = pair["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(&app, spent).await.status().as_u16(), 200);
    assert_eq!(refresh(&app, spent).await.status().as_u16(), 401);
    assert_eq!(refresh(&app, "no-such-token").await.status().as_u16(), 401);
    let other = login(&app, &email, "metrics-password-1").await;
    let logout = app
        .http
        .post(app.url("/logout"))
        .bearer_auth(access(&other));
    assert_eq!(logout.send().await.unwrap().status().as_u16(), 204);

    let after = scrape(&app).await;
    let grew = |series: &str| grew(&before, &after, series);
    // Three reads of /protected and the guard of /logout.
    assert_eq!(grew(&decisions("allowed", "ok")), 4.0);
    assert_eq!(grew(&decisions("refused", "invalid_token")), 1.0);
    assert_eq!(grew(&decisions("refused", "token_expired")), 1.0);
    assert_eq!(grew(&decisions("refused", "missing_token")), 2.0);
    assert_eq!(grew(&result("tokengate_logins_total", "success")), 2.0);
    assert_eq!(
        grew(&result("tokengate_logins_total", "invalid_credentials")),
        1.0
    );
    assert_eq!(grew(&result("tokengate_refreshes_total", "rotated")), 1.0);
    assert_eq!(grew(&result("tokengate_refreshes_total", "reused")), 1.0);
    assert_eq!(grew(&result("tokengate_refreshes_total", "invalid")), 1.0);
    let ended = |how: &str| format!(r#"tokengate_logins_ended_total{{how="{how}"}}"#);
    assert_eq!(grew(&ended("reused")), 1.0);
    assert_eq!(grew(&ended("logout")), 1.0);
    // Every token that reached the verifier: four good ones, the bad and the expired one.
    assert_eq!(grew("tokengate_verify_duration_seconds_count"), 6.0);
    assert!(grew("tokengate_verify_duration_seconds_sum") > 0.0);
}

/// Without `TOKENGATE_METRICS`, `/metrics` is a 404 like any unknown route.
pub async fn metrics_are_off_unless_enabled(target: &Target) {
    if skip_if_external("starts the app with its defaults") {
        return;
    }
    let app = target.launch(Launch::default());
    let response = get(&app, "/metrics").await;
    assert_eq!(response.status().as_u16(), 404);
    let off = target.launch(Launch {
        env: vec![("TOKENGATE_METRICS".into(), "0".into())],
        ..Launch::default()
    });
    assert_eq!(get(&off, "/metrics").await.status().as_u16(), 404);
}
