//! A soak test: one reference app on PostgreSQL under a mixed load from 64 connections
//! (about 80% `/protected`, 9% `/cs-token`, 5% `/login`, 5% `/refresh`, 1% `/signup`) from
//! many distinct users, on loopback, for a bounded time. Reports per-route counts and
//! latencies, every non-2xx by status, and the server's resident memory idle, at 20 s (or a
//! third of a short run) and at the end; then checks that every account created still logs
//! in. A login or signup refused for load (503 with `Retry-After`) is counted as shed and
//! tried again after a pause, as a well-behaved client does.
//!
//! `cargo run --release -p tokengate-scenarios --bin soak -- APP SECONDS` (APP: app-axum,
//! app-actix, app-rocket, app-warp or tokengate). Needs `TOKENGATE_TEST_POSTGRES_URL`.
//! Exits 1 on any other 5xx, any unexpected status, a lost account, or resident memory at the
//! end above idle + one Argon2 memory cost (19 MiB) per CPU + 32 MiB.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokengate_scenarios::harness::{App, Launch, Target};
use tokengate_scenarios::outage::postgres_url;

const CONNECTIONS: usize = 64;
const USERS_PER_CONNECTION: usize = 4;
const PASSWORD: &str = "soak-password-1";
/// The Argon2 memory cost of the default parameters, in KiB: each worker keeps one.
const ARGON2_MEMORY_KIB: u64 = 19_456;
/// What the server may hold at the end beyond idle and its workers' Argon2 memory.
const SLACK_KIB: u64 = 32 * 1024;
/// The routes that check a password, where a 503 with `Retry-After` is load shedding.
const PASSWORD_ROUTES: [&str; 2] = ["/signup", "/login"];

#[derive(Default)]
struct Tally {
    latencies_us: BTreeMap<&'static str, Vec<u64>>,
    statuses: BTreeMap<(&'static str, u16), u64>,
    /// 503 answers of a password route without a `Retry-After`.
    shed_without_retry_after: u64,
    created: Vec<String>,
}

struct User {
    email: String,
    access: String,
    refresh: String,
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let app = args.next().unwrap_or_else(|| "app-axum".to_owned());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let Some(url) = postgres_url() else {
        eprintln!("soak: set TOKENGATE_TEST_POSTGRES_URL");
        std::process::exit(2);
    };
    let target = if app == "tokengate" {
        Target::command("tokengate-cli", "tokengate", &["serve"])
    } else {
        Target::new(Box::leak(app.clone().into_boxed_str()))
    };
    let server = Arc::new(target.launch(Launch {
        env: vec![("TOKENGATE_DATABASE_URL".into(), url)],
        ..Launch::default()
    }));
    let pid = server.pid().expect("a started app");
    let rss_idle = rss_kib(pid);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();

    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..CONNECTIONS {
        let (server, tally) = (server.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            let mut users = Vec::new();
            for n in 0..USERS_PER_CONNECTION {
                let email = format!("soak{stamp}-{worker}-{n}@example.com");
                users.push(new_user(&server, email, &tally).await);
            }
            let mut random =
                Random(stamp as u64 ^ (worker as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut signups = 0;
            while Instant::now() < deadline {
                let user = random.below(users.len());
                let roll = random.below(100);
                if roll < 80 {
                    let request = server
                        .http
                        .get(server.url("/protected"))
                        .bearer_auth(&users[user].access);
                    let _ = call(&tally, "/protected", request).await;
                } else if roll < 89 {
                    let request = server
                        .http
                        .get(server.url("/cs-token"))
                        .bearer_auth(&users[user].access);
                    let _ = call(&tally, "/cs-token", request).await;
                } else if roll < 94 {
                    let body = json!({"email": users[user].email, "password": PASSWORD});
                    let request = server.http.post(server.url("/login")).json(&body);
                    if let Ok(pair) = call(&tally, "/login", request).await {
                        users[user].access = pair["access_token"].as_str().unwrap().to_owned();
                        users[user].refresh = pair["refresh_token"].as_str().unwrap().to_owned();
                    }
                } else if roll < 99 {
                    let body = json!({"refresh_token": users[user].refresh});
                    let request = server.http.post(server.url("/refresh")).json(&body);
                    if let Ok(pair) = call(&tally, "/refresh", request).await {
                        users[user].access = pair["access_token"].as_str().unwrap().to_owned();
                        users[user].refresh = pair["refresh_token"].as_str().unwrap().to_owned();
                    }
                } else {
                    signups += 1;
                    let email = format!("soak{stamp}-{worker}-extra{signups}@example.com");
                    users.push(new_user(&server, email, &tally).await);
                }
            }
        }));
    }
    let early = Duration::from_secs(20.min(seconds / 3).max(1));
    tokio::time::sleep(early).await;
    let rss_early = rss_kib(pid);
    for worker in workers {
        worker.await.expect("a worker");
    }
    let rss_end = rss_kib(pid);

