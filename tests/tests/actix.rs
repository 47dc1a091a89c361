//! The scenario suite against the actix-web reference app, and its copy-me example.

use serde_json::json;
use tokengate_scenarios::copy_me::{check, CopyMe};

tokengate_scenarios::scenario_suite!("app-actix");

#[tokio::test]
async fn actix_existing_app_keeps_its_routes_and_guards_its_scope() {
    let Some(app) = check(CopyMe {
        binary: "actix-existing-app",
        open: ("/", "welcome to my app"),
        protected: ("/admin/dashboard", "the my app dashboard of user-42"),
    })
    .await
    else {
        return;
    };
    // The account routes came with `configure`: a real login reaches the protected scope.
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
    let pair: serde_json::Value = login.json().await.unwrap();
    let mine = app
        .http
        .get(app.url("/admin/dashboard"))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status().as_u16(), 200);
}
