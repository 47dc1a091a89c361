//! Tests of reading the configuration: defaults, every variable, and the messages of
//! refused values, which name their variable and never echo a secret.

use super::*;
use std::collections::HashMap;

use crate::token::claims::{Claims, NoExtra};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| vars.get(name).cloned())
}

fn refused(vars: &[(&str, &str)]) -> ConfigError {
    load(vars).unwrap_err()
}

#[test]
fn defaults_follow_the_contract() {
    let c = load(&[("TOKENGATE_SECRET", SECRET)]).unwrap();
    assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(c.algorithm, Algorithm::HS256);
    assert_eq!(
        (c.issuer.as_str(), c.audience.as_str()),
        ("tokengate", "tokengate")
    );
    assert_eq!(c.access_ttl.as_secs(), 900);
    assert_eq!(c.refresh_ttl.as_secs(), 1_209_600);
    assert_eq!(c.database_url, "sqlite://tokengate.db");
    assert!(c.ckeditor.is_none() && c.cors_origins.is_empty());
    assert!(c.warnings().is_empty());
}

#[test]
fn a_missing_secret_is_refused_unless_dev() {
    assert_eq!(refused(&[]).variable, "TOKENGATE_SECRET");
    let dev = load(&[("TOKENGATE_DEV", "1")]).unwrap();
    assert!(dev.secret_generated);
    assert!(matches!(&dev.token_key, TokenKey::Secret(s) if s.expose().len() >= 32));
    assert_eq!(dev.warnings().len(), 1);
}

#[test]
fn bad_values_name_their_variable_and_never_echo_secrets() {
    let short = refused(&[("TOKENGATE_SECRET", "hunter2-but-short")]);
    assert_eq!(
        short.to_string(),
        "TOKENGATE_SECRET: must be at least 32 bytes for HS256, got 17"
    );
    let for_512 = refused(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_ALGORITHM", "HS512"),
    ]);
    assert!(for_512.reason.contains("64 bytes"), "{for_512}");
    for (var, value) in [
        ("TOKENGATE_ALGORITHM", "none"),
        ("TOKENGATE_ALGORITHM", "RS256"),
        ("TOKENGATE_ADDR", "localhost"),
        ("TOKENGATE_ACCESS_TTL", "15m"),
        ("TOKENGATE_ACCESS_TTL", "0"),
        ("TOKENGATE_REFRESH_TTL", "-1"),
        ("TOKENGATE_CS_TTL", "86401"),
        ("TOKENGATE_DATABASE_URL", "mysql://x"),
        ("TOKENGATE_DATABASE_URL", "tokengate.db"),
        ("TOKENGATE_CORS_ORIGINS", "https://ok.example,example.com"),
        ("TOKENGATE_CORS_ORIGINS", "https://a.example/path"),
        ("TOKENGATE_DEV", "yes"),
    ] {
        let err = refused(&[("TOKENGATE_SECRET", SECRET), (var, value)]);
        assert_eq!(err.variable, var, "{value}");
    }
    let cs = refused(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
        ("TOKENGATE_CS_ACCESS_KEY", "tooshort"),
    ]);
    assert_eq!(cs.variable, "TOKENGATE_CS_ACCESS_KEY");
    assert!(!cs.to_string().contains("tooshort"));
    let half = refused(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
    ]);
    assert_eq!(half.variable, "TOKENGATE_CS_ACCESS_KEY");
}

#[test]
fn a_database_url_needs_the_backend_of_this_build() {
    let cases = [
        (
            "sqlite://tokengate.db",
            cfg!(feature = "sqlite"),
            "`sqlite` feature",
        ),
        (
            "postgres://db/tokengate",
            cfg!(feature = "postgres"),
            "`postgres` feature",
        ),
    ];
    for (url, built_in, feature) in cases {
        let loaded = load(&[
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_DATABASE_URL", url),
        ]);
        match loaded {
            Ok(_) => assert!(built_in, "{url} accepted without its backend"),
            Err(error) => {
                assert!(!built_in, "{url}: {error}");
                assert_eq!(error.variable, "TOKENGATE_DATABASE_URL");
                assert!(error.reason.contains(feature), "{error}");
            }
        }
    }
}

