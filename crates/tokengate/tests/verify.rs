//! Every verification rule, the RFC 7515 A.1 example, PyJWT-made tokens, and the attack
//! classes of RFC 8725 section 2 that apply to signed tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use tokengate::token::{KeySet, Permission};
use tokengate::{Algorithm, AuthError, Claims, Issuer, Key, NoExtra, Verifier};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const NOW: u64 = 1_800_000_000;

fn key() -> Key {
    Key::hmac(Algorithm::HS256, SECRET).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new(key())
        .issuer("tokengate")
        .audience("tokengate")
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with exactly this header and payload text, signed with `key`.
fn forge_raw(header: &str, payload: &str, key: &Key) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{signature}")
}

fn forge(header: Value, payload: Value) -> String {
    forge_raw(&header.to_string(), &payload.to_string(), &key())
}

fn good_payload() -> Value {
    json!({"iss": "tokengate", "aud": "tokengate", "sub": "u1", "iat": NOW, "exp": NOW + 900})
}

fn with(field: &str, value: Value) -> Value {
    let mut payload = good_payload();
    payload[field] = value;
    payload
}

fn without(field: &str) -> Value {
    let mut payload = good_payload();
    payload.as_object_mut().unwrap().remove(field);
    payload
}

fn hs256() -> Value {
    json!({"alg": "HS256", "typ": "JWT"})
}

fn check(token: &str) -> Result<Claims, AuthError> {
    verifier().verify_at(token, NOW)
}

#[test]
fn a_well_formed_token_verifies() {
    let claims = check(&forge(hs256(), good_payload())).unwrap();
    assert_eq!(claims.sub.as_deref(), Some("u1"));
}

#[test]
fn rfc7515_appendix_a1_hs256_example() {
    let k = URL_SAFE_NO_PAD
        .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
        .unwrap();
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
        .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
        .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let verifier = Verifier::new(Key::hmac(Algorithm::HS256, &k).unwrap()).issuer("joe");
    let claims: Claims<serde_json::Map<String, Value>> =
        verifier.verify_at(token, 1_300_819_379).unwrap();
    assert_eq!(claims.iss.as_deref(), Some("joe"));
    assert_eq!(claims.exp, Some(1_300_819_380));
    assert_eq!(claims.extra["http://example.com/is_root"], true);
    // One second later it has expired; one bit off and the signature fails.
    assert_eq!(
        verifier
            .verify_at::<NoExtra>(token, 1_300_819_380)
            .unwrap_err(),
        AuthError::Expired
    );
    let tampered = token.replace("dBjftJeZ4CVP", "dBjftJeZ4CVQ");
    assert_eq!(
        verifier
            .verify_at::<NoExtra>(&tampered, 1_300_819_379)
            .unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn tokens_made_by_pyjwt_verify() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/pyjwt.json")).unwrap();
    let secret = fixture["secret"].as_str().unwrap().as_bytes();
    let hs256 = Verifier::new(Key::hmac(Algorithm::HS256, secret).unwrap())
        .issuer("tokengate")
        .audience("tokengate");
    let access: Claims = hs256
        .verify_at(fixture["access_hs256"].as_str().unwrap(), NOW)
        .unwrap();
    assert_eq!(access.sub.as_deref(), Some("user-7"));
    assert!(access.allows("doc-1", &Permission::DOCUMENT_READ));
    assert!(!access.allows("doc-1", &Permission::DOCUMENT_WRITE));

    let long_secret = [secret, secret].concat();
    let hs512 = Verifier::new(Key::hmac(Algorithm::HS512, &long_secret).unwrap())
        .issuer("tokengate")
        .audience("tokengate");
    let claims: Claims = hs512
        .verify_at(fixture["access_hs512"].as_str().unwrap(), NOW)
        .unwrap();
    assert_eq!(claims.sub.as_deref(), Some("user-8"));
    // The HS256 verifier refuses the HS512 token: one key, one algorithm.
    assert_eq!(
        hs256
            .verify_at::<NoExtra>(fixture["access_hs512"].as_str().unwrap(), NOW)
            .unwrap_err(),
        AuthError::DisallowedAlgorithm
    );

    let cs = Verifier::new(Key::hmac(Algorithm::HS256, secret).unwrap())
        .audience("LJRQ1bju55p6a47RwadH");
    let claims: Claims = cs
        .verify_at(fixture["ckeditor_hs256"].as_str().unwrap(), NOW)
        .unwrap();
    assert_eq!(claims.user.unwrap().name.as_deref(), Some("Joe Doe"));
    assert!(claims
        .auth
        .unwrap()
        .allows("any-doc", &Permission::DOCUMENT_WRITE));
}

// RFC 8725 2.1: algorithm verification.

#[test]
fn alg_none_in_any_spelling_is_refused() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{}.",
            b64(json!({"alg": alg, "typ": "JWT"}).to_string().as_bytes()),
            b64(good_payload().to_string().as_bytes())
        );
        assert_eq!(
            check(&unsigned).unwrap_err(),
            AuthError::DisallowedAlgorithm,
            "{alg}"
        );
        let signed = forge(json!({"alg": alg}), good_payload());
        assert_eq!(
            check(&signed).unwrap_err(),
            AuthError::DisallowedAlgorithm,
            "{alg}"
        );
    }
}

