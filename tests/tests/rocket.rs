//! The scenario suite against the rocket reference app, and its copy-me example.

use tokengate_scenarios::copy_me::{check, CopyMe};

tokengate_scenarios::scenario_suite!("app-rocket");

#[tokio::test]
async fn rocket_existing_app_guards_its_dashboard_and_serves_cs_tokens() {
    let Some(app) = check(CopyMe {
        binary: "rocket-existing-app",
        open: ("/", "my existing app"),
        protected: ("/dashboard", "the dashboard of user-42"),
    })
    .await
    else {
        return;
    };
    // Rocket's own errors on the app's own JSON route come in the JSON error shape too.
    let token = app.mint("user-42", serde_json::json!({}));
    let post = |body: &'static str| {
        app.http
            .post(app.url("/notes"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let noted = post(r#"{"text":"buy milk"}"#).await.unwrap();
    assert_eq!(noted.text().await.unwrap(), "user-42 noted: buy milk");
    for (body, status) in [(r#"{"text": "#, 400), (r#"{"title":"x"}"#, 422)] {
        let refused = post(body).await.unwrap();
        assert_eq!(refused.status().as_u16(), status, "{body}");
        assert_eq!(
            refused.headers()["content-type"],
            "application/json",
            "{body}"
        );
        let error: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(error["error"], "invalid_request", "{body}");
        assert!(error["message"].is_string(), "{body}");
    }
}