#[test]
fn every_variable_is_read() {
    let c = load(&[
        ("TOKENGATE_SECRET", &"s".repeat(48)),
        ("TOKENGATE_ALGORITHM", "HS384"),
        ("TOKENGATE_ADDR", "127.0.0.1:0"),
        ("TOKENGATE_ISSUER", "iss"),
        ("TOKENGATE_AUDIENCE", "aud"),
        ("TOKENGATE_ACCESS_TTL", "60"),
        ("TOKENGATE_REFRESH_TTL", "120"),
        ("TOKENGATE_DATABASE_URL", "sqlite::memory:"),
        ("TOKENGATE_CS_ENVIRONMENT_ID", "env"),
        ("TOKENGATE_CS_ACCESS_KEY", SECRET),
        ("TOKENGATE_CS_TTL", "86400"),
        (
            "TOKENGATE_CORS_ORIGINS",
            "http://localhost:3000, https://app.example",
        ),
    ])
    .unwrap();
    assert_eq!(c.algorithm, Algorithm::HS384);
    assert_eq!(c.addr.port(), 0);
    assert_eq!((c.issuer.as_str(), c.audience.as_str()), ("iss", "aud"));
    assert_eq!((c.access_ttl.as_secs(), c.refresh_ttl.as_secs()), (60, 120));
    assert_eq!(c.database_url, "sqlite::memory:");
    let cs = c.ckeditor.as_ref().unwrap();
    assert_eq!(
        (cs.environment_id.as_str(), cs.ttl.as_secs()),
        ("env", 86_400)
    );
    assert_eq!(
        c.cors_origins,
        ["http://localhost:3000", "https://app.example"]
    );
    assert!(!format!("{c:?}").contains(SECRET));
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_private_key_file_signs_and_is_named_by_its_thumbprint() {
    let c = load(&[
        ("TOKENGATE_ALGORITHM", "ES256"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
    ])
    .unwrap();
    let key = c.access_key();
    assert!(matches!(c.token_key, TokenKey::PrivateKey(_)));
    assert_eq!(key.algorithm(), Algorithm::ES256);
    assert_eq!(c.key_id.as_deref(), key.kid());
    assert_eq!(key.kid().map(str::len), Some(43), "a SHA-256 thumbprint");
    let jwks = c.access_keys().jwks();
    assert_eq!(jwks.keys.len(), 1);
    assert_eq!(jwks.keys[0].common.key_id, c.key_id);

    let p384 = load(&[
        ("TOKENGATE_ALGORITHM", "ES384"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec384_private.pem")),
    ])
    .unwrap();
    assert_eq!(p384.access_key().algorithm(), Algorithm::ES384);
    assert!(load(&[
        ("TOKENGATE_ALGORITHM", "ES384"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
    ])
    .is_err());

    let named = load(&[
        ("TOKENGATE_ALGORITHM", "EdDSA"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ed_private.pem")),
        ("TOKENGATE_KEY_ID", "2026-11"),
    ])
    .unwrap();
    assert_eq!(named.access_key().kid(), Some("2026-11"));
}

#[test]
fn private_key_mistakes_name_their_variable() {
    let hmac_with_file = refused(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
    ]);
    assert_eq!(hmac_with_file.variable, "TOKENGATE_PRIVATE_KEY_FILE");
    let no_file = refused(&[("TOKENGATE_ALGORITHM", "RS256")]);
    assert_eq!(no_file.variable, "TOKENGATE_ALGORITHM");
    assert!(no_file.reason.contains("TOKENGATE_PRIVATE_KEY_FILE"));
    let both = refused(&[
        ("TOKENGATE_ALGORITHM", "RS256"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("rsa_private.pem")),
        ("TOKENGATE_SECRET", SECRET),
    ]);
    assert_eq!(both.variable, "TOKENGATE_SECRET");
    assert!(!both.to_string().contains(SECRET));
    for (alg, file) in [
        ("RS256", "ec_private.pem"),
        ("ES256", "ec_public.pem"),
        ("EdDSA", "no-such-file.pem"),
    ] {
        let err = refused(&[
            ("TOKENGATE_ALGORITHM", alg),
            ("TOKENGATE_PRIVATE_KEY_FILE", &fixture(file)),
        ]);
        assert_eq!(err.variable, "TOKENGATE_PRIVATE_KEY_FILE", "{alg} {file}");
        assert!(err.reason.contains(file), "{err}");
        assert!(!err.reason.contains("PRIVATE KEY-----"), "{err}");
    }
}

#[test]
fn a_secret_file_gives_raw_bytes_counted_as_bytes() {
    let dir = tempfile_dir();
    let binary: Vec<u8> = (0..=255u8).cycle().take(40).collect();
    let path = dir.join("secret.bin");
    std::fs::write(&path, &binary).unwrap();
    let path = path.display().to_string();
    let config = load(&[("TOKENGATE_SECRET_FILE", &path)]).unwrap();
    match &config.token_key {
        TokenKey::Secret(secret) => assert_eq!(secret.expose(), binary.as_slice()),
        TokenKey::PrivateKey(_) => panic!("a secret"),
    }
    // 40 bytes are too few for HS384, whatever characters they would make.
    let short = refused(&[
        ("TOKENGATE_SECRET_FILE", &path),
        ("TOKENGATE_ALGORITHM", "HS384"),
    ]);
    assert_eq!(
        short.to_string(),
        "TOKENGATE_SECRET_FILE: must be at least 48 bytes for HS384, got 40"
    );
    let both = refused(&[
        ("TOKENGATE_SECRET_FILE", &path),
        ("TOKENGATE_SECRET", "a text secret of at least 32 bytes!!"),
    ]);
    assert_eq!(both.variable, "TOKENGATE_SECRET_FILE");
    let missing = refused(&[("TOKENGATE_SECRET_FILE", "/nonexistent/secret")]);
    assert_eq!(
        missing.to_string(),
        "TOKENGATE_SECRET_FILE: cannot read /nonexistent/secret: entity not found"
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tokengate-config-{}", crate::token::random_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod rotation;
mod trusted;