#[test]
fn another_algorithm_than_the_keys_is_refused() {
    for alg in [
        "HS384", "HS512", "RS256", "ES256", "PS256", "EdDSA", "hs256", "HS256 ", "",
    ] {
        let token = forge(json!({"alg": alg}), good_payload());
        assert_eq!(
            check(&token).unwrap_err(),
            AuthError::DisallowedAlgorithm,
            "{alg:?}"
        );
    }
    for bad_type in [json!(null), json!(256), json!(["HS256"])] {
        let token = forge(json!({"alg": bad_type}), good_payload());
        assert!(matches!(
            check(&token).unwrap_err(),
            AuthError::Malformed(_)
        ));
    }
    let no_alg = forge(json!({"typ": "JWT"}), good_payload());
    assert!(matches!(
        check(&no_alg).unwrap_err(),
        AuthError::Malformed(_)
    ));
}

#[test]
fn rsa_public_key_used_as_hmac_secret_is_refused() {
    // The classic confusion: sign HS256 with the RSA public key's bytes, hoping the verifier
    // feeds its public key to HMAC.
    let public_pem = include_bytes!("fixtures/rsa_public.pem");
    let verifier = Verifier::new(Key::from_public_pem(Algorithm::RS256, public_pem).unwrap());
    let as_secret = Key::hmac(Algorithm::HS256, public_pem).unwrap();
    let token = forge_raw(
        &hs256().to_string(),
        &good_payload().to_string(),
        &as_secret,
    );
    assert_eq!(
        verifier.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
        AuthError::DisallowedAlgorithm
    );
}

// RFC 8725 2.2 / 2.3: weak keys and bad signatures.

#[test]
fn signatures_are_checked() {
    let token = forge(hs256(), good_payload());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let other_key = Key::hmac(Algorithm::HS256, &[0x55; 32]).unwrap();
    let cases = [
        format!("{input}."),
        format!("{input}.{}", other_key.sign(input.as_bytes()).unwrap()),
        format!("{input}.{}", &signature[..signature.len() - 4]),
        format!("{input}.{signature}AAAA"),
        format!("{input}.{}", b64(&[0u8; 32])),
        // The payload of one token with the signature of another.
        format!(
            "{}.{signature}",
            forge(hs256(), with("sub", json!("admin")))
                .rsplit_once('.')
                .unwrap()
                .0
        ),
    ];
    for case in cases {
        assert_eq!(check(&case).unwrap_err(), AuthError::BadSignature, "{case}");
    }
}

