//! `config_from_figment`: Rocket.toml keys and ROCKET_TOKENGATE_* variables.

use rocket::figment::Figment;
use tokengate_rocket::config_from_figment;

#[test]
fn rocket_toml_keys_and_rocket_env_keys_are_read() {
    let figment = Figment::new()
        .merge(("tokengate.secret", "s".repeat(32)))
        .merge(("tokengate.dev", false))
        .merge(("tokengate.access_ttl", 60))
        .merge((
            "tokengate.cors_origins",
            vec!["https://a.example", "https://b.example"],
        ))
        .merge(("tokengate_issuer", "from-rocket-env"));
    let config = config_from_figment(&figment).unwrap();
    assert_eq!(config.access_ttl.as_secs(), 60);
    assert_eq!(config.issuer, "from-rocket-env");
    assert_eq!(
        config.cors_origins,
        ["https://a.example", "https://b.example"]
    );
}

#[test]
fn a_bad_value_names_the_variable() {
    let figment = Figment::new().merge(("tokengate.secret", "short"));
    assert_eq!(
        config_from_figment(&figment).unwrap_err().variable,
        "TOKENGATE_SECRET"
    );
}
