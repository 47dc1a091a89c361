//! The `tokengate` binary, run for real.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const SECRET: &str = "cli-test-secret-0123456789abcdef0123456789";

fn tokengate(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tokengate"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TOKENGATE_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run tokengate")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

/// A failure is one line on standard error, a non-zero status, and never a panic.
fn assert_clean_failure(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "`{needle}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn keygen_secret_issue_and_verify_round_trip() {
    let secret_output = tokengate(&["keygen", "--alg", "HS256"], &[]);
    assert!(secret_output.status.success());
    let secret = stdout(&secret_output);
    assert!(
        secret.len() >= 43 && !secret.contains(['+', '/', '=']),
        "{secret}"
    );

    let env = [("TOKENGATE_SECRET", secret.as_str())];
    let issued = tokengate(
        &["issue", "--sub", "user-7", "--role", "doc-1=reader"],
        &env,
    );
    assert!(issued.status.success(), "{}", stderr(&issued));
    let token = stdout(&issued);

    let ok = tokengate(
        &[
            "verify",
            &token,
            "--secret",
            &secret,
            "--aud",
            "tokengate",
            "--iss",
            "tokengate",
        ],
        &[],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let shown = stdout(&ok);
    assert!(shown.starts_with("valid"), "{shown}");
    assert!(
        shown.contains("\"sub\": \"user-7\"") && shown.contains("reader"),
        "{shown}"
    );

    let wrong_key = tokengate(&["verify", &token, "--secret", SECRET], &[]);
    assert_clean_failure(&wrong_key, 1, "signature is invalid");
    let wrong_aud = tokengate(
        &["verify", &token, "--secret", &secret, "--aud", "other"],
        &[],
    );
    assert_clean_failure(&wrong_aud, 1, "audience");
}

/// A binary secret (not UTF-8) from a file signs the service's tokens, and `verify` takes it
/// as a file or in base64; the length rule counts bytes.
#[test]
fn binary_secrets_come_from_a_file_or_base64() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let secret: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(197) | 0x80).collect();
    assert!(
        std::str::from_utf8(&secret).is_err(),
        "a secret no text variable can hold"
    );
    let file = dir.path().join("secret.bin");
    std::fs::write(&file, &secret).unwrap();
    let file = file.display().to_string();
    let env = [("TOKENGATE_SECRET_FILE", file.as_str())];
    let issued = tokengate(&["issue", "--sub", "user-9"], &env);
    assert!(issued.status.success(), "{}", stderr(&issued));
    let token = stdout(&issued);

    let by_file = tokengate(&["verify", &token, "--secret-file", &file], &[]);
    assert!(by_file.status.success(), "{}", stderr(&by_file));
    let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
    let by_base64 = tokengate(&["verify", &token, "--secret-base64", &encoded], &[]);
    assert!(by_base64.status.success(), "{}", stderr(&by_base64));
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret);
    let by_url_safe = tokengate(&["verify", &token, "--secret-base64", &url_safe], &[]);
    assert!(by_url_safe.status.success(), "{}", stderr(&by_url_safe));
    let wrong = tokengate(&["verify", &token, "--secret-base64", "AAAA"], &[]);
    assert_eq!(wrong.status.code(), Some(1));

    // Too short for HS512, counted in bytes, and the message names the file's variable.
    let short = tokengate(
        &["issue", "--sub", "u"],
        &[
            ("TOKENGATE_SECRET_FILE", file.as_str()),
            ("TOKENGATE_ALGORITHM", "HS512"),
        ],
    );
    assert_clean_failure(
        &short,
        2,
        "TOKENGATE_SECRET_FILE: must be at least 64 bytes for HS512, got 48",
    );
}

