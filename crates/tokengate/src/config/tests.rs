//! Tests of reading the configuration: defaults, every variable, and the messages of
//! refused values, which name their variable and never echo a secret.

use super::*;
use std::collections::HashMap;

use crate::claims::{Claims, NoExtra};

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
    let dir = std::env::temp_dir().join(format!("tokengate-config-{}", crate::random_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn trusted_issuers_need_an_audience_https_and_another_issuer() {
    let base = [("TOKENGATE_SECRET", SECRET)];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut vars = base.to_vec();
        vars.extend_from_slice(extra);
        load(&vars)
    };
    let none = with(&[]).unwrap();
    assert!(none.trusted_issuers.is_empty() && none.trusted_audiences.is_empty());

    let missing_audience = with(&[("TOKENGATE_TRUSTED_ISSUERS", "https://id.example")]);
    assert_eq!(
        missing_audience.unwrap_err().variable,
        "TOKENGATE_TRUSTED_AUDIENCE"
    );
    let lone_audience = with(&[("TOKENGATE_TRUSTED_AUDIENCE", "api")]);
    assert_eq!(
        lone_audience.unwrap_err().variable,
        "TOKENGATE_TRUSTED_AUDIENCE"
    );

    let http = [
        ("TOKENGATE_TRUSTED_ISSUERS", "http://127.0.0.1:9/"),
        ("TOKENGATE_TRUSTED_AUDIENCE", "api"),
    ];
    assert_eq!(
        with(&http).unwrap_err().variable,
        "TOKENGATE_TRUSTED_ISSUERS"
    );
    let mut allowed = http.to_vec();
    allowed.push(("TOKENGATE_INSECURE_HTTP_ISSUERS", "1"));
    let result = with(&allowed);
    #[cfg(feature = "remote-keys")]
    assert_eq!(result.unwrap().trusted_issuers, ["http://127.0.0.1:9/"]);
    #[cfg(not(feature = "remote-keys"))]
    assert_eq!(result.unwrap_err().variable, "TOKENGATE_TRUSTED_ISSUERS");

    let mut bad_flag = http.to_vec();
    bad_flag.push(("TOKENGATE_INSECURE_HTTP_ISSUERS", "yes"));
    assert_eq!(
        with(&bad_flag).unwrap_err().variable,
        "TOKENGATE_INSECURE_HTTP_ISSUERS"
    );

    let own = with(&[
        ("TOKENGATE_ISSUER", "https://me.example"),
        (
            "TOKENGATE_TRUSTED_ISSUERS",
            "https://id.example, https://me.example",
        ),
        ("TOKENGATE_TRUSTED_AUDIENCE", "api"),
    ]);
    let error = own.unwrap_err();
    assert_eq!(error.variable, "TOKENGATE_TRUSTED_ISSUERS");
    assert!(error.reason.contains("TOKENGATE_ISSUER"), "{error}");
}

#[test]
fn trusted_audiences_are_a_list_and_the_token_type_a_media_type() {
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut vars = vec![
            ("TOKENGATE_SECRET", SECRET),
            ("TOKENGATE_TRUSTED_ISSUERS", "https://id.example"),
        ];
        vars.extend_from_slice(extra);
        load(&vars)
    };
    #[cfg(feature = "remote-keys")]
    {
        // One value, as before.
        let one = with(&[("TOKENGATE_TRUSTED_AUDIENCE", "https://api.example")]).unwrap();
        assert_eq!(one.trusted_audiences, ["https://api.example"]);
        assert_eq!(one.trusted_token_type, None);
        assert_eq!(one.trusted_rules().typ(), None);
        // Several, trimmed; blanks skipped.
        let many = with(&[
            (
                "TOKENGATE_TRUSTED_AUDIENCE",
                " api-v1 , https://api.example,,",
            ),
            ("TOKENGATE_TRUSTED_TOKEN_TYPE", "application/at+jwt"),
        ])
        .unwrap();
        assert_eq!(many.trusted_audiences, ["api-v1", "https://api.example"]);
        assert_eq!(
            many.trusted_token_type.as_deref(),
            Some("application/at+jwt")
        );
        let rules = many.trusted_rules();
        assert_eq!(rules.audience_list(), ["api-v1", "https://api.example"]);
        assert_eq!(rules.typ(), Some("application/at+jwt"));
        for typ in ["at+jwt", "JWT", "AT+JWT"] {
            let config = with(&[
                ("TOKENGATE_TRUSTED_AUDIENCE", "api"),
                ("TOKENGATE_TRUSTED_TOKEN_TYPE", typ),
            ]);
            assert_eq!(config.unwrap().trusted_token_type.as_deref(), Some(typ));
        }
    }
    let blank = with(&[("TOKENGATE_TRUSTED_AUDIENCE", " , ")]).unwrap_err();
    assert_eq!(blank.variable, "TOKENGATE_TRUSTED_AUDIENCE");
    for bad in [
        "at+jwt, JWT",
        "at jwt",
        "/at+jwt",
        "application/",
        "a/b/c",
        "+jwt",
    ] {
        let error = with(&[
            ("TOKENGATE_TRUSTED_AUDIENCE", "api"),
            ("TOKENGATE_TRUSTED_TOKEN_TYPE", bad),
        ])
        .unwrap_err();
        assert_eq!(error.variable, "TOKENGATE_TRUSTED_TOKEN_TYPE", "{bad}");
    }
    // Without trusted issuers, the type is a mistake, not a no-op.
    let lone = load(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_TRUSTED_TOKEN_TYPE", "at+jwt"),
    ]);
    assert_eq!(lone.unwrap_err().variable, "TOKENGATE_TRUSTED_TOKEN_TYPE");
}