// RFC 8725 2.8: cross-JWT confusion; audience and issuer exactly.

#[test]
fn audience_is_required_and_matched_exactly() {
    assert_eq!(
        check(&forge(hs256(), without("aud"))).unwrap_err(),
        AuthError::MissingClaim("aud")
    );
    for wrong in [
        json!("tokengate2"),
        json!("tokengat"),
        json!("TOKENGATE"),
        json!(" tokengate"),
        json!([]),
        json!(["other"]),
    ] {
        let token = forge(hs256(), with("aud", wrong.clone()));
        assert_eq!(
            check(&token).unwrap_err(),
            AuthError::WrongAudience,
            "{wrong}"
        );
    }
    assert!(check(&forge(hs256(), with("aud", json!(["other", "tokengate"])))).is_ok());
    for bad_type in [
        json!(1),
        json!(null),
        json!(["tokengate", 1]),
        json!({"tokengate": true}),
    ] {
        let token = forge(hs256(), with("aud", bad_type.clone()));
        assert!(
            matches!(check(&token).unwrap_err(), AuthError::Malformed(_)),
            "{bad_type}"
        );
    }
}

#[test]
fn issuer_is_required_and_matched_byte_for_byte() {
    assert_eq!(
        check(&forge(hs256(), without("iss"))).unwrap_err(),
        AuthError::MissingClaim("iss")
    );
    for wrong in [
        "tokengate ",
        "Tokengate",
        "tokengate.evil",
        "token",
        "tokengate\u{0}",
    ] {
        let token = forge(hs256(), with("iss", json!(wrong)));
        assert_eq!(
            check(&token).unwrap_err(),
            AuthError::WrongIssuer,
            "{wrong:?}"
        );
    }
    assert!(matches!(
        check(&forge(hs256(), with("iss", json!(["tokengate"])))).unwrap_err(),
        AuthError::Malformed(_)
    ));
}

#[test]
fn expiry_is_required_and_strict() {
    assert_eq!(
        check(&forge(hs256(), without("exp"))).unwrap_err(),
        AuthError::MissingClaim("exp")
    );
    assert_eq!(
        check(&forge(hs256(), with("exp", json!(NOW)))).unwrap_err(),
        AuthError::Expired
    );
    assert_eq!(
        check(&forge(hs256(), with("exp", json!(NOW - 3600)))).unwrap_err(),
        AuthError::Expired
    );
    assert!(check(&forge(hs256(), with("exp", json!(NOW + 1)))).is_ok());
}

#[test]
fn numeric_dates_of_the_wrong_type_are_rejected_never_ignored() {
    // Before jsonwebtoken 10.3 a string exp was treated as absent (CVE-2026-25537).
    let values = [
        json!("never"),
        json!("99999999999"),
        json!(null),
        json!(true),
        json!(1.5),
        json!(1e30),
        json!(-1),
        json!([NOW + 900]),
        json!({"$date": NOW}),
    ];
    for claim in ["exp", "nbf", "iat"] {
        for value in &values {
            let token = forge(hs256(), with(claim, value.clone()));
            assert!(
                matches!(check(&token).unwrap_err(), AuthError::Malformed(_)),
                "{claim}: {value}"
            );
        }
        // Numbers JSON can hold but a numeric date cannot: 2^63 and 2^64.
        for big in ["9223372036854775808", "18446744073709551616"] {
            let dates = [("exp", NOW + 900), ("nbf", NOW), ("iat", NOW)].map(|(name, value)| {
                let value = if name == claim {
                    big.to_owned()
                } else {
                    value.to_string()
                };
                format!("\"{name}\":{value}")
            });
            let raw = format!(
                "{{\"iss\":\"tokengate\",\"aud\":\"tokengate\",{}}}",
                dates.join(",")
            );
            let token = forge_raw(&hs256().to_string(), &raw, &key());
            let err = check(&token).unwrap_err();
            assert!(matches!(err, AuthError::Malformed(_)), "{raw}: {err:?}");
        }
    }
}

