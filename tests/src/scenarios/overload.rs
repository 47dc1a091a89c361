//! Overload: more password checks at once than the Argon2 workers can start, as a login
//! flood (or a denial of service against `/login`) sends them.

use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Response;
use serde_json::{json, Value};

use super::helpers::{json_of, login, now_nanos, signup, skip_if_external};
use crate::harness::{Launch, Target};

const PASSWORD: &str = "flood-password-1";
/// The Argon2 memory cost of the default parameters, in KiB.
const ARGON2_MEMORY_KIB: u64 = 19_456;
/// What an app may hold beyond idle and its workers' Argon2 memory after a flood.
const SLACK_KIB: u64 = 32 * 1024;

/// A refused password check: 503 `unavailable`, with a `Retry-After` of whole seconds.
async fn assert_shed(response: Response) {
    let (status, headers, body) = json_of(response).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "unavailable", "{body}");
    let retry_after = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(
        retry_after.is_some_and(|s| s >= 1),
        "Retry-After: {headers:?}"
    );
}

/// More password checks at once than `TOKENGATE_ARGON2_QUEUE` lets wait: the extra logins
/// and signups are 503 `unavailable` with `Retry-After`, every other one gets its real
/// answer, and nothing is lost: each refused signup can be made again, every account logs
/// in, and every refresh token issued still refreshes.
pub async fn a_password_flood_beyond_the_queue_is_503_and_loses_nothing(target: &Target) {
    if skip_if_external("starts the app with a small queue") {
        return;
    }
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_ARGON2_QUEUE".into(), "2".into())],
        ..Launch::default()
    });
    let stamp = now_nanos();
    let existing: Vec<String> = (0..8)
        .map(|n| format!("flood{stamp}-{n}@example.com"))
        .collect();
    for email in &existing {
        signup(&app, email, PASSWORD).await;
    }
    let fresh: Vec<String> = (0..32)
        .map(|n| format!("flood{stamp}-new{n}@example.com"))
        .collect();
    let logins = (0..32).map(|n| {
        let body = json!({"email": existing[n % existing.len()], "password": PASSWORD});
        app.http.post(app.url("/login")).json(&body).send()
    });
    let signups = fresh.iter().map(|email| {
        let body = json!({"name": "Flood", "email": email, "password": PASSWORD});
        app.http.post(app.url("/signup")).json(&body).send()
    });
    let (logins, signups) = tokio::join!(join_all(logins), join_all(signups));

    let mut pairs: Vec<Value> = Vec::new();
    let mut shed = 0;
    for response in logins {
        let response = response.expect("an answer");
        match response.status().as_u16() {
            200 => pairs.push(response.json().await.unwrap()),
            503 => {
                shed += 1;
                assert_shed(response).await;
            }
            other => panic!("a login in the flood answered {other}"),
        }
    }
    let mut created = Vec::new();
    let mut refused = Vec::new();
    for (email, response) in fresh.iter().zip(signups) {
        let response = response.expect("an answer");
        match response.status().as_u16() {
            201 => created.push(email),
            503 => {
                refused.push(email);
                assert_shed(response).await;
            }
            other => panic!("a signup in the flood answered {other}"),
        }
    }
    assert!(shed + refused.len() > 0, "64 checks at once, 2 may wait");
    assert!(!pairs.is_empty() || !created.is_empty(), "some were served");

    for pair in &pairs {
        let body = json!({"refresh_token": pair["refresh_token"]});
        let refreshed = app.http.post(app.url("/refresh")).json(&body).send();
        assert_eq!(refreshed.await.unwrap().status().as_u16(), 200);
    }
    for email in &refused {
        signup(&app, email, PASSWORD).await;
    }
    for email in existing.iter().chain(fresh.iter()) {
        login(&app, email, PASSWORD).await;
    }
}

/// One `kB` field of `/proc/PID/status`.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("a live app");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Memory stays bounded whatever the number of clients: while 64 clients log in at once
/// (twice each), the app's anonymous resident memory never passes idle + one Argon2 memory
/// cost per worker (one per CPU) + 32 MiB.
pub async fn memory_stays_bounded_under_a_login_flood(target: &Target) {
    if skip_if_external("reads the app's memory") {
        return;
    }
    let app = target.start();
    let pid = app.pid().expect("a started app");
    let idle = status_kib(pid, "RssAnon");
    let workers = std::thread::available_parallelism().map_or(2, usize::from) as u64;
    let bound = idle + workers * ARGON2_MEMORY_KIB + SLACK_KIB;

    let stamp = now_nanos();
    let emails: Vec<String> = (0..8)
        .map(|n| format!("memory{stamp}-{n}@example.com"))
        .collect();
    for email in &emails {
        signup(&app, email, PASSWORD).await;
    }
    let clients = (0..64).map(|n| {
        let (app, email) = (&app, &emails[n % emails.len()]);
        async move {
            for _ in 0..2 {
                let body = json!({"email": email, "password": PASSWORD});
                loop {
                    let response = app.http.post(app.url("/login")).json(&body).send();
                    match response.await.expect("an answer").status().as_u16() {
                        200 => break,
                        // Shed: come back later, as a client honouring Retry-After does.
                        503 => tokio::time::sleep(Duration::from_millis(200)).await,
                        other => panic!("a login in the flood answered {other}"),
                    }
                }
            }
        }
    });
    let flood = join_all(clients);
    tokio::pin!(flood);
    let mut peak = idle;
    loop {
        tokio::select! {
            _ = &mut flood => break,
            () = tokio::time::sleep(Duration::from_millis(25)) => {
                peak = peak.max(status_kib(pid, "RssAnon"));
            }
        }
    }
    peak = peak.max(status_kib(pid, "RssAnon"));
    eprintln!("anonymous resident memory: idle {idle} KiB, peak {peak} KiB, bound {bound} KiB");
    assert!(
        peak <= bound,
        "anonymous resident memory reached {peak} KiB; idle {idle} KiB, bound {bound} KiB \
         ({workers} workers × {ARGON2_MEMORY_KIB} KiB + {SLACK_KIB} KiB)"
    );
}