#[test]
fn keygen_pairs_verify_with_the_key_they_wrote() {
    for alg in ["ES256", "ES384", "EdDSA", "RS256", "PS512"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keys");
        let made = tokengate(
            &[
                "keygen",
                "--alg",
                alg,
                "--kid",
                "k1",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert!(made.status.success(), "{alg}: {}", stderr(&made));
        assert!(
            stdout(&made).contains("\"kid\": \"k1\""),
            "{}",
            stdout(&made)
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("private.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{alg}");

        let algorithm: tokengate::Algorithm = alg.parse().unwrap();
        let private = std::fs::read(out.join("private.pem")).unwrap();
        let key = tokengate::Key::from_private_pem(algorithm, &private).unwrap();
        let token = tokengate::Issuer::new(key)
            .issue(tokengate::Claims::for_subject("s"))
            .unwrap()
            .token;
        let public = out.join("public.pem");
        let ok = tokengate(
            &[
                "verify",
                &token,
                "--alg",
                alg,
                "--key",
                public.to_str().unwrap(),
            ],
            &[],
        );
        assert!(ok.status.success(), "{alg}: {}", stderr(&ok));
        let other_alg = if alg == "ES256" { "EdDSA" } else { "ES256" };
        let refused = tokengate(
            &[
                "verify",
                &token,
                "--alg",
                other_alg,
                "--key",
                public.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(refused.status.code(), Some(1), "{alg}");
    }
}

#[test]
fn inspect_marks_the_output_unverified_and_shows_times() {
    let issued = tokengate(
        &[
            "issue",
            "--sub",
            "joe",
            "--ckeditor",
            "--name",
            "Joe Doe",
            "--ttl",
            "600",
        ],
        &[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_CS_ENVIRONMENT_ID", "env-1"),
            ("TOKENGATE_CS_ACCESS_KEY", SECRET),
        ],
    );
    assert!(issued.status.success(), "{}", stderr(&issued));
    let token = stdout(&issued);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokengate"))
        .args(["inspect", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.starts_with("UNVERIFIED"), "{text}");
    assert!(
        text.contains("\"aud\": \"env-1\"") && text.contains("\"name\": \"Joe Doe\""),
        "{text}"
    );
    assert!(
        text.contains("exp: ") && text.contains("UTC (in 9m") || text.contains("UTC (in 10m"),
        "{text}"
    );
}

#[test]
fn bad_arguments_and_keys_fail_in_one_line() {
    assert_clean_failure(
        &tokengate(&["inspect", "not-a-token"], &[]),
        2,
        "three dot-separated segments",
    );
    assert_clean_failure(
        &tokengate(&["verify", "a.b.c", "--secret", SECRET], &[]),
        1,
        "invalid",
    );
    assert_clean_failure(
        &tokengate(&["verify", "a.b.c", "--secret", "short"], &[]),
        1,
        "at least 32 bytes",
    );
    assert_clean_failure(
        &tokengate(
            &[
                "verify",
                "a.b.c",
                "--key",
                "/nonexistent.pem",
                "--alg",
                "ES256",
            ],
            &[],
        ),
        2,
        "cannot read",
    );
    let dir = tempfile::tempdir().unwrap();
    let bad_pem = dir.path().join("bad.pem");
    std::fs::write(&bad_pem, "not a pem").unwrap();
    assert_clean_failure(
        &tokengate(
            &[
                "verify",
                "a.b.c",
                "--key",
                bad_pem.to_str().unwrap(),
                "--alg",
                "RS256",
            ],
            &[],
        ),
        1,
        "bad key",
    );
    assert_clean_failure(
        &tokengate(&["issue", "--sub", "x"], &[]),
        2,
        "TOKENGATE_SECRET",
    );
    assert_clean_failure(
        &tokengate(
            &["issue", "--sub", "x", "--role", "nodoc"],
            &[("TOKENGATE_SECRET", SECRET)],
        ),
        2,
        "DOCUMENT=ROLE",
    );
    assert_clean_failure(
        &tokengate(
            &["issue", "--sub", "x", "--ckeditor"],
            &[("TOKENGATE_SECRET", SECRET)],
        ),
        2,
        "TOKENGATE_CS_",
    );
    assert_clean_failure(&tokengate(&["keygen", "--alg", "ES256"], &[]), 2, "--out");
    let bad_alg = tokengate(&["keygen", "--alg", "none"], &[]);
    assert_eq!(bad_alg.status.code(), Some(2));
    assert!(
        stderr(&bad_alg).contains("unknown algorithm"),
        "{}",
        stderr(&bad_alg)
    );
    let config = dir.path().join("broken.toml");
    std::fs::write(&config, "secret = [").unwrap();
    assert_clean_failure(
        &tokengate(&["serve", "--config", config.to_str().unwrap()], &[]),
        2,
        "not valid TOML",
    );
}

#[test]
fn users_are_added_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("users.db").display());
    let env = [
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_DATABASE_URL", url.as_str()),
    ];
    let added = tokengate(
        &[
            "user",
            "add",
            "--name",
            "Joe",
            "--email",
            "Joe@Example.com",
            "--password",
            "password1",
        ],
        &env,
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert_clean_failure(
        &tokengate(
            &[
                "user",
                "add",
                "--name",
                "J2",
                "--email",
                "joe@example.com",
                "--password",
                "password1",
            ],
            &env,
        ),
        2,
        "already exists",
    );
    assert_clean_failure(
        &tokengate(
            &[
                "user",
                "add",
                "--name",
                "J3",
                "--email",
                "j3@example.com",
                "--password",
                "short",
            ],
            &env,
        ),
        2,
        "at least 8",
    );
    let listed = stdout(&tokengate(&["user", "list"], &env));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("Joe@Example.com"));
    let removed = tokengate(&["user", "remove", "joe@example.com"], &env);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert_eq!(stdout(&tokengate(&["user", "list"], &env)), "");
    assert_clean_failure(
        &tokengate(&["user", "remove", "nobody"], &env),
        2,
        "no user",
    );
}

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

/// One HTTP/1.1 exchange over a fresh connection: the status and the body.
fn http(addr: &str, request_line: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request = format!("{request_line} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a full response");
    let status = head[9..12].parse().expect("a status line");
    (status, body.to_owned())
}

/// `tokengate keygen --alg ALG --out DIR/keys` in a fresh folder: (the folder, `DIR/keys`).
fn keygen_pair(alg: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let made = tokengate(
        &["keygen", "--alg", alg, "--out", keys.to_str().unwrap()],
        &[],
    );
    assert!(made.status.success(), "{alg}: {}", stderr(&made));
    (dir, keys)
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

fn base64_url_decode(segment: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap()
}

/// A provider stand-in on loopback, for as long as the test runs: its discovery document
/// names `http://ADDR` as the issuer and `/jwks` as the key set, which is `jwks`.
fn serve_provider(jwks: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let discovery =
        serde_json::json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")}).to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let (status, body) = match text.split(' ').nth(1) {
                Some("/.well-known/openid-configuration") => ("200 OK", discovery.as_str()),
                Some("/jwks") => ("200 OK", jwks.as_str()),
                _ => ("404 Not Found", "{}"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    issuer
}

/// `verify --oidc ISSUER` and `--jwks URL` check a provider's token with the keys it
/// publishes over HTTP: its kid picks the key, its iss and aud are required, and a token of
/// another key, issuer or audience is refused (exit 1); missing arguments and unreachable or
/// plain-http providers are usage failures (exit 2).
#[test]
fn verify_checks_a_providers_token_against_its_published_keys() {
    let (_dir, keys) = keygen_pair("ES256");
    let (_other_dir, other_keys) = keygen_pair("ES256");
    let jwks = std::fs::read_to_string(keys.join("jwks.json")).unwrap();
    let issuer = serve_provider(jwks);
    let jwks_url = format!("{issuer}/jwks");
    let mint = |keys: &std::path::PathBuf, iss: &str, aud: &str| {
        let private = keys.join("private.pem").display().to_string();
        let output = tokengate(
            &["issue", "--sub", "svc-1"],
            &[
                ("TOKENGATE_ALGORITHM", "ES256"),
                ("TOKENGATE_PRIVATE_KEY_FILE", &private),
                ("TOKENGATE_ISSUER", iss),
                ("TOKENGATE_AUDIENCE", aud),
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let token = mint(&keys, &issuer, "api");
    let verify = |args: &[&str]| {
        let mut all = vec!["verify", token.as_str()];
        all.extend_from_slice(args);
        tokengate(&all, &[])
    };

    let by_discovery = verify(&["--oidc", &issuer, "--aud", "api", "--insecure-http"]);
    assert!(by_discovery.status.success(), "{}", stderr(&by_discovery));
    assert!(stdout(&by_discovery).starts_with("valid"));
    assert!(stdout(&by_discovery).contains("\"sub\": \"svc-1\""));
    let by_jwks = verify(&[
        "--jwks",
        &jwks_url,
        "--iss",
        &issuer,
        "--aud",
        "api",
        "--insecure-http",
    ]);
    assert!(by_jwks.status.success(), "{}", stderr(&by_jwks));

    // Refused: another audience, another issuer, another key, a required typ it lacks.
    let wrong_aud = verify(&["--oidc", &issuer, "--aud", "other", "--insecure-http"]);
    assert_clean_failure(&wrong_aud, 1, "invalid");
    let wrong_iss = verify(&[
        "--jwks",
        &jwks_url,
        "--iss",
        "https://elsewhere.example",
        "--aud",
        "api",
        "--insecure-http",
    ]);
    assert_clean_failure(&wrong_iss, 1, "invalid");
    let stranger = mint(&other_keys, &issuer, "api");
    assert_clean_failure(
        &tokengate(
            &[
                "verify",
                &stranger,
                "--oidc",
                &issuer,
                "--aud",
                "api",
                "--insecure-http",
            ],
            &[],
        ),
        1,
        "no usable key with kid",
    );
    let typed = verify(&[
        "--oidc",
        &issuer,
        "--aud",
        "api",
        "--insecure-http",
        "--typ",
        "at+jwt",
    ]);
    assert_clean_failure(&typed, 1, "invalid");

    // Usage: --aud and (for a bare key set) --iss are required; http needs the switch.
    assert_clean_failure(&verify(&["--oidc", &issuer, "--insecure-http"]), 2, "--aud");
    assert_clean_failure(
        &verify(&["--jwks", &jwks_url, "--aud", "api", "--insecure-http"]),
        2,
        "--iss",
    );
    assert_clean_failure(&verify(&["--oidc", &issuer, "--aud", "api"]), 2, "https");
    assert_clean_failure(
        &verify(&[
            "--oidc",
            "http://127.0.0.1:9",
            "--aud",
            "api",
            "--insecure-http",
        ]),
        2,
        "cannot load the keys",
    );
}

#[path = "../../tokengate/tests/support/node.rs"]
mod node;

/// With a real OpenID Connect provider (oidc-provider, when node is installed): its RFC 9068
/// access token verifies by discovery, with its audience and `typ`, and not for another API.
#[test]
fn verify_accepts_a_real_providers_access_token_by_discovery() {
    if !node::ready("verify_accepts_a_real_providers_access_token_by_discovery") {
        return;
    }
    const RESOURCE: &str = "https://api.tokengate.test";
    let (mut child, issuer) =
        node::start_provider(0, &[("SIGNING_ALG", "ES256"), ("RESOURCE", RESOURCE)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{issuer}/token"))
            .basic_auth("tokengate-test", Some("tokengate-test-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&scope=documents%3Aread&resource={}",
                RESOURCE.replace(':', "%3A").replace('/', "%2F"),
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let token = answer["access_token"].as_str().expect("an access token");
    let verify = |aud: &str| {
        tokengate(
            &[
                "verify",
                token,
                "--oidc",
                &issuer,
                "--aud",
                aud,
                "--typ",
                "at+jwt",
                "--insecure-http",
            ],
            &[],
        )
    };
    let valid = verify(RESOURCE);
    let other_api = verify("https://other.tokengate.test");
    let _ = child.kill();
    let _ = child.wait();
    assert!(valid.status.success(), "{}", stderr(&valid));
    assert!(
        stdout(&valid).contains("documents:read"),
        "{}",
        stdout(&valid)
    );
    assert_clean_failure(&other_api, 1, "invalid");
    // The provider is gone: the keys cannot be loaded, which is not a verdict on the token.
    assert_clean_failure(&verify(RESOURCE), 2, "cannot load the keys");
}
