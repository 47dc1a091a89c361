//! The scenario suite against the warp reference app, and its copy-me example.
tokengate_scenarios::scenario_suite!("app-warp");

use serde_json::json;
use tokengate_scenarios::harness::{hs256_signature_ok, payload_of, Target};

#[tokio::test]
async fn warp_existing_app_guards_its_dashboard_and_serves_cs_tokens() {
    if Target::external().is_some() {
        return;
    }
    let app = Target::new("warp-existing-app").start();
    let open = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(open.text().await.unwrap(), "my existing app");
    let refused = app.http.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let token = app.mint("user-42", json!({}));
    let dashboard = app
        .http
        .get(app.url("/dashboard"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.text().await.unwrap(), "the dashboard of user-42");
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
