//! TOKENGATE_PREVIOUS_*: a rotated-out key that still verifies.

use super::*;

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
