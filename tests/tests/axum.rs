//! The scenario suite against the axum reference app.
tokengate_scenarios::scenario_suite!("app-axum");
