//! The `tokengate` binary, run for real: keygen, issue, inspect, verify and user.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::*;

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
