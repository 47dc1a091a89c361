//! The scenario suite against the actix-web reference app, and its copy-me example.

use serde_json::json;
use tokengate_scenarios::harness::{hs256_signature_ok, payload_of, Target};

tokengate_scenarios::scenario_suite!("app-actix");

#[tokio::test]
async fn actix_existing_app_keeps_its_routes_and_guards_its_scope() {
    if Target::external().is_some() {
        return;
    }
    let app = Target::new("actix-existing-app").start();
    let open = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(open.text().await.unwrap(), "welcome to my app");

    let refused = app
        .http
        .get(app.url("/admin/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"tokengate\""
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");
    let forged = app
        .http
        .get(app.url("/admin/dashboard"))
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);

    let token = app.mint("user-42", json!({}));
    let dashboard = app
        .http
        .get(app.url("/admin/dashboard"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        dashboard.text().await.unwrap(),
        "the my app dashboard of user-42"
    );

    // The token endpoint and account routes came with `configure`.
    let email = format!("copy{}@example.com", tokengate_scenarios::harness::now());
    let signup = app
        .http
        .post(app.url("/signup"))
        .json(&json!({"name": "Ann", "email": email, "password": "password1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status().as_u16(), 201);
    let login = app
        .http
        .post(app.url("/login"))
        .basic_auth(&email, Some("password1"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
    let pair: serde_json::Value = login.json().await.unwrap();
    let access = pair["access_token"].as_str().unwrap();
    let mine = app
        .http
        .get(app.url("/admin/dashboard"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status().as_u16(), 200);

    let cs = app
        .http
        .get(app.url("/cs-token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(cs.status().as_u16(), 200);
    let cs = cs.text().await.unwrap();
    assert!(hs256_signature_ok(&cs, app.cs_access_key.as_bytes()));
    assert_eq!(payload_of(&cs)["aud"], app.cs_environment_id.as_str());
}
