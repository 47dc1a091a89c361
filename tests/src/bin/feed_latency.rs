//! How soon a verify-only app following the revocation feed refuses a logged-out token:
//! `tokengate serve` and a verify-only example (default `axum-verify-only`) following it on
//! loopback; TRIALS times (default 50) a fresh login is accepted by the follower, logged out
//! on the service, and the follower is asked every 5 ms until it refuses. Prints the
//! distribution of that delay (from the logout's answer to the first refusal) and exits 1 if
//! the p99 passes one second, the contract's bound.
//!
//! `cargo run -p tokengate-scenarios --bin feed_latency -- [EXAMPLE] [TRIALS]`
//! (bench/feed-latency.sh runs it).

use std::time::{Duration, Instant};

use serde_json::json;
use tokengate_scenarios::harness::{Launch, Target};

const BOUND: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let example = args.next().unwrap_or_else(|| "axum-verify-only".to_owned());
    let trials: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let service = Target::command("tokengate-cli", "tokengate", &["serve"]).start();
    let follower =
        Target::verify_only(Box::leak(example.clone().into_boxed_str())).launch(Launch {
            env: vec![("TOKENGATE_REVOCATION_FEED".into(), service.base.clone())],
            ..Launch::default()
        });
    let email = "feed-latency@example.com";
    let account = json!({"name": "Feed", "email": email, "password": "password1"});
    let signup = service.http.post(service.url("/signup")).json(&account);
    assert_eq!(signup.send().await.unwrap().status().as_u16(), 201);

    let mut delays = Vec::with_capacity(trials);
    for _ in 0..trials {
        let login = service.http.post(service.url("/login")).json(&account);
        let pair: serde_json::Value = login.send().await.unwrap().json().await.unwrap();
        let token = pair["access_token"].as_str().unwrap().to_owned();
        let status = || {
            let request = follower
                .http
                .get(follower.url("/api/me"))
                .bearer_auth(&token);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status().await, 200, "the follower accepts a fresh login");
        let logout = service
            .http
            .post(service.url("/logout"))
            .bearer_auth(&token);
        assert_eq!(logout.send().await.unwrap().status().as_u16(), 204);
        let logged_out = Instant::now();
        while status().await != 401 {
            if logged_out.elapsed() > Duration::from_secs(10) {
                panic!("{example} still accepts a token logged out 10 s ago");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        delays.push(logged_out.elapsed());
    }
    delays.sort_unstable();
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{example} following tokengate serve, {trials} logouts: refused after p50 {:.0} ms, \
         p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms (bound {} ms)",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(delays[delays.len() - 1]),
        BOUND.as_millis()
    );
    if at(0.99) > BOUND {
        std::process::exit(1);
    }
}