#[test]
fn not_before_and_issued_at_in_the_future_beyond_leeway_are_refused() {
    for claim in ["nbf", "iat"] {
        assert!(
            check(&forge(hs256(), with(claim, json!(NOW + 30)))).is_ok(),
            "{claim} within leeway"
        );
        assert_eq!(
            check(&forge(hs256(), with(claim, json!(NOW + 31)))).unwrap_err(),
            AuthError::NotYetValid,
            "{claim}"
        );
        assert_eq!(
            check(&forge(hs256(), with(claim, json!(NOW + 86_400)))).unwrap_err(),
            AuthError::NotYetValid
        );
    }
    // Leeway is capped at 60 s whatever is asked.
    let lax = Verifier::new(key()).leeway(3600);
    assert_eq!(
        lax.verify_at::<NoExtra>(&forge(hs256(), with("nbf", json!(NOW + 61))), NOW)
            .unwrap_err(),
        AuthError::NotYetValid
    );
}

// RFC 8725 2.7 / RFC 7515 4.1.11: header parameters that must not be trusted.

#[test]
fn crit_headers_are_refused() {
    for crit in [json!(["exp"]), json!([]), json!(null), json!("b64")] {
        let token = forge(
            json!({"alg": "HS256", "crit": crit.clone(), "b64": false}),
            good_payload(),
        );
        assert_eq!(
            check(&token).unwrap_err(),
            AuthError::CriticalHeader,
            "{crit}"
        );
    }
}

#[test]
fn embedded_keys_and_key_urls_never_select_a_key() {
    let attacker = Key::hmac(Algorithm::HS256, &[0xAA; 32]).unwrap();
    let header = json!({
        "alg": "HS256",
        "jwk": {"kty": "oct", "k": b64(&[0xAA; 32])},
        "jku": "http://127.0.0.1:1/jwks.json",
        "x5u": "http://127.0.0.1:1/cert.pem",
        "x5c": ["MIIB"],
    });
    let by_attacker = forge_raw(&header.to_string(), &good_payload().to_string(), &attacker);
    assert_eq!(check(&by_attacker).unwrap_err(), AuthError::BadSignature);
    // The same headers on a token signed with the real key change nothing.
    assert!(check(&forge(header, good_payload())).is_ok());
}

#[test]
fn unknown_kid_is_refused_and_known_kids_select_their_key() {
    let old = Key::hmac(Algorithm::HS256, &[1; 32])
        .unwrap()
        .with_kid("old");
    let new = Key::hmac(Algorithm::HS512, &[2; 64])
        .unwrap()
        .with_kid("new");
    let keys = KeySet::new(new.clone()).with_verify_only(old.clone());
    let verifier = Verifier::new(keys.clone());
    let old_token = Issuer::new(old)
        .issue_at(Claims::for_subject("a"), NOW)
        .unwrap()
        .token;
    let new_token = Issuer::new(keys)
        .issue_at(Claims::for_subject("b"), NOW)
        .unwrap()
        .token;
    assert!(verifier.verify_at::<NoExtra>(&old_token, NOW).is_ok());
    assert!(verifier.verify_at::<NoExtra>(&new_token, NOW).is_ok());
    for kid in [
        "retired",
        "../../../../dev/null",
        "' OR 1=1 --",
        "http://127.0.0.1:1/k",
    ] {
        let token = forge(json!({"alg": "HS256", "kid": kid}), good_payload());
        assert_eq!(
            verifier.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
            AuthError::UnknownKey,
            "{kid}"
        );
    }
    // After rotation ends, the old key's tokens stop verifying.
    let rotated = Verifier::new(new);
    assert_eq!(
        rotated.verify_at::<NoExtra>(&old_token, NOW).unwrap_err(),
        AuthError::UnknownKey
    );
}

