//! `tokengate serve`, run for real: shutdown, logs, private keys, configuration precedence
//! and key rotation across a restart.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::*;

fn start_serve(dir: &Path, extra: &[&str]) -> (std::process::Child, String) {
    start_serve_with(dir, extra, &[("TOKENGATE_SECRET", SECRET)])
}

fn start_serve_with(
    dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Child, String) {
    let url = format!("sqlite://{}", dir.join("serve.db").display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_tokengate"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TOKENGATE_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .arg("serve")
        .args(extra)
        .envs(env.iter().copied())
        .env("TOKENGATE_ADDR", "127.0.0.1:0")
        .env("TOKENGATE_DATABASE_URL", url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("a line").expect("utf-8");
    let base = line
        .strip_prefix("listening on http://")
        .expect("listening line")
        .to_owned();
    (child, base)
}

#[test]
fn sigterm_lets_a_slow_request_finish_before_exit() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = start_serve(dir.path(), &[]);
    let body = r#"{"name":"Slow","email":"slow@example.com","password":"password1"}"#;
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /signup HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit {:?}", output.status);
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(
        logs.contains("/signup") && logs.contains("201"),
        "one line per request: {logs}"
    );
    assert!(
        !logs.contains("password1") && !logs.contains("slow@example.com"),
        "{logs}"
    );
}

#[test]
fn serve_logs_never_hold_tokens_or_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = start_serve(dir.path(), &[]);
    let token = stdout(&tokengate(
        &["issue", "--sub", "u"],
        &[("TOKENGATE_SECRET", SECRET)],
    ));
    for path in [
        "/protected".to_owned(),
        format!("/protected?access_token={token}"),
    ] {
        let bearer = format!("Bearer {token}");
        let (status, body) = http(
            &addr,
            &format!("GET {path}"),
            &[("Authorization", &bearer)],
            "",
        );
        assert_eq!(status, 200, "{body}");
    }
    let logs = stop_and_read_logs(child);
    assert!(logs.contains("/protected"), "{logs}");
    assert!(
        !logs.contains(&token[..20]) && !logs.contains(SECRET),
        "{logs}"
    );
}

/// `TOKENGATE_LOG_FORMAT=json`: one JSON object per line, the latency in whole microseconds,
/// and no terminal colours in a pipe (in either format).
#[test]
fn serve_logs_json_lines_for_log_shippers() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_LOG_FORMAT", "json"),
    ];
    let (child, addr) = start_serve_with(dir.path(), &[], &env);
    let (status, _) = http(&addr, "GET /public", &[], "");
    assert_eq!(status, 200);
    let logs = stop_and_read_logs(child);
    assert!(!logs.contains('\u{1b}'), "no ANSI escapes: {logs:?}");
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let request = lines
        .iter()
        .find(|line| line["fields"]["message"] == "request")
        .unwrap_or_else(|| panic!("a request line: {logs}"));
    assert_eq!(request["fields"]["path"], "/public");
    assert_eq!(request["fields"]["status"], 200);
    assert!(request["fields"]["latency_us"].is_u64(), "{request}");

    let (child, addr) = start_serve(dir.path(), &[]);
    http(&addr, "GET /public", &[], "");
    let text = stop_and_read_logs(child);
    assert!(text.contains("latency_us="), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI escapes in a pipe: {text:?}"
    );
}

#[test]
fn serve_refuses_an_unknown_log_format() {
    let output = tokengate(
        &["serve"],
        &[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_LOG_FORMAT", "xml"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: TOKENGATE_LOG_FORMAT: must be `text` or `json`"
    );
}

/// Stops a `serve` started by [`start_serve_with`] (SIGTERM, so it finishes in order) and
/// returns everything it logged.
fn stop_and_read_logs(mut child: std::process::Child) -> String {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    logs
}

/// `keygen`'s files drive `serve` as they are: the served JWKS is the one keygen wrote (same
/// thumbprint `kid`), and `verify` accepts the service's tokens with keygen's public key.
/// (The HTTP security of a private-key service is in the scenario suite.)
#[test]
fn keygen_output_runs_serve_with_a_private_key() {
    let (dir, keys) = keygen_pair("ES256");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(keys.join("jwks.json")).unwrap()).unwrap();
    let private = keys.join("private.pem");
    let (mut child, addr) = start_serve_with(
        dir.path(),
        &[],
        &[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", private.to_str().unwrap()),
        ],
    );

    let (status, body) = http(&addr, "GET /.well-known/jwks.json", &[], "");
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served, written);

    let json = [("Content-Type", "application/json")];
    let account = r#"{"name":"Jo","email":"jo@example.com","password":"password1"}"#;
    assert_eq!(http(&addr, "POST /signup", &json, account).0, 201);
    let (status, body) = http(&addr, "POST /login", &json, account);
    assert_eq!(status, 200, "{body}");
    let pair: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let verified = tokengate(
        &[
            "verify",
            token,
            "--alg",
            "ES256",
            "--key",
            keys.join("public.pem").to_str().unwrap(),
            "--aud",
            "tokengate",
            "--iss",
            "tokengate",
        ],
        &[],
    );
    assert!(verified.status.success(), "{}", stderr(&verified));

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
fn serve_refuses_a_private_key_that_does_not_fit() {
    let (dir, keys) = keygen_pair("EdDSA");
    let private = keys.join("private.pem");
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    let refused = tokengate(
        &["serve"],
        &[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", private.to_str().unwrap()),
            ("TOKENGATE_DATABASE_URL", &db),
        ],
    );
    assert_clean_failure(&refused, 2, "TOKENGATE_PRIVATE_KEY_FILE");
    let pem = std::fs::read_to_string(&private).unwrap();
    assert!(!stderr(&refused).contains(pem.lines().nth(1).unwrap()));
    let no_file = tokengate(
        &["serve"],
        &[
            ("TOKENGATE_ALGORITHM", "RS256"),
            ("TOKENGATE_DATABASE_URL", &db),
        ],
    );
    assert_clean_failure(&no_file, 2, "TOKENGATE_PRIVATE_KEY_FILE");
}

