//! Several instances, one PostgreSQL database: two apps started side by side (two `tokengate
//! serve`, or two different reference apps) must behave as one service.

use std::time::{Duration, Instant};

use reqwest::Response;
use serde_json::json;

use crate::harness::{App, Launch, Target};
use crate::outage::{postgres_url, CuttableProxy};
use crate::scenarios::helpers::{access, expect_error, login, login_attempt, now_nanos, signup};

/// How long an instance may take to enforce another's revocation: the guarantee.
pub const PROPAGATION_BOUND: Duration = Duration::from_secs(1);

/// Starts `target` on the database `url`.
fn on(target: &Target, url: &str) -> App {
    target.launch(Launch {
        env: vec![("TOKENGATE_DATABASE_URL".into(), url.to_owned())],
        ..Launch::default()
    })
}

async fn protected(app: &App, token: &str) -> Response {
    app.http
        .get(app.url("/protected"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

/// Polls `app` until it refuses `token`; the time that took, or `None` past `limit`.
async fn refused_within(app: &App, token: &str, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() <= limit {
        if protected(app, token).await.status().as_u16() == 401 {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

/// `POST /logout` with `token` on `app`, which must answer 204.
async fn log_out(app: &App, token: &str) {
    let response = app
        .http
        .post(app.url("/logout"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 204);
}

async fn fresh_user(app: &App) -> String {
    let email = format!("instances{}@example.com", now_nanos());
    signup(app, &email, "password1").await;
    email
}

/// Signup on A, login on B; logout on B refused on A within the bound; the refresh grace
/// across both, and refresh-token reuse on one ending the login on both; failed logins
/// counted together.
pub async fn instances_act_as_one_service(a: &Target, b: &Target) {
    let Some(url) = postgres_url() else { return };
    let (a, b) = (on(a, &url), on(b, &url));

    let email = fresh_user(&a).await;
    let pair = login(&b, &email, "password1").await;
    let token = access(&pair);
    assert_eq!(protected(&a, &token).await.status().as_u16(), 200);
    log_out(&b, &token).await;
    let took = refused_within(&a, &token, PROPAGATION_BOUND).await;
    assert!(
        took.is_some(),
        "A still accepts a token B logged out, after {PROPAGATION_BOUND:?}"
    );

    // The refresh grace holds across instances (one successor secret per store): the same
    // token refreshed on B then on A gets one successor. Once that successor is spent,
    // the first token again on A is reuse and ends the login on both.
    let pair = login(&a, &email, "password1").await;
    let refresh = |app: &App, token: &serde_json::Value| {
        app.http
            .post(app.url("/refresh"))
            .json(&json!({"refresh_token": token}))
            .send()
    };
    let first = &pair["refresh_token"];
    let rotated: serde_json::Value = refresh(&b, first).await.unwrap().json().await.unwrap();
    let again: serde_json::Value = refresh(&a, first).await.unwrap().json().await.unwrap();
    assert_eq!(
        again["refresh_token"], rotated["refresh_token"],
        "one successor"
    );
    let next = refresh(&b, &rotated["refresh_token"]).await.unwrap();
    assert_eq!(next.status().as_u16(), 200);
    let next: serde_json::Value = next.json().await.unwrap();
    let rotated_token = access(&next);
    expect_error(refresh(&a, first).await.unwrap(), 401, "invalid_token").await;
    for app in [&a, &b] {
        let took = refused_within(app, &rotated_token, PROPAGATION_BOUND).await;
        assert!(
            took.is_some(),
            "the reused login still works on {}",
            app.base
        );
    }

    // Ten failures spread over both instances lock the address on both.
    let target = fresh_user(&b).await;
    for attempt in 0..10 {
        let app = if attempt % 2 == 0 { &a } else { &b };
        expect_error(
            login_attempt(app, &target, "wrong-password").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    for app in [&a, &b] {
        let locked = login_attempt(app, &target, "password1").await;
        let retry_after = locked.headers().get("retry-after").cloned();
        expect_error(locked, 429, "too_many_attempts").await;
        assert!(retry_after.is_some(), "429 with Retry-After");
    }
}

/// B's connection to the database is cut while A logs a token out; once it is back, B
/// catches up and refuses the token within the bound.
pub async fn a_revocation_missed_while_cut_is_caught_up(a: &Target, b: &Target) {
    let Some(url) = postgres_url() else { return };
    let (proxy, proxied) = CuttableProxy::in_front_of(&url);
    let (a, b) = (on(a, &url), on(b, &proxied));
    let email = fresh_user(&a).await;
    let token = access(&login(&a, &email, "password1").await);
    assert_eq!(protected(&b, &token).await.status().as_u16(), 200);

    proxy.cut();
    log_out(&a, &token).await;
    // Cut off, B cannot know yet (verification needs no database and goes on).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(protected(&b, &token).await.status().as_u16(), 200);

    proxy.restore();
    let took = refused_within(&b, &token, PROPAGATION_BOUND + Duration::from_secs(1)).await;
    assert!(
        took.is_some(),
        "B never caught up with the revocation made while it was cut off"
    );
}

/// Fifty logouts on B, each timed until A refuses the token: the distribution (in
/// milliseconds: p50, p99, max). Every one must be within the bound.
pub async fn propagation_times(a: &Target, b: &Target, trials: usize) -> Option<[f64; 3]> {
    let url = postgres_url()?;
    let (a, b) = (on(a, &url), on(b, &url));
    let email = fresh_user(&a).await;
    let mut times = Vec::with_capacity(trials);
    for _ in 0..trials {
        let token = access(&login(&b, &email, "password1").await);
        assert_eq!(protected(&a, &token).await.status().as_u16(), 200);
        log_out(&b, &token).await;
        let took = refused_within(&a, &token, PROPAGATION_BOUND)
            .await
            .unwrap_or_else(|| panic!("not refused within {PROPAGATION_BOUND:?}"));
        times.push(took.as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    Some([at(0.5), at(0.99), times[times.len() - 1]])
}
