//! Two instances on one PostgreSQL act as one service: two `tokengate serve`, and a mixed
//! pair of reference apps (axum and actix). Needs `TOKENGATE_TEST_POSTGRES_URL` (`.ci/run`
//! starts PostgreSQL); skipped with a message without it, except under `CI=true`.

use tokengate_scenarios::instances::{
    a_revocation_missed_while_cut_is_caught_up, instances_act_as_one_service, propagation_times,
};
use tokengate_scenarios::Target;

const SERVE: Target = Target::command("tokengate-cli", "tokengate", &["serve"]);
const AXUM: Target = Target::new("app-axum");
const ACTIX: Target = Target::new("app-actix");

#[tokio::test]
async fn two_serves_act_as_one_service() {
    instances_act_as_one_service(&SERVE, &SERVE).await;
}

#[tokio::test]
async fn axum_and_actix_apps_act_as_one_service() {
    instances_act_as_one_service(&AXUM, &ACTIX).await;
}

#[tokio::test]
async fn serve_catches_up_on_a_revocation_missed_while_cut_off() {
    a_revocation_missed_while_cut_is_caught_up(&SERVE, &SERVE).await;
}

#[tokio::test]
async fn actix_catches_up_on_a_revocation_made_on_axum_while_cut_off() {
    a_revocation_missed_while_cut_is_caught_up(&AXUM, &ACTIX).await;
}

/// The propagation distribution BENCHMARKS.md reports (`-- --nocapture` prints it); every
/// trial within the guarantee.
#[tokio::test]
async fn logout_propagation_over_fifty_trials() {
    if let Some([p50, p99, max]) = propagation_times(&SERVE, &SERVE, 50).await {
        println!("logout on B refused on A: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms (50 trials)");
    }
}