#[test]
fn flags_beat_the_config_file_which_beats_the_variables() {
    let dir = tempfile::tempdir().unwrap();
    let db = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let (from_env, from_file, from_flag) = (db("env.db"), db("file.db"), db("flag.db"));
    let config = dir.path().join("tokengate.toml");
    std::fs::write(&config, format!("database_url = \"{from_file}\"\n")).unwrap();
    let config = config.to_str().unwrap();
    let env = [
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_DATABASE_URL", from_env.as_str()),
    ];
    let add = |extra: &[&str], email: &str| {
        let mut args = vec!["user"];
        args.extend(extra);
        args.extend([
            "add",
            "--name",
            "N",
            "--email",
            email,
            "--password",
            "password1",
        ]);
        let added = tokengate(&args, &env);
        assert!(added.status.success(), "{}", stderr(&added));
    };
    add(&[], "env@example.com");
    add(&["--config", config], "file@example.com");
    add(
        &["--config", config, "--database-url", &from_flag],
        "flag@example.com",
    );
    for (url, email) in [
        (&from_env, "env@example.com"),
        (&from_file, "file@example.com"),
        (&from_flag, "flag@example.com"),
    ] {
        let listed = stdout(&tokengate(
            &["user", "list"],
            &[
                ("TOKENGATE_SECRET", SECRET),
                ("TOKENGATE_DATABASE_URL", url),
            ],
        ));
        assert_eq!(listed.lines().count(), 1, "{url}: {listed}");
        assert!(listed.contains(email), "{url}: {listed}");
    }
}

