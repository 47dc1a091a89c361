//! What every copy-me example promises, checked the same way for each framework.

use serde_json::json;

use crate::harness::{hs256_signature_ok, payload_of, App, Target};

/// A copy-me example: an existing app with its own open route, into which tokengate added a
/// protected route and the CKEditor token endpoint.
pub struct CopyMe {
    /// The `tokengate-examples` binary.
    pub binary: &'static str,
    /// The app's own route, still open, and its body.
    pub open: (&'static str, &'static str),
    /// The route tokengate now protects, and its body for the subject `user-42`.
    pub protected: (&'static str, &'static str),
}

/// Starts the example and checks it: the open route answers as before; the protected route
/// refuses no token (401 `missing_token`, with the challenge) and a forged one, and serves a
/// valid one; `/cs-token` issues a CKEditor token for the environment. Returns the running
/// app for framework-specific checks, or `None` against an external server.
pub async fn check(example: CopyMe) -> Option<App> {
    if Target::external().is_some() {
        return None;
    }
    let target = Target::new(example.binary);
    short_secret_stops_start_up(&target);
    let app = target.start();
    let get = |path: &str, token: Option<&str>| {
        let request = app.http.get(app.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    let (open_path, open_body) = example.open;
    assert_eq!(
        get(open_path, None).await.unwrap().text().await.unwrap(),
        open_body
    );

    let (protected_path, protected_body) = example.protected;
    let refused = get(protected_path, None).await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"tokengate\""
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");
    let forged = get(protected_path, Some("a.b.c")).await.unwrap();
    assert_eq!(forged.status().as_u16(), 401);

    let token = app.mint("user-42", json!({}));
    let served = get(protected_path, Some(&token)).await.unwrap();
    assert_eq!(served.text().await.unwrap(), protected_body);

    let cs = get("/cs-token", Some(&token)).await.unwrap();
    assert_eq!(cs.status().as_u16(), 200);
    let cs = cs.text().await.unwrap();
    assert!(hs256_signature_ok(&cs, app.cs_access_key.as_bytes()));
    assert_eq!(payload_of(&cs)["aud"], app.cs_environment_id.as_str());
    Some(app)
}

/// A copy-me run with a secret that is too short stops as `tokengate serve` does: one line
/// on standard error naming the variable, without the secret, and exit status 2.
pub fn short_secret_stops_start_up(target: &Target) {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("TOKENGATE_SECRET", "tiny-secret"),
        ("TOKENGATE_ADDR", "127.0.0.1:0"),
        (
            "TOKENGATE_DATABASE_URL",
            &format!("sqlite://{}", dir.path().join("t.db").display()),
        ),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()));
    let line = target.refusal_line(&env);
    assert!(
        line.starts_with("error: TOKENGATE_SECRET: ") && line.contains("32 bytes"),
        "{line}"
    );
    assert!(
        !line.contains("tiny-secret"),
        "never echo the secret: {line}"
    );
}
