//! Persistence and configuration: restart, database outage, bad configuration and dev mode.

use serde_json::json;

use super::helpers::{
    access, expect_invalid, get, get_with_token, hs256, json_of, login, logout, now_nanos, signup,
    skip_if_external, user,
};
use crate::harness::{forge_raw, header_of, payload_of, Launch, Target};

/// Users and revocations survive a restart on the same SQLite file.
pub async fn data_survives_a_restart(target: &Target) {
    if skip_if_external("restarts the app") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let launch = Launch {
        database: Some(dir.path().join("persist.db")),
        ..Launch::default()
    };
    let mut app = target.launch(launch.clone());
    let email = format!("persist{}@example.com", now_nanos());
    let user = signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;
    let logout = logout(&app, &access(&pair)).await;
    assert_eq!(logout.status().as_u16(), 204);
    app.stop();

    let again = target.launch(launch);
    let pair2 = login(&again, &email, "password1").await;
    let (_, _, me) = json_of(get_with_token(&again, "/users/me", &access(&pair2)).await).await;
    assert_eq!(me, user);
    expect_invalid(&again, &access(&pair), "invalid_token").await;
}

/// `TOKENGATE_ALGORITHM`, `TOKENGATE_ISSUER`, `TOKENGATE_AUDIENCE` and `TOKENGATE_ACCESS_TTL`
/// shape the tokens the app issues, and the algorithm is enforced: HS256 with the same secret
/// is refused by an HS512 app.
pub async fn configured_algorithm_issuer_audience_and_ttl_are_used(target: &Target) {
    if skip_if_external("starts the app with its own settings") {
        return;
    }
    let secret = "a-64-byte-secret-for-hs512-".repeat(3);
    let app = target.launch(Launch {
        env: vec![
            ("TOKENGATE_SECRET".into(), secret.clone()),
            ("TOKENGATE_ALGORITHM".into(), "HS512".into()),
            ("TOKENGATE_ISSUER".into(), "https://issuer.example".into()),
            ("TOKENGATE_AUDIENCE".into(), "api.example".into()),
            ("TOKENGATE_ACCESS_TTL".into(), "120".into()),
        ],
        ..Launch::default()
    });
    let (_, pair) = user(&app).await;
    assert_eq!(pair["expires_in"], 120, "{pair}");
    let token = access(&pair);
    let header = header_of(&token);
    assert_eq!(header["alg"], "HS512");
    let claims = payload_of(&token);
    assert_eq!(claims["iss"], "https://issuer.example");
    assert_eq!(claims["aud"], "api.example");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        120
    );
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &token).await).await;
    assert_eq!(status, 200, "{body}");
    let downgraded = forge_raw(&hs256().to_string(), &claims.to_string(), secret.as_bytes());
    expect_invalid(&app, &downgraded, "invalid_token").await;
}