/// Signs up and logs in `email` on a running `serve`: the access token.
fn login(addr: &str, email: &str) -> String {
    let json = [("Content-Type", "application/json")];
    let account = format!(r#"{{"name":"Jo","email":"{email}","password":"password1"}}"#);
    let (status, body) = http(addr, "POST /signup", &json, &account);
    assert!(status == 201 || status == 409, "{status} {body}");
    let (status, body) = http(addr, "POST /login", &json, &account);
    assert_eq!(status, 200, "{body}");
    let pair: serde_json::Value = serde_json::from_str(&body).unwrap();
    pair["access_token"].as_str().unwrap().to_owned()
}

fn protected(addr: &str, token: &str) -> u16 {
    let bearer = format!("Bearer {token}");
    http(addr, "GET /protected", &[("Authorization", &bearer)], "").0
}

fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Rotating the secret (the operator's procedure of docs/http-api.md): after the restart
/// with the new secret and the old one in `TOKENGATE_PREVIOUS_SECRET`, a token issued
/// before still works, new tokens name the new key, and a token of another secret does not.
#[test]
fn a_token_of_the_previous_secret_survives_the_rotation_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = start_serve(dir.path(), &[]);
    let before = login(&addr, "jo@example.com");
    assert_eq!(protected(&addr, &before), 200);
    stop(child);

    let new_secret = "the-new-secret-of-the-rotation-0123456789";
    let rotated = [
        ("TOKENGATE_SECRET", new_secret),
        ("TOKENGATE_KEY_ID", "2026-12"),
        ("TOKENGATE_PREVIOUS_SECRET", SECRET),
    ];
    let (child, addr) = start_serve_with(dir.path(), &[], &rotated);
    assert_eq!(protected(&addr, &before), 200, "the old token still works");
    let after = login(&addr, "jo@example.com");
    assert_eq!(protected(&addr, &after), 200);
    let header: serde_json::Value =
        serde_json::from_slice(&base64_url_decode(after.split('.').next().unwrap())).unwrap();
    assert_eq!(header["kid"], "2026-12");
    let stranger = tokengate(
        &["issue", "--sub", "user-1"],
        &[(
            "TOKENGATE_SECRET",
            "a-secret-nobody-configured-0123456789ab",
        )],
    );
    assert!(stranger.status.success(), "{}", stderr(&stranger));
    assert_eq!(protected(&addr, &stdout(&stranger)), 401);
    // Secrets are never published, the previous one no more than the current one.
    assert_eq!(http(&addr, "GET /.well-known/jwks.json", &[], "").0, 404);
    stop(child);

    // A short previous secret stops start-up, naming the variable.
    assert_clean_failure(
        &tokengate(
            &["serve"],
            &[
                ("TOKENGATE_SECRET", new_secret),
                ("TOKENGATE_KEY_ID", "2026-12"),
                ("TOKENGATE_PREVIOUS_SECRET", "too-short"),
            ],
        ),
        2,
        "TOKENGATE_PREVIOUS_SECRET",
    );
}

/// Rotating a private key: the new key signs, the previous public key still verifies the
/// tokens it signed, and the JWKS lists both public keys; a key never configured is refused.
#[test]
fn a_token_of_the_previous_private_key_survives_the_rotation_restart() {
    let (dir, old_keys) = keygen_pair("ES256");
    let (_new_dir, new_keys) = keygen_pair("ES256");
    let (_other_dir, other_keys) = keygen_pair("ES256");
    let path = |keys: &std::path::PathBuf, name: &str| keys.join(name).display().to_string();
    let old_private = path(&old_keys, "private.pem");
    let (child, addr) = start_serve_with(
        dir.path(),
        &[],
        &[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &old_private),
        ],
    );
    let before = login(&addr, "jo@example.com");
    stop(child);

    let new_private = path(&new_keys, "private.pem");
    let old_public = path(&old_keys, "public.pem");
    let (child, addr) = start_serve_with(
        dir.path(),
        &[],
        &[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &new_private),
            ("TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE", &old_public),
        ],
    );
    assert_eq!(protected(&addr, &before), 200, "the old token still works");
    let after = login(&addr, "jo@example.com");
    assert_eq!(protected(&addr, &after), 200);

    let (status, body) = http(&addr, "GET /.well-known/jwks.json", &[], "");
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    let kid_of = |keys: &std::path::PathBuf| {
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(keys.join("jwks.json")).unwrap()).unwrap();
        written["keys"][0]["kid"].as_str().unwrap().to_owned()
    };
    let kids: Vec<&str> = served["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [kid_of(&new_keys), kid_of(&old_keys)]);
    assert!(!body.contains("\"d\""), "public keys only: {body}");

    let other_private = path(&other_keys, "private.pem");
    let stranger = tokengate(
        &["issue", "--sub", "user-1"],
        &[
            ("TOKENGATE_ALGORITHM", "ES256"),
            ("TOKENGATE_PRIVATE_KEY_FILE", &other_private),
        ],
    );
    assert!(stranger.status.success(), "{}", stderr(&stranger));
    assert_eq!(protected(&addr, &stdout(&stranger)), 401);
    stop(child);
}

/// `tokengate user sessions` lists a user's live logins on a running `serve`'s database, and
/// `tokengate user logout` ends them all: `serve` refuses their tokens after its revocation
/// sync (two seconds on SQLite), and the list is empty.
#[test]
fn the_cli_lists_a_users_logins_and_logs_them_out() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = start_serve(dir.path(), &[]);
    let tokens = [
        login(&addr, "many@example.com"),
        login(&addr, "many@example.com"),
    ];
    let bystander = login(&addr, "other@example.com");
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let env = [
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_DATABASE_URL", url.as_str()),
    ];
    let listed = tokengate(&["user", "sessions", "Many@Example.com"], &env);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stdout(&listed).lines().count(), 2, "{}", stdout(&listed));
    let ended = tokengate(&["user", "logout", "many@example.com"], &env);
    assert!(ended.status.success(), "{}", stderr(&ended));
    assert!(
        stdout(&ended).starts_with("ended 2 login(s)"),
        "{}",
        stdout(&ended)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tokens.iter().any(|t| protected(&addr, t) == 200) && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    for token in &tokens {
        assert_eq!(protected(&addr, token), 401, "logged out by the CLI");
    }
    assert_eq!(protected(&addr, &bystander), 200);
    let listed = tokengate(&["user", "sessions", "many@example.com"], &env);
    assert_eq!(stdout(&listed), "");
    let unknown = tokengate(&["user", "logout", "nobody@example.com"], &env);
    assert_clean_failure(&unknown, 2, "no user");
    stop(child);
}
