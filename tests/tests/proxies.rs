//! Real proxies in front of a service in another language, asking `tokengate serve` about
//! every request: nginx (`auth_request`) and Caddy (`forward_auth`), each with the
//! configuration docs/gateway.md shows, copied from the page by this test (only the three
//! addresses are replaced by free ones), so the page cannot drift from what works.
//!
//! Needs `nginx` and `caddy` (Debian packages, which `.ci/run` installs) and a `python3`.
//! Without them the tests are skipped with a message, except under `CI=true`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokengate_scenarios::harness::{App, Launch, Target};

/// The gateway's policy for these tests: an open prefix, a scoped one, and a token everywhere
/// else.
const POLICY: &str = r#"
[[rule]]
path = "/public/"
methods = ["GET", "HEAD"]
allow = "anyone"

[[rule]]
path = "/admin/"
scopes = ["admin"]

[[rule]]
path = "/"
"#;

/// The addresses the page's configurations use, replaced by the test's.
const PAGE_TOKENGATE: &str = "127.0.0.1:8080";
const PAGE_UPSTREAM: &str = "127.0.0.1:9000";

fn tool(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var("PATH").unwrap_or_default();
    let found = dirs
        .split(':')
        .chain(["/usr/sbin", "/usr/local/sbin"])
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but `{name}` is not installed: .ci/run installs it");
        }
        eprintln!("`{name}` not found: its gateway test is skipped");
    }
    found
}

/// The first block of `language` in docs/gateway.md, as it is on the page.
fn page_block(language: &str) -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/gateway.md"))
        .expect("docs/gateway.md");
    let fence = format!("```{language}\n");
    let start = page.find(&fence).expect("a block of the language") + fence.len();
    let end = start + page[start..].find("```").expect("the end of the block");
    page[start..end].to_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            panic!("{what} exited with {status}: {stderr}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process stopped when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The Python service behind the proxy, and its port.
fn upstream() -> (Running, u16) {
    let python = tokengate_scenarios::harness::python_with("http.server").expect("a python3");
    let mut child = Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/proxies/upstream.py"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the upstream's port");
    (Running(child), port)
}

/// `tokengate serve` with the test's policy.
fn gateway() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let launch = Launch {
        env: vec![(
            "TOKENGATE_AUTHZ_POLICY".into(),
            policy.display().to_string(),
        )],
        ..Launch::default()
    };
    let app = Target::command("tokengate-cli", "tokengate", &["serve"]).launch(launch);
    (app, dir)
}

fn addresses(block: &str, app: &App, upstream: u16) -> String {
    block
        .replace(PAGE_TOKENGATE, app.base.trim_start_matches("http://"))
        .replace(PAGE_UPSTREAM, &format!("127.0.0.1:{upstream}"))
}