#[test]
fn required_typ_is_checked_when_configured() {
    let strict = verifier().require_typ("at+jwt");
    let plain = forge(hs256(), good_payload());
    assert_eq!(
        strict.verify_at::<NoExtra>(&plain, NOW).unwrap_err(),
        AuthError::WrongType
    );
    let typed = forge(json!({"alg": "HS256", "typ": "at+jwt"}), good_payload());
    assert!(strict.verify_at::<NoExtra>(&typed, NOW).is_ok());
    assert!(check(&plain).is_ok(), "typ is not required by default");
}

// Size and shape.

#[test]
fn size_is_checked_before_decoding() {
    // Pad `sub` so the whole token is exactly the limit, then one byte over.
    let base = forge(hs256(), with("sub", json!("")));
    let room = (8192 - base.len()) * 3 / 4;
    let mut sub_len = room;
    let token = loop {
        let token = forge(hs256(), with("sub", json!("x".repeat(sub_len))));
        if token.len() <= 8192 {
            break token;
        }
        sub_len -= 1;
    };
    assert!(token.len() > 8180 && token.len() <= 8192, "{}", token.len());
    assert!(check(&token).is_ok());
    let over = "a".repeat(8193);
    assert_eq!(
        check(&over).unwrap_err(),
        AuthError::Oversized { max: 8192 }
    );
    let over_signed = forge(hs256(), with("sub", json!("x".repeat(6200))));
    assert_eq!(
        check(&over_signed).unwrap_err(),
        AuthError::Oversized { max: 8192 }
    );
}

