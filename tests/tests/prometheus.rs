//! A real Prometheus server scraping `tokengate serve`, with the alert rules docs/operations.md
//! shows, copied from the page by this test: `promtool check rules` accepts them, the server
//! finds the series the service reports, and a replayed refresh token fires the alert meant
//! for it.
//!
//! Needs `prometheus` and `promtool` (Debian's `prometheus`, which `.ci/run` installs). Without
//! them the test is skipped with a message, except under `CI=true`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokengate_scenarios::harness::{App, Launch, Target};

/// The address the page's scrape job names, replaced by the test's.
const PAGE_TARGET: &str = "127.0.0.1:8080";

fn tool(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var("PATH").unwrap_or_default();
    let found = dirs
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but `{name}` is not installed: .ci/run installs Debian's prometheus");
        }
        eprintln!("`{name}` not found: the Prometheus test is skipped");
    }
    found
}

/// The YAML blocks of docs/operations.md, in order, as they are on the page.
fn page_yaml_blocks() -> Vec<String> {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/operations.md"
    ))
    .expect("docs/operations.md");
    page.split("```yaml\n")
        .skip(1)
        .map(|rest| rest[..rest.find("```").expect("the end of the block")].to_owned())
        .collect()
}

/// A child process stopped when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Polls `check` every 200 ms until it gives a value, for at most `limit`.
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The value of the instant query `query`, when it has exactly one series.
async fn query(http: &reqwest::Client, prometheus: &str, query: &str) -> Option<f64> {
    let url = format!("{prometheus}/api/v1/query");
    let response = http.get(url).query(&[("query", query)]).send().await.ok()?;
    let body: Value = response.json().await.ok()?;
    let result = body["data"]["result"].as_array()?;
    match result.as_slice() {
        [one] => one["value"][1].as_str()?.parse().ok(),
        _ => None,
    }
}

/// The state of the alert `name` (`pending`, `firing`), if it is active.
async fn alert_state(http: &reqwest::Client, prometheus: &str, name: &str) -> Option<String> {
    let url = format!("{prometheus}/api/v1/alerts");
    let body: Value = http.get(url).send().await.ok()?.json().await.ok()?;
    body["data"]["alerts"]
        .as_array()?
        .iter()
        .find(|alert| alert["labels"]["alertname"] == name)
        .and_then(|alert| alert["state"].as_str().map(str::to_owned))
}

async fn post_json(app: &App, path: &str, body: Value) -> reqwest::Response {
    let request = app.http.post(app.url(path)).json(&body);
    request.send().await.expect("request")
}

#[tokio::test]
async fn prometheus_scrapes_tokengate_and_the_documented_alerts_fire() {
    let (Some(prometheus), Some(promtool)) = (tool("prometheus"), tool("promtool")) else {
        return;
    };
    let blocks = page_yaml_blocks();
    let (rules, scrape_job) = match blocks.as_slice() {
        [rules, scrape_job, ..] => (rules, scrape_job),
        _ => panic!("docs/operations.md shows the alert rules and a scrape job"),
    };
    let dir = tempfile::tempdir().unwrap();
    let rules_file = dir.path().join("rules.yml");
    std::fs::write(&rules_file, rules).unwrap();
    let checked = Command::new(&promtool)
        .args(["check", "rules"])
        .arg(&rules_file)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "promtool check rules refused the page's rules:\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let app = Target::command("tokengate-cli", "tokengate", &["serve"]).launch(Launch {
        env: vec![
            ("TOKENGATE_METRICS".into(), "1".into()),
            ("TOKENGATE_REFRESH_GRACE".into(), "0".into()),
        ],
        ..Launch::default()
    });
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [\"{}\"]\n{}",
        rules_file.display(),
        scrape_job.replace(PAGE_TARGET, app.base.trim_start_matches("http://"))
    );
    let config_file = dir.path().join("prometheus.yml");
    std::fs::write(&config_file, config).unwrap();
    let port = free_port();
    let _server = Running(
        Command::new(&prometheus)
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus"),
    );
    let server = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    eventually("prometheus to listen", Duration::from_secs(30), || async {
        TcpStream::connect(("127.0.0.1", port)).ok()
    })
    .await;
    // One scrape before the events, so that the counters' increase is seen from zero.
    let up = eventually("a first scrape", Duration::from_secs(30), || {
        query(&http, &server, r#"up{job="tokengate"}"#)
    })
    .await;
    assert_eq!(up, 1.0, "the scrape of tokengate serve failed");

    let email = format!("prometheus{}@example.com", std::process::id());
    let account = json!({"name": "P", "email": email, "password": "prometheus-password"});
    assert_eq!(post_json(&app, "/signup", account).await.status(), 201);
    let credentials = json!({"email": email, "password": "prometheus-password"});
    let pair: Value = post_json(&app, "/login", credentials)
        .await
        .json()
        .await
        .unwrap();
    let refresh = json!({"refresh_token": pair["refresh_token"]});
    assert_eq!(
        post_json(&app, "/refresh", refresh.clone()).await.status(),
        200
    );
    assert_eq!(post_json(&app, "/refresh", refresh).await.status(), 401);

    let logins = r#"tokengate_logins_total{job="tokengate",result="success"}"#;
    eventually(
        "the login in Prometheus",
        Duration::from_secs(30),
        || async { query(&http, &server, logins).await.filter(|v| *v >= 1.0) },
    )
    .await;
    let build = r#"tokengate_build_info{job="tokengate"}"#;
    assert_eq!(query(&http, &server, build).await, Some(1.0));
    let state = eventually(
        "the reuse alert to fire",
        Duration::from_secs(30),
        || async {
            alert_state(&http, &server, "TokengateRefreshTokenReused")
                .await
                .filter(|state| state == "firing")
        },
    )
    .await;
    assert_eq!(state, "firing");
    // The other rules evaluate without firing on a quiet service.
    for quiet in ["TokengateInvalidTokenSpike", "TokengateLoginThrottling"] {
        assert_eq!(alert_state(&http, &server, quiet).await, None, "{quiet}");
    }
}