/// While the database cannot be reached, every route that needs the store answers 503
/// `unavailable` and no token is issued; tokens already issued still open guarded routes
/// (the guard never asks the store); once the database is back everything works again and
/// nothing is lost. The app runs on PostgreSQL behind a proxy that the test cuts.
pub async fn database_outage_is_503_and_loses_nothing(target: &Target) {
    if skip_if_external("takes the app's database away") {
        return;
    }
    let Some(url) = crate::outage::postgres_url() else {
        return;
    };
    let (proxy, proxied) = crate::outage::CuttableProxy::in_front_of(&url);
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_DATABASE_URL".into(), proxied)],
        ..Launch::default()
    });
    let email = format!("outage{}@example.com", now_nanos());
    let user = signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;

    proxy.cut();
    let credentials = json!({"email": email, "password": "password1"});
    let during = [
        app.http.get(app.url("/healthz")),
        app.http.post(app.url("/login")).json(&credentials),
        app.http.post(app.url("/signup")).json(&json!({
            "name": "During", "email": format!("during{}@example.com", now_nanos()),
            "password": "password1"
        })),
        app.http
            .post(app.url("/refresh"))
            .json(&json!({"refresh_token": pair["refresh_token"]})),
        app.http
            .get(app.url("/users/me"))
            .bearer_auth(access(&pair)),
        app.http
            .get(app.url("/cs-token"))
            .bearer_auth(access(&pair)),
    ];
    for request in during {
        let response = request
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let path = response.url().path().to_owned();
        let (status, headers, body) = json_of(response).await;
        assert_eq!(
            (status, &body["error"]),
            (503, &json!("unavailable")),
            "{path}: {body}"
        );
        assert!(headers.contains_key("retry-after"), "{path}: {headers:?}");
    }
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &access(&pair)).await).await;
    assert_eq!(status, 200, "the guard needs no store: {body}");

    proxy.restore();
    let mut healthy = false;
    for _ in 0..100 {
        let response = get(&app, "/healthz").await;
        if response.status() == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(healthy, "/healthz recovers once the database is back");
    // The refresh token refused during the outage was not spent: it still rotates once.
    let refreshed = app
        .http
        .post(app.url("/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    let (status, _, fresh) = json_of(refreshed).await;
    assert_eq!(status, 200, "{fresh}");
    let (_, _, me) = json_of(get_with_token(&app, "/users/me", &access(&fresh)).await).await;
    assert_eq!(me, user);
    login(&app, &email, "password1").await;
}

fn base_env(dir: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("TOKENGATE_ADDR".into(), "127.0.0.1:0".into()),
        (
            "TOKENGATE_DATABASE_URL".into(),
            format!("sqlite://{}", dir.join("c.db").display()),
        ),
    ]
}

/// A bad value stops start-up with one line naming the variable, never silently.
pub async fn bad_configuration_stops_start_up(target: &Target) {
    if skip_if_external("starts the app with bad configuration") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let secret = (
        "TOKENGATE_SECRET".to_owned(),
        crate::harness::SECRET.to_owned(),
    );
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("TOKENGATE_SECRET", vec![]),
        (
            "TOKENGATE_SECRET",
            vec![("TOKENGATE_SECRET".into(), "too-short".into())],
        ),
        (
            "TOKENGATE_ALGORITHM",
            vec![
                secret.clone(),
                ("TOKENGATE_ALGORITHM".into(), "none".into()),
            ],
        ),
        (
            "TOKENGATE_SECRET",
            vec![
                secret.clone(),
                ("TOKENGATE_ALGORITHM".into(), "HS512".into()),
            ],
        ),
        (
            "TOKENGATE_ACCESS_TTL",
            vec![
                secret.clone(),
                ("TOKENGATE_ACCESS_TTL".into(), "soon".into()),
            ],
        ),
        (
            "TOKENGATE_CS_TTL",
            vec![secret.clone(), ("TOKENGATE_CS_TTL".into(), "90000".into())],
        ),
        (
            "TOKENGATE_LOG_FORMAT",
            vec![
                secret.clone(),
                ("TOKENGATE_LOG_FORMAT".into(), "xml".into()),
            ],
        ),
        (
            "TOKENGATE_DATABASE_URL",
            vec![
                secret.clone(),
                ("TOKENGATE_DATABASE_URL".into(), "mysql://x".into()),
            ],
        ),
        (
            "TOKENGATE_DATABASE_URL",
            vec![
                secret.clone(),
                (
                    "TOKENGATE_DATABASE_URL".into(),
                    "sqlite:///nonexistent-dir/x/y.db".into(),
                ),
            ],
        ),
        (
            "TOKENGATE_CS_ACCESS_KEY",
            vec![
                secret.clone(),
                ("TOKENGATE_CS_ENVIRONMENT_ID".into(), "env".into()),
            ],
        ),
        (
            "TOKENGATE_ARGON2_MEMORY_KIB",
            vec![
                secret.clone(),
                ("TOKENGATE_ARGON2_MEMORY_KIB".into(), "4096".into()),
            ],
        ),
        (
            "TOKENGATE_ARGON2_ITERATIONS",
            vec![
                secret.clone(),
                ("TOKENGATE_ARGON2_ITERATIONS".into(), "1".into()),
            ],
        ),
        (
            "TOKENGATE_ARGON2_PARALLELISM",
            vec![
                secret.clone(),
                ("TOKENGATE_ARGON2_PARALLELISM".into(), "0".into()),
            ],
        ),
        (
            "TOKENGATE_DPOP_NONCE",
            vec![
                secret.clone(),
                ("TOKENGATE_DPOP_NONCE".into(), "sometimes".into()),
            ],
        ),
        (
            "TOKENGATE_PUBLIC_URL",
            vec![
                secret.clone(),
                (
                    "TOKENGATE_PUBLIC_URL".into(),
                    "https://api.example.com/app".into(),
                ),
            ],
        ),
        (
            "TOKENGATE_METRICS",
            vec![secret.clone(), ("TOKENGATE_METRICS".into(), "yes".into())],
        ),
        (
            "TOKENGATE_AUDIT_LOG",
            vec![
                secret.clone(),
                (
                    "TOKENGATE_AUDIT_LOG".into(),
                    "/nonexistent-dir/x/audit.log".into(),
                ),
            ],
        ),
        (
            "TOKENGATE_REFRESH_GRACE",
            vec![
                secret.clone(),
                ("TOKENGATE_REFRESH_GRACE".into(), "301".into()),
            ],
        ),
        (
            "TOKENGATE_ARGON2_QUEUE",
            vec![
                secret.clone(),
                ("TOKENGATE_ARGON2_QUEUE".into(), "0".into()),
            ],
        ),
    ];
    for (variable, vars) in cases {
        let mut env = base_env(dir.path());
        // The database variable of the case wins over the default one.
        env.retain(|(k, _)| !vars.iter().any(|(v, _)| v == k));
        env.extend(vars);
        let line = target.refusal_line(&env);
        assert!(line.contains(variable), "{variable}: {line}");
        assert!(!line.contains("panicked"), "{line}");
        assert!(!line.contains("too-short"), "never echo the secret: {line}");
    }
}