    // Every account created still logs in.
    let created = tally.lock().unwrap().created.clone();
    let mut lost = 0;
    for email in &created {
        let body = json!({"email": email, "password": PASSWORD});
        let response = server
            .http
            .post(server.url("/login"))
            .json(&body)
            .send()
            .await;
        if !response.is_ok_and(|r| r.status().is_success()) {
            lost += 1;
        }
    }
    let failed = report(&tally.lock().unwrap(), seconds);
    let workers = std::thread::available_parallelism().map_or(2, usize::from) as u64;
    let bound = rss_idle + workers * ARGON2_MEMORY_KIB + SLACK_KIB;
    let growth = (rss_end as f64 / rss_early.max(1) as f64 - 1.0) * 100.0;
    println!(
        "resident memory: {rss_idle} KiB idle, {rss_early} KiB at {} s, {rss_end} KiB at the \
         end ({growth:+.1}% since {} s); bound idle + {workers} × {ARGON2_MEMORY_KIB} + \
         {SLACK_KIB} = {bound} KiB",
        early.as_secs(),
        early.as_secs()
    );
    let over = rss_end > bound;
    if over {
        println!("resident memory at the end is over the bound");
    }
    println!(
        "accounts created {}, logging in after the run: {} lost",
        created.len(),
        lost
    );
    if failed || over || lost > 0 {
        std::process::exit(1);
    }
}

async fn new_user(server: &App, email: String, tally: &Mutex<Tally>) -> User {
    let body = json!({"name": "Soak", "email": email, "password": PASSWORD});
    let signup = || server.http.post(server.url("/signup")).json(&body);
    if call_until_served(tally, "/signup", signup).await.is_ok() {
        tally.lock().unwrap().created.push(email.clone());
    }
    let body = json!({"email": email, "password": PASSWORD});
    let login = || server.http.post(server.url("/login")).json(&body);
    let pair = call_until_served(tally, "/login", login)
        .await
        .unwrap_or_default();
    User {
        email,
        access: pair["access_token"].as_str().unwrap_or_default().to_owned(),
        refresh: pair["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Sends the request `make` builds until it is not shed, pausing a second after each 503, at
/// most 30 times (a service that sheds for half a minute is broken: the 503s are reported).
async fn call_until_served(
    tally: &Mutex<Tally>,
    route: &'static str,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Value, u16> {
    for _ in 0..30 {
        match call(tally, route, make()).await {
            Err(503) => tokio::time::sleep(Duration::from_secs(1)).await,
            answer => return answer,
        }
    }
    Err(503)
}

/// Sends `request`, records its status and latency under `route`; the JSON body of a 2xx,
/// or the status (0 for no answer).
async fn call(
    tally: &Mutex<Tally>,
    route: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<Value, u16> {
    let started = Instant::now();
    let response = request.send().await;
    let (status, retry_after, body) = match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            (status, retry_after, response.bytes().await.ok())
        }
        Err(_) => (0, false, None),
    };
    let elapsed = started.elapsed().as_micros() as u64;
    let mut tally = tally.lock().unwrap();
    tally.latencies_us.entry(route).or_default().push(elapsed);
    *tally.statuses.entry((route, status)).or_default() += 1;
    if status == 503 && !retry_after {
        tally.shed_without_retry_after += 1;
    }
    drop(tally);
    if (200..300).contains(&status) {
        Ok(body
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null))
    } else {
        Err(status)
    }
}

/// Prints the report; `true` when a 5xx other than shedding, or another unexpected status
/// (any other non-2xx), was seen.
fn report(tally: &Tally, seconds: u64) -> bool {
    println!("{seconds} s, {CONNECTIONS} connections");
    println!(
        "{:<12} {:>9} {:>10} {:>10}",
        "route", "requests", "p50 ms", "p99 ms"
    );
    for (route, latencies) in &tally.latencies_us {
        let mut sorted = latencies.clone();
        sorted.sort_unstable();
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
        println!(
            "{route:<12} {:>9} {:>10.2} {:>10.2}",
            sorted.len(),
            at(0.5),
            at(0.99)
        );
    }
    let mut unexpected = tally.shed_without_retry_after;
    let mut server_errors = tally.shed_without_retry_after;
    let mut shed = 0;
    for ((route, status), count) in &tally.statuses {
        if (200..300).contains(status) {
            continue;
        }
        println!("non-2xx: {route} {status} ×{count}");
        if *status == 503 && PASSWORD_ROUTES.contains(route) {
            shed += count;
            continue;
        }
        unexpected += count;
        if *status >= 500 || *status == 0 {
            server_errors += count;
        }
    }
    println!(
        "shed (503 with Retry-After on a password route): {shed}; other 5xx (or no answer): \
         {server_errors}; unexpected statuses: {unexpected}"
    );
    server_errors > 0 || unexpected > 0
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// xorshift64*: enough randomness to pick routes and users.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }
}