/// A request sent byte for byte (an HTTP client would resolve dot segments first): the status
/// and the body.
fn raw_get(port: u16, path: &str, extra: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status for {path}: {answer:?}"));
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// What every proxy must show, through `proxy` (its base URL), in front of `app`.
async fn the_proxy_guards_the_upstream(proxy: &str, port: u16, app: &App) {
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{proxy}{path}"));
    let seen = |response: reqwest::Response| async move {
        assert_eq!(response.status().as_u16(), 200, "passed on");
        response.json::<Value>().await.unwrap()
    };

    // No token: the proxy answers 401 with the challenge, and the upstream never sees it.
    let refused = get("/api/notes").send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"tokengate\""),
        "{challenge}"
    );

    // A valid token: the upstream sees who it is, and only that.
    let user = app.mint("user-42", json!({"scope": "notes:read"}));
    let passed = seen(
        get("/api/notes?page=2")
            .bearer_auth(&user)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(passed["path"], "/api/notes?page=2");
    assert_eq!(
        passed["identity"],
        json!({"x-tokengate-subject": "user-42", "x-tokengate-issuer": "tokengate", "x-tokengate-scope": "notes:read"})
    );
    // An identity the client forges never reaches the upstream, with a token or without.
    let forged = get("/api/notes")
        .bearer_auth(&user)
        .header("x-tokengate-subject", "admin")
        .header("x-tokengate-scope", "admin")
        .send()
        .await
        .unwrap();
    let forged = seen(forged).await;
    assert_eq!(forged["identity"]["x-tokengate-subject"], "user-42");
    assert_eq!(forged["identity"]["x-tokengate-scope"], "notes:read");
    let anonymous = get("/public/page")
        .header("x-tokengate-subject", "admin")
        .header("x-tokengate-issuer", "me")
        .send()
        .await
        .unwrap();
    let anonymous = seen(anonymous).await;
    assert_eq!(
        anonymous["identity"],
        json!({}),
        "no identity for an anonymous request"
    );

    // Scopes, and a method the policy does not open.
    let no_scope = get("/admin/users").bearer_auth(&user).send().await.unwrap();
    assert_eq!(no_scope.status().as_u16(), 403);
    let admin = app.mint("root", json!({"scope": "admin"}));
    let allowed = seen(
        get("/admin/users")
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(allowed["identity"]["x-tokengate-subject"], "root");
    let post = http
        .post(format!("{proxy}/public/form"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status().as_u16(),
        401,
        "no public POST: the catch-all rule needs a token"
    );

    // Traversal: resolved to /admin (which needs a token), or refused; never passed on.
    for path in [
        "/public/../admin/users",
        "/public/%2e%2e/admin/users",
        "/public/%2E%2E/admin/users",
        "/public//../admin/users",
        "/public/%2F..%2Fadmin/users",
        "/public/..%2Fadmin/users",
        "/public/%5C../admin/users",
        "/public/..;/admin/users",
        "/public/%252e%252e/admin/users",
        "/public/%00/../admin/users",
    ] {
        let (status, body) = raw_get(port, path, "");
        assert!(
            (400..600).contains(&status) && !body.contains("\"identity\""),
            "{path}: {status} {body}"
        );
    }
    let (status, body) = raw_get(port, "/public/ok", "");
    assert!(
        status == 200 && body.contains("\"identity\""),
        "{status} {body}"
    );
}

#[tokio::test]
async fn nginx_auth_request_with_the_documented_configuration() {
    let Some(nginx) = tool("nginx") else { return };
    if std::process::Command::new("python3")
        .arg("-V")
        .output()
        .is_err()
    {
        return;
    }
    if Target::external().is_some() {
        return;
    }
    let (app, dir) = gateway();
    let (_upstream, upstream_port) = upstream();
    let port = free_port();
    let block = addresses(&page_block("nginx"), &app, upstream_port)
        .replace("listen 8000;", &format!("listen 127.0.0.1:{port};"));
    let prefix = dir.path();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
         events {{ worker_connections 256; }}\nhttp {{\n    access_log off;\n    \
         client_body_temp_path {p}/body;\n    proxy_temp_path {p}/proxy;\n    \
         fastcgi_temp_path {p}/fastcgi;\n    uwsgi_temp_path {p}/uwsgi;\n    scgi_temp_path {p}/scgi;\n\
         {block}\n}}\n",
        p = prefix.display()
    );
    std::fs::write(prefix.join("nginx.conf"), conf).unwrap();
    let mut child = Command::new(nginx)
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx");
    wait_for_port(port, &mut child, "nginx");
    let _nginx = Running(child);
    the_proxy_guards_the_upstream(&format!("http://127.0.0.1:{port}"), port, &app).await;
}

#[tokio::test]
async fn caddy_forward_auth_with_the_documented_configuration() {
    let Some(caddy) = tool("caddy") else { return };
    if Target::external().is_some() {
        return;
    }
    let (app, dir) = gateway();
    let (_upstream, upstream_port) = upstream();
    let port = free_port();
    let block = addresses(&page_block("caddyfile"), &app, upstream_port).replacen(
        ":8001 {",
        &format!("http://127.0.0.1:{port} {{"),
        1,
    );
    let global = "{\n\tadmin off\n\tauto_https off\n}\n";
    let caddyfile = dir.path().join("Caddyfile");
    std::fs::write(&caddyfile, format!("{global}{block}")).unwrap();
    let mut child = Command::new(caddy)
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&caddyfile)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caddy");
    wait_for_port(port, &mut child, "caddy");
    let _caddy = Running(child);
    the_proxy_guards_the_upstream(&format!("http://127.0.0.1:{port}"), port, &app).await;
}
