//! The audit log (`TOKENGATE_AUDIT_LOG`): one JSON line per security event, with the client's
//! address, and never a token, password, secret or cookie value.

use serde_json::{json, Value};

use super::helpers::{access, login, login_attempt, now_nanos, signup, skip_if_external};
use super::refresh_logout::refresh;
use crate::harness::{payload_of, Launch, Target, SECRET};

/// Signup, a login, a failed login, throttling, a refresh reused after its grace, a password
/// change (ending the other login), a logout and an RFC 7009 revocation: each is a line of
/// `{"ts","event","sub","login","ip"}` in the log, and nothing secret is in the file.
pub async fn the_audit_log_records_security_events_without_secrets(target: &Target) {
    if skip_if_external("starts the app with an audit log") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let app = target.launch(Launch {
        env: vec![
            ("TOKENGATE_AUDIT_LOG".into(), path.display().to_string()),
            ("TOKENGATE_REFRESH_GRACE".into(), "0".into()),
        ],
        ..Launch::default()
    });
    let email = format!("audit{}@example.com", now_nanos());
    let password = "audit-password-1";
    let user = signup(&app, &email, password).await;
    let first = login(&app, &email, password).await;
    let second = login(&app, &email, password).await;
    login_attempt(&app, &email, "a-wrong-password").await;
    let token = first["refresh_token"].as_str().unwrap();
    let (rotated, replay) = (refresh(&app, token).await, refresh(&app, token).await);
    assert_eq!(
        (rotated.status().as_u16(), replay.status().as_u16()),
        (200, 401)
    );
    let change = json!({"current_password": password, "new_password": "audit-password-2"});
    let third = login(&app, &email, password).await;
    let changed = app
        .http
        .post(app.url("/password"))
        .bearer_auth(access(&third))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 204);
    let logout = app
        .http
        .post(app.url("/logout"))
        .bearer_auth(access(&third));
    assert_eq!(logout.send().await.unwrap().status().as_u16(), 204);
    let fourth = login(&app, &email, "audit-password-2").await;
    let form = [("token", fourth["refresh_token"].as_str().unwrap())];
    let revoked = app.http.post(app.url("/revoke")).form(&form).send().await;
    assert_eq!(revoked.unwrap().status().as_u16(), 200);
    let locked = format!("locked{}@example.com", now_nanos());
    for _ in 0..11 {
        login_attempt(&app, &locked, "a-wrong-password").await;
    }

    let text = std::fs::read_to_string(&path).expect("the audit log");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    let sub = user["id"].as_str().unwrap();
    let find = |event: &str| {
        lines
            .iter()
            .filter(|line| line["event"] == event)
            .collect::<Vec<_>>()
    };
    for line in &lines {
        assert!(
            line["ts"].as_str().is_some_and(|ts| ts.ends_with('Z')),
            "{line}"
        );
    }
    let signups = find("signup");
    assert!(signups
        .iter()
        .any(|l| l["sub"] == sub && l["email"] == email.as_str()));
    assert_eq!(
        signups[0]["ip"], "127.0.0.1",
        "the client's address: {}",
        signups[0]
    );
    let sid = |pair: &Value| payload_of(&access(pair))["sid"].clone();
    for pair in [&first, &second, &third] {
        assert!(
            find("login")
                .iter()
                .any(|l| l["sub"] == sub && l["login"] == sid(pair)),
            "a login line for {}",
            sid(pair)
        );
    }
    assert!(find("login_failed")
        .iter()
        .any(|l| l["email"] == email.as_str()));
    assert!(find("throttled")
        .iter()
        .any(|l| l["email"] == locked.as_str()));
    assert!(find("refresh_reused")
        .iter()
        .any(|l| l["login"] == sid(&first)));
    assert!(find("password_changed")
        .iter()
        .any(|l| l["sub"] == sub && l["login"] == sid(&third)));
    let ended = find("login_ended");
    assert!(ended
        .iter()
        .any(|l| l["login"] == sid(&second) && l["how"] == "password_changed"));
    assert!(ended
        .iter()
        .any(|l| l["login"] == sid(&fourth) && l["how"] == "revoked"));
    assert!(find("logout").iter().any(|l| l["login"] == sid(&third)));

    let secrets = [
        password.to_owned(),
        "audit-password-2".to_owned(),
        "a-wrong-password".to_owned(),
        SECRET.to_owned(),
        access(&first),
        first["refresh_token"].as_str().unwrap().to_owned(),
        fourth["refresh_token"].as_str().unwrap().to_owned(),
    ];
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the audit log holds a secret"
        );
    }
}
