//! What every test of the `tokengate` binary uses: running it, reading its output, a raw
//! HTTP/1.1 exchange and a key pair written by `keygen`.
#![allow(dead_code)] // each test file uses some of these

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

pub const SECRET: &str = "cli-test-secret-0123456789abcdef0123456789";

pub fn tokengate(args: &[&str], env: &[(&str, &str)]) -> Output {
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

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

/// A failure is one line on standard error, a non-zero status, and never a panic.
pub fn assert_clean_failure(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "`{needle}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

/// One HTTP/1.1 exchange over a fresh connection: the status and the body.
pub fn http(addr: &str, request_line: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
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
pub fn keygen_pair(alg: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let made = tokengate(
        &["keygen", "--alg", alg, "--out", keys.to_str().unwrap()],
        &[],
    );
    assert!(made.status.success(), "{alg}: {}", stderr(&made));
    (dir, keys)
}

pub fn base64_url_decode(segment: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap()
}
