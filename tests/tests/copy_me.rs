//! The axum copy-me example (the other frameworks' are checked beside their suites).

use tokengate_scenarios::copy_me::{check, CopyMe};

#[tokio::test]
async fn axum_existing_app_guards_its_dashboard_and_serves_cs_tokens() {
    check(CopyMe {
        binary: "axum-existing-app",
        open: ("/", "my existing app"),
        protected: ("/dashboard", "the dashboard of user-42"),
    })
    .await;
}