#[test]
fn repeated_member_names_are_refused() {
    let payload = good_payload().to_string();
    let dup_sub = payload.replacen("\"sub\":\"u1\"", "\"sub\":\"u1\",\"sub\":\"admin\"", 1);
    let dup_exp = payload.replacen('}', &format!(",\"exp\":{}}}", NOW + 99_999), 1);
    let dup_nested = payload.replacen(
        '}',
        ",\"auth\":{\"collaboration\":{\"d\":{\"role\":\"reader\"},\"d\":{\"role\":\"writer\"}}}}",
        1,
    );
    let dup_unknown = payload.replacen('}', ",\"x\":1,\"x\":2}", 1);
    for raw in [dup_sub, dup_exp, dup_nested, dup_unknown] {
        let token = forge_raw(&hs256().to_string(), &raw, &key());
        assert!(
            matches!(check(&token).unwrap_err(), AuthError::Malformed(_)),
            "{raw}"
        );
    }
    let dup_alg = forge_raw(r#"{"alg":"HS256","alg":"HS256"}"#, &payload, &key());
    assert!(matches!(
        check(&dup_alg).unwrap_err(),
        AuthError::Malformed(_)
    ));
}

#[test]
fn malformed_compact_forms_are_refused() {
    let token = forge(hs256(), good_payload());
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases = [
        String::new(),
        "not-a-token".into(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}={}.{p}.{s}", ""),
        format!("{h}.{p}=.{s}"),
        format!("{h}.{p}.{s}="),
        format!("{h} .{p}.{s}"),
        format!("{}.{p}.{s}", h.replace('J', "+")),
        format!("{h}.{}.{s}", p.replace('e', "/")),
        format!(".{p}.{s}"),
        format!("{h}..{s}"),
        format!("{h}.{p}.{s}\n"),
        format!("{}.{p}.{s}", b64(b"not json")),
        format!("{}.{p}.{s}", b64(b"[\"HS256\"]")),
    ];
    for case in cases {
        assert!(
            matches!(check(&case).unwrap_err(), AuthError::Malformed(_)),
            "{case:?}"
        );
    }
    for payload in ["[1,2]", "\"sub\"", "42", "null", "{\"exp\":1", "{} {}"] {
        let token = forge_raw(&hs256().to_string(), payload, &key());
        assert!(
            matches!(check(&token).unwrap_err(), AuthError::Malformed(_)),
            "{payload}"
        );
    }
    let not_utf8 = format!("{h}.{}", b64(b"{\"sub\":\"\xff\xfe\"}"));
    let signature = key().sign(not_utf8.as_bytes()).unwrap();
    assert!(matches!(
        check(&format!("{not_utf8}.{signature}")).unwrap_err(),
        AuthError::Malformed(_)
    ));
}

#[test]
fn error_messages_never_echo_the_token_or_claims() {
    let secret_looking = "s3cr3t-claim-value-XYZ";
    let tokens = [
        forge(hs256(), with("aud", json!(secret_looking))),
        forge(hs256(), with("iss", json!(secret_looking))),
        forge(json!({"alg": secret_looking}), good_payload()),
        // An unnamed key takes any `kid` as a label; this one fails on its expiry instead.
        forge(
            json!({"alg": "HS256", "kid": secret_looking}),
            with("exp", json!(1)),
        ),
        format!("{secret_looking}.x.y"),
    ];
    for token in tokens {
        let err = check(&token).unwrap_err();
        let shown = format!("{err} {err:?} {}", err.www_authenticate("tokengate"));
        assert!(!shown.contains(secret_looking), "{shown}");
        for segment in token.split('.').filter(|s| s.len() > 8) {
            assert!(!shown.contains(segment), "{shown}");
        }
    }
}

// Asymmetric keys: issue with the private half, verify with the public half, publish JWKS.

#[test]
fn asymmetric_keys_round_trip_and_publish_jwks() {
    let pairs: [(Algorithm, &[u8], &[u8]); 4] = [
        (
            Algorithm::RS256,
            include_bytes!("fixtures/rsa_private.pem"),
            include_bytes!("fixtures/rsa_public.pem"),
        ),
        (
            Algorithm::PS256,
            include_bytes!("fixtures/rsa_private.pem"),
            include_bytes!("fixtures/rsa_public.pem"),
        ),
        (
            Algorithm::ES256,
            include_bytes!("fixtures/ec_private.pem"),
            include_bytes!("fixtures/ec_public.pem"),
        ),
        (
            Algorithm::EdDSA,
            include_bytes!("fixtures/ed_private.pem"),
            include_bytes!("fixtures/ed_public.pem"),
        ),
    ];
    for (alg, private, public) in pairs {
        let signing = Key::from_private_pem(alg, private)
            .unwrap()
            .with_kid(format!("k-{alg}"));
        let token = Issuer::new(signing.clone())
            .audience("api")
            .issue_at(Claims::for_subject("s"), NOW)
            .unwrap()
            .token;
        let by_public = Verifier::new(
            Key::from_public_pem(alg, public)
                .unwrap()
                .with_kid(format!("k-{alg}")),
        )
        .audience("api");
        assert_eq!(
            by_public
                .verify_at::<NoExtra>(&token, NOW)
                .unwrap()
                .sub
                .as_deref(),
            Some("s"),
            "{alg}"
        );
        let by_private = Verifier::new(signing.clone()).audience("api");
        assert!(
            by_private.verify_at::<NoExtra>(&token, NOW).is_ok(),
            "{alg}"
        );
        let (input, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{input}.{flipped}{}", &signature[1..]);
        assert!(
            by_public.verify_at::<NoExtra>(&tampered, NOW).is_err(),
            "{alg}"
        );

        let jwks = serde_json::to_value(KeySet::new(signing).jwks()).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(jwk["kid"], format!("k-{alg}"));
        assert_eq!(jwk["alg"], alg.as_str());
        assert_eq!(jwk["use"], "sig");
        for private_part in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                jwk.get(private_part).is_none(),
                "{alg} leaks {private_part}"
            );
        }
    }
    assert!(Key::from_public_pem(Algorithm::RS256, b"not a pem").is_err());
    assert!(
        Key::from_private_pem(Algorithm::ES256, include_bytes!("fixtures/rsa_private.pem"))
            .is_err()
    );
    assert!(
        Key::from_private_pem(Algorithm::HS256, include_bytes!("fixtures/rsa_private.pem"))
            .is_err()
    );
    let public_only =
        Key::from_public_pem(Algorithm::RS256, include_bytes!("fixtures/rsa_public.pem")).unwrap();
    assert!(!public_only.can_sign());
    assert!(Issuer::new(public_only)
        .issue(Claims::for_subject("x"))
        .is_err());
}

