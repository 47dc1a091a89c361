//! The scenario suite against the standalone server, `tokengate serve`.
tokengate_scenarios::scenario_suite!(
    package = "tokengate-cli",
    binary = "tokengate",
    args = ["serve"]
);
