//! The verify-only copy-me examples, each built with `--no-default-features`.

use tokengate_scenarios::verify_only::{check, follows_the_revocation_feed};

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

#[tokio::test]
async fn axum_verify_only_app_follows_the_revocation_feed() {
    follows_the_revocation_feed("axum-verify-only").await;
}

#[tokio::test]
async fn actix_verify_only_app_follows_the_revocation_feed() {
    follows_the_revocation_feed("actix-verify-only").await;
}

#[tokio::test]
async fn rocket_verify_only_app_follows_the_revocation_feed() {
    follows_the_revocation_feed("rocket-verify-only").await;
}

#[tokio::test]
async fn warp_verify_only_app_follows_the_revocation_feed() {
    follows_the_revocation_feed("warp-verify-only").await;
}
