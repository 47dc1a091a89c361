//! The verify-only copy-me examples, each built with `--no-default-features`.

use tokengate_scenarios::verify_only::check;

#[tokio::test]
async fn axum_verify_only_app_guards_its_api_scope() {
    check("axum-verify-only").await;
}

#[tokio::test]
async fn actix_verify_only_app_guards_its_api_scope() {
    check("actix-verify-only").await;
}

#[tokio::test]
async fn rocket_verify_only_app_guards_its_api_scope() {
    check("rocket-verify-only").await;
}

#[tokio::test]
async fn warp_verify_only_app_guards_its_api_scope() {
    check("warp-verify-only").await;
}
