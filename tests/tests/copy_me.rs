//! The axum copy-me example (the other frameworks' are checked beside their suites).

use tokengate_scenarios::copy_me::{check, CopyMe};

#[tokio::test]
async fn axum_existing_app_guards_its_dashboard_and_admin_router_and_serves_cs_tokens() {
    let Some(app) = check(CopyMe {
        binary: "axum-existing-app",
        open: ("/", "welcome to the shop"),
        protected: ("/dashboard", "the dashboard of user-42"),
    })
    .await
    else {
        return;
    };
    // The nested router behind TokenGateLayer: refused without a token, served with one.
    let stats = app.url("/admin/stats");
    let refused = app.http.get(&stats).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");
    let token = app.mint("user-42", serde_json::json!({}));
    let served = app
        .http
        .get(&stats)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.text().await.unwrap(), "admin statistics");
    // The merged token routes answer in the service's JSON.
    let login = app
        .http
        .post(app.url("/login"))
        .json(&serde_json::json!({}))
        .send()
        .await;
    assert_eq!(login.unwrap().status().as_u16(), 422);
    // The app's own routes answer a wrong method and an unknown path in the same JSON.
    let wrong_method = app.http.post(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(wrong_method.status().as_u16(), 405);
    let allow = wrong_method.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.split(',').any(|m| m.trim() == "GET"), "{allow}");
    let body: serde_json::Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    let unknown = app.http.get(app.url("/nowhere")).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

/// With `METRICS_ADDR`, the copy-me serves its metrics on that private address only: the public
/// `/metrics` is a 404, the private one counts the public port's decisions.
#[tokio::test]
async fn axum_existing_app_serves_metrics_on_a_private_port_only() {
    use tokengate_scenarios::harness::{Launch, Target};
    if Target::external().is_some() {
        return;
    }
    let private = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = Target::new("axum-existing-app").launch(Launch {
        env: vec![
            ("TOKENGATE_METRICS".into(), "1".into()),
            ("METRICS_ADDR".into(), private.to_string()),
        ],
        ..Launch::default()
    });
    let public = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status().as_u16(), 404);
    let refused = app.http.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let scrape = app
        .http
        .get(format!("http://{private}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scrape.status().as_u16(), 200);
    let text = scrape.text().await.unwrap();
    let missing = r#"tokengate_decisions_total{outcome="refused",reason="missing_token"} 1"#;
    assert!(text.lines().any(|line| line == missing), "{text}");
}