#[test]
fn issued_tokens_fill_registered_claims_and_cap_lifetime() {
    let issuer = Issuer::new(key())
        .issuer("tokengate")
        .audience("tokengate")
        .ttl(std::time::Duration::from_secs(600))
        .max_ttl(std::time::Duration::from_secs(300));
    let asked_for_a_year = Claims {
        exp: Some(NOW + 31_536_000),
        ..Claims::for_subject("u")
    };
    let issued = issuer.issue_at(asked_for_a_year, NOW).unwrap();
    assert_eq!((issued.issued_at, issued.expires_at), (NOW, NOW + 300));
    let claims = check(&issued.token).unwrap();
    assert_eq!(claims.iat, Some(NOW));
    assert_eq!(claims.exp, Some(NOW + 300));
    assert_eq!(claims.jti.as_deref(), Some(issued.jti.as_str()));
    assert!(issued.jti.len() >= 22);
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(issued.token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    let second = issuer.issue_at(Claims::for_subject("u"), NOW).unwrap();
    assert_ne!(second.jti, issued.jti);
}

/// Unsound keys are refused when loaded, naming the problem, instead of failing every token
/// later (or passing some).
#[test]
fn unsound_public_keys_are_refused_at_load() {
    let cases: [(&str, Algorithm, &str); 5] = [
        (
            include_str!("fixtures/rsa_1024_public.pem"),
            Algorithm::RS256,
            "an RSA key must have at least 2048 bits, this one has 1024",
        ),
        (
            include_str!("fixtures/rsa_e1_public.pem"),
            Algorithm::PS256,
            "the RSA public exponent must be odd and at least 3",
        ),
        (
            include_str!("fixtures/rsa_e4_public.pem"),
            Algorithm::RS256,
            "the RSA public exponent must be odd and at least 3",
        ),
        (
            include_str!("fixtures/ec_p384_header_public.pem"),
            Algorithm::ES256,
            "the key is not a point on the curve ES256 uses (P-256 for ES256)",
        ),
        (
            include_str!("fixtures/ec_off_curve_public.pem"),
            Algorithm::ES256,
            "the key is not a point on the curve ES256 uses (P-256 for ES256)",
        ),
    ];
    for (pem, alg, message) in cases {
        let error = Key::from_public_pem(alg, pem.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), message, "{alg}");
    }
    // A PEM of another kind: an RSA key for ES256, an EC key for EdDSA, a private key where a
    // public one is expected.
    let rsa = include_str!("fixtures/rsa_public.pem");
    let ec = include_str!("fixtures/ec_public.pem");
    let private = include_str!("fixtures/rsa_private.pem");
    assert!(Key::from_public_pem(Algorithm::ES256, rsa.as_bytes()).is_err());
    assert!(Key::from_public_pem(Algorithm::EdDSA, ec.as_bytes()).is_err());
    assert!(Key::from_public_pem(Algorithm::RS256, private.as_bytes()).is_err());
    assert!(Key::from_private_pem(Algorithm::ES256, private.as_bytes()).is_err());
    // The sound fixtures still load.
    assert!(Key::from_public_pem(Algorithm::RS256, rsa.as_bytes()).is_ok());
    assert!(Key::from_public_pem(Algorithm::ES256, ec.as_bytes()).is_ok());
    assert!(Key::from_private_pem(Algorithm::PS256, private.as_bytes()).is_ok());
}