const OLD_SECRET: &str = "an-older-secret-of-32-bytes-long";

#[test]
fn a_previous_secret_verifies_the_old_tokens_but_never_signs() {
    let old = Issuer::new(Key::hmac(Algorithm::HS256, OLD_SECRET.as_bytes()).unwrap())
        .issuer("tokengate")
        .audience("tokengate");
    // Issued before the rotation, when the key had no name: no `kid`.
    let old_token = old.issue(Claims::for_subject("u1")).unwrap().token;
    let config = load(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_KEY_ID", "2026-12"),
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
    ])
    .unwrap();
    let verifier = config.verifier();
    let claims: Claims = verifier.verify(&old_token).unwrap();
    assert_eq!(claims.sub.as_deref(), Some("u1"));
    // New tokens are signed with the current key, named.
    let new_token = config
        .issuer()
        .issue(Claims::for_subject("u2"))
        .unwrap()
        .token;
    assert!(verifier.verify::<NoExtra>(&new_token).is_ok());
    let header = new_token.split('.').next().unwrap();
    assert!(
        Verifier::new(Key::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap())
            .verify::<NoExtra>(&new_token)
            .is_ok()
    );
    assert_ne!(header, old_token.split('.').next().unwrap());
    // Secrets are never published.
    assert!(config.access_keys().jwks().keys.is_empty());
    // A named previous key is chosen by its name.
    let named = load(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_KEY_ID", "2026-12"),
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
        ("TOKENGATE_PREVIOUS_KEY_ID", "2026-11"),
    ])
    .unwrap();
    let named_old = Issuer::new(
        Key::hmac(Algorithm::HS256, OLD_SECRET.as_bytes())
            .unwrap()
            .with_kid("2026-11"),
    )
    .issuer("tokengate")
    .audience("tokengate")
    .issue(Claims::for_subject("u3"))
    .unwrap()
    .token;
    assert!(named.verifier().verify::<NoExtra>(&named_old).is_ok());
}

