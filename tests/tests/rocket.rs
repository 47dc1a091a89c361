//! The scenario suite against the rocket reference app, and its copy-me example.

use tokengate_scenarios::copy_me::{check, CopyMe};

tokengate_scenarios::scenario_suite!("app-rocket");

#[tokio::test]
async fn rocket_existing_app_guards_its_dashboard_and_serves_cs_tokens() {
    check(CopyMe {
        binary: "rocket-existing-app",
        open: ("/", "my existing app"),
        protected: ("/dashboard", "the dashboard of user-42"),
    })
    .await;
}