/// Unsound keys stop start-up with one line naming the variable and the problem: an RSA key
/// under 2048 bits, a key of another kind than the algorithm's, and a secret file that is too
/// short counted in bytes.
pub async fn unsound_keys_stop_start_up(target: &Target) {
    if skip_if_external("starts the app with unsound keys") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixture = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/tokengate/tests/fixtures")
            .join(name)
            .display()
            .to_string()
    };
    let short_secret = dir.path().join("short.bin");
    std::fs::write(&short_secret, [0xffu8; 31]).unwrap();
    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "RS256",
            "TOKENGATE_PRIVATE_KEY_FILE",
            &fixture("rsa_1024_private.pem"),
            "at least 2048 bits",
        ),
        (
            "ES256",
            "TOKENGATE_PRIVATE_KEY_FILE",
            &fixture("rsa_private.pem"),
            "TOKENGATE_PRIVATE_KEY_FILE",
        ),
        (
            "HS256",
            "TOKENGATE_SECRET_FILE",
            &short_secret.display().to_string(),
            "at least 32 bytes for HS256, got 31",
        ),
    ];
    for (algorithm, variable, path, problem) in cases {
        let mut env = base_env(dir.path());
        env.push(("TOKENGATE_ALGORITHM".into(), algorithm.into()));
        env.push((variable.into(), path.into()));
        let line = target.refusal_line(&env);
        assert!(
            line.contains(variable) && line.contains(problem),
            "{algorithm}: {line}"
        );
    }
}

/// `TOKENGATE_DEV=1` without a secret starts with a generated one, and says so.
pub async fn dev_mode_generates_a_secret_with_a_warning(target: &Target) {
    if skip_if_external("starts the app in dev mode") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut env = base_env(dir.path());
    env.push(("TOKENGATE_DEV".into(), "1".into()));
    let (child, base) = target.spawn(&env).expect("starts in dev mode");
    let response = reqwest::get(format!("{base}/public")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let stderr = crate::harness::stop_and_read_stderr(child);
    assert!(stderr.contains("TOKENGATE_DEV"), "{stderr}");
}