#[test]
fn a_previous_key_is_checked_like_the_current_one() {
    let base = [("TOKENGATE_SECRET", SECRET), ("TOKENGATE_KEY_ID", "new")];
    let with = |extra: &[(&str, &str)]| {
        let mut vars = base.to_vec();
        vars.extend_from_slice(extra);
        load(&vars)
    };
    let short = with(&[("TOKENGATE_PREVIOUS_SECRET", "short")]).unwrap_err();
    assert_eq!(short.variable, "TOKENGATE_PREVIOUS_SECRET");
    assert!(!short.to_string().contains("short"), "{short}");
    let same = with(&[("TOKENGATE_PREVIOUS_SECRET", SECRET)]).unwrap_err();
    assert_eq!(same.variable, "TOKENGATE_PREVIOUS_SECRET");
    let same_kid = with(&[
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
        ("TOKENGATE_PREVIOUS_KEY_ID", "new"),
    ])
    .unwrap_err();
    assert_eq!(same_kid.variable, "TOKENGATE_PREVIOUS_KEY_ID");
    let unnamed_current = refused(&[
        ("TOKENGATE_SECRET", SECRET),
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
    ]);
    assert_eq!(unnamed_current.variable, "TOKENGATE_KEY_ID");
    let lone_kid = with(&[("TOKENGATE_PREVIOUS_KEY_ID", "old")]).unwrap_err();
    assert_eq!(lone_kid.variable, "TOKENGATE_PREVIOUS_KEY_ID");
    let both = with(&[
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
        ("TOKENGATE_PREVIOUS_SECRET_FILE", "/nonexistent"),
    ])
    .unwrap_err();
    assert_eq!(both.variable, "TOKENGATE_PREVIOUS_SECRET_FILE");
    let public_for_hmac = with(&[(
        "TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE",
        &fixture("ec_public.pem"),
    )])
    .unwrap_err();
    assert_eq!(
        public_for_hmac.variable,
        "TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE"
    );
    let secret_for_ec = refused(&[
        ("TOKENGATE_ALGORITHM", "ES256"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
        ("TOKENGATE_PREVIOUS_SECRET", OLD_SECRET),
    ]);
    assert_eq!(secret_for_ec.variable, "TOKENGATE_PREVIOUS_SECRET");
}

#[test]
fn a_previous_public_key_verifies_and_is_published_beside_the_current_one() {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let dir = tempfile_dir();
    let old = p256::SecretKey::from_slice(&[7; 32]).unwrap();
    let old_private = old.to_pkcs8_pem(LineEnding::LF).unwrap();
    let old_public = dir.join("old_public.pem");
    std::fs::write(
        &old_public,
        old.public_key().to_public_key_pem(LineEnding::LF).unwrap(),
    )
    .unwrap();
    let old_key = Key::from_private_pem(Algorithm::ES256, old_private.as_bytes()).unwrap();
    let old_kid = old_key.thumbprint().unwrap();
    let old_token = Issuer::new(old_key.with_kid(old_kid.as_str()))
        .issuer("tokengate")
        .audience("tokengate")
        .issue(Claims::for_subject("u1"))
        .unwrap()
        .token;
    let current = [
        ("TOKENGATE_ALGORITHM", "ES256"),
        ("TOKENGATE_PRIVATE_KEY_FILE", &fixture("ec_private.pem")),
    ];
    // Before the rotation's restart configuration, the old token is unknown.
    let before = load(&current).unwrap();
    assert!(before.verifier().verify::<NoExtra>(&old_token).is_err());
    let mut vars = current.to_vec();
    let old_public_path = old_public.to_string_lossy().into_owned();
    vars.push(("TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE", &old_public_path));
    let config = load(&vars).unwrap();
    // The previous kid defaults to the key's thumbprint, as the old key's own did.
    assert_eq!(
        config.previous_key.as_ref().unwrap().kid(),
        Some(old_kid.as_str())
    );
    assert!(config.verifier().verify::<NoExtra>(&old_token).is_ok());
    let jwks = serde_json::to_value(config.access_keys().jwks()).unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [config.key_id.as_deref().unwrap(), old_kid.as_str()]);
    assert!(!jwks.to_string().contains("\"d\""), "no private part");
    // The current key's own public half is not a previous key.
    let mut same = current.to_vec();
    let current_public = fixture("ec_public.pem");
    same.push(("TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE", &current_public));
    assert_eq!(
        load(&same).unwrap_err().variable,
        "TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE"
    );
    let mut not_pem = current.to_vec();
    let private_path = fixture("ec384_public.pem");
    not_pem.push(("TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE", &private_path));
    assert_eq!(
        load(&not_pem).unwrap_err().variable,
        "TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE"
    );
    let _ = std::fs::remove_dir_all(dir);
}
