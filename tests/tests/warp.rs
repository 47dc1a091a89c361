//! The scenario suite against the warp reference app, and its copy-me example.

use tokengate_scenarios::copy_me::{check, CopyMe};

tokengate_scenarios::scenario_suite!("app-warp");

#[tokio::test]
async fn warp_existing_app_guards_its_dashboard_and_serves_cs_tokens() {
    check(CopyMe {
        binary: "warp-existing-app",
        open: ("/", "my existing app"),
        protected: ("/dashboard", "the dashboard of user-42"),
    })
    .await;
}
