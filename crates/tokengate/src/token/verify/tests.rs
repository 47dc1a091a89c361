//! The cache of verified tokens never changes a verdict.

use super::*;
use crate::token::claims::NoExtra;
use crate::token::issue::Issuer;
use crate::token::keys::{Algorithm, Key};

const NOW: u64 = 1_800_000_000;

fn key(byte: u8) -> Key {
    Key::hmac(Algorithm::HS256, &[byte; 32]).unwrap()
}

fn token(key: Key, ttl: u64) -> String {
    Issuer::new(key)
        .issuer("i")
        .audience("a")
        .ttl(std::time::Duration::from_secs(ttl))
        .issue_at(Claims::for_subject("s"), NOW)
        .unwrap()
        .token
}

#[test]
fn a_cached_token_still_meets_every_claim_rule() {
    let verifier = Verifier::new(key(1)).issuer("i").audience("a");
    let token = token(key(1), 100);
    assert!(verifier.verify_at::<NoExtra>(&token, NOW).is_ok());
    // Hits from here on: the time rules run against each call's clock.
    assert!(verifier.verify_at::<NoExtra>(&token, NOW + 50).is_ok());
    assert_eq!(
        verifier
            .verify_at::<NoExtra>(&token, NOW + 100)
            .unwrap_err(),
        AuthError::Expired
    );
    // A clone with another audience shares the entry but not the verdict.
    let other_audience = verifier.clone().audience("b");
    assert_eq!(
        other_audience
            .verify_at::<NoExtra>(&token, NOW)
            .unwrap_err(),
        AuthError::WrongAudience
    );
}

#[test]
fn a_cached_token_never_passes_another_verifiers_header_or_key_rules() {
    let verifier = Verifier::new(key(1));
    let token = token(key(1), 100);
    assert!(verifier.verify_at::<NoExtra>(&token, NOW).is_ok());
    let typed = verifier.clone().require_typ("at+jwt");
    assert_eq!(
        typed.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
        AuthError::WrongType
    );
    let small = verifier.clone().max_token_len(10);
    assert!(matches!(
        small.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
        AuthError::Oversized { .. }
    ));
    let other_key = Verifier::new(key(2));
    assert_eq!(
        other_key.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn only_the_exact_bytes_hit() {
    let verifier = Verifier::new(key(1));
    let token = token(key(1), 100);
    assert!(verifier.verify_at::<NoExtra>(&token, NOW).is_ok());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{input}.{flipped}{}", &signature[1..]);
    assert_eq!(
        verifier.verify_at::<NoExtra>(&tampered, NOW).unwrap_err(),
        AuthError::BadSignature
    );
}

#[test]
fn a_hit_for_another_claims_type_parses_the_payload_for_that_type() {
    #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
    struct Tenant {
        tenant: String,
    }
    #[derive(Debug, Clone, serde::Deserialize)]
    struct NumericTenant {
        #[allow(dead_code)]
        tenant: u8,
    }
    let verifier = Verifier::new(key(1));
    let token = Issuer::new(key(1))
        .issue_at(
            Claims {
                sub: Some("s".into()),
                extra: serde_json::json!({"tenant": "acme"}),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap()
        .token;
    let plain = verifier.verify_at::<NoExtra>(&token, NOW).unwrap();
    assert_eq!(plain.sub.as_deref(), Some("s"));
    let typed = verifier.verify_at::<Tenant>(&token, NOW).unwrap();
    assert_eq!(typed.extra.tenant, "acme");
    assert_eq!(typed.sub.as_deref(), Some("s"));
    // Back to the first type: parsed again, the same claims.
    assert_eq!(verifier.verify_at::<NoExtra>(&token, NOW).unwrap(), plain);
    assert!(matches!(
        verifier.verify_at::<NumericTenant>(&token, NOW),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn require_typ_jwt_takes_the_known_header_path_with_the_same_verdicts() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    let verifier = Verifier::new(key(1)).require_typ("JWT");
    // What tokengate issues carries `"typ":"JWT"`: accepted, through the known header.
    let issued = token(key(1), 100);
    assert!(verifier
        .known_header(issued.split('.').next().unwrap())
        .is_some());
    assert!(verifier.verify_at::<NoExtra>(&issued, NOW).is_ok());
    // A header without `typ`, or with another, is refused as before.
    let (_, rest) = issued.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();
    for header in [r#"{"alg":"HS256"}"#, r#"{"alg":"HS256","typ":"at+jwt"}"#] {
        let input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header));
        let signature = key(1).sign(input.as_bytes()).unwrap();
        let forged = format!("{input}.{signature}");
        assert_eq!(
            verifier.verify_at::<NoExtra>(&forged, NOW).unwrap_err(),
            AuthError::WrongType
        );
    }
    // Any other required `typ` never takes the known-header path.
    let other = Verifier::new(key(1)).require_typ("at+jwt");
    assert!(other
        .known_header(issued.split('.').next().unwrap())
        .is_none());
}

#[test]
fn typ_is_compared_as_a_media_type() {
    assert!(same_media_type("at+jwt", "at+jwt"));
    assert!(same_media_type("at+jwt", "AT+JWT"));
    assert!(same_media_type("at+jwt", "application/at+jwt"));
    assert!(same_media_type("Application/AT+JWT", "at+jwt"));
    assert!(same_media_type("JWT", "jwt"));
    assert!(!same_media_type("at+jwt", "JWT"));
    assert!(!same_media_type("at+jwt", "text/at+jwt"));
    assert!(!same_media_type("at+jwt", "at+jwt2"));
    assert!(!same_media_type("at+jwt", ""));
}

#[test]
fn any_of_several_audiences_is_enough() {
    let token = token(key(1), 100); // aud "a"
    let verifier = Verifier::new(key(1)).audiences(["b", "a"]);
    assert!(verifier.verify_at::<NoExtra>(&token, NOW).is_ok());
    let others = Verifier::new(key(1)).audiences(["b", "c"]);
    assert_eq!(
        others.verify_at::<NoExtra>(&token, NOW).unwrap_err(),
        AuthError::WrongAudience
    );
    // `audience` replaces the list; an empty list is no requirement.
    assert!(others
        .clone()
        .audience("a")
        .verify_at::<NoExtra>(&token, NOW)
        .is_ok());
    let none: [&str; 0] = [];
    assert!(Verifier::new(key(1))
        .audiences(none)
        .verify_at::<NoExtra>(&token, NOW)
        .is_ok());
}

#[test]
fn lenient_ckeditor_claims_read_foreign_user_and_auth_as_absent_and_nothing_else() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let sign = |payload: &str| {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        );
        format!("{input}.{}", key(1).sign(input.as_bytes()).unwrap())
    };
    let strict = Verifier::new(key(1));
    let lenient = Verifier::new(key(1)).lenient_ckeditor_claims();
    let exp = NOW + 100;
    for (user, auth) in [
        (r#""alice""#, r#"{"roles":["admin"]}"#),
        (r#"{"name":5}"#, r#""writer""#),
        ("null", "null"),
        ("true", r#"{"collaboration":["*"]}"#),
    ] {
        let token = sign(&format!(
            r#"{{"sub":"s","exp":{exp},"user":{user},"auth":{auth}}}"#
        ));
        assert!(matches!(
            strict.verify_at::<NoExtra>(&token, NOW),
            Err(AuthError::Malformed(_))
        ));
        // Twice: the miss, then the cache hit, read it the same way.
        for _ in 0..2 {
            let claims = lenient.verify_at::<NoExtra>(&token, NOW).unwrap();
            assert_eq!(claims.sub.as_deref(), Some("s"));
            assert_eq!(claims.user, None, "{user}");
            // Absent, or (`{"roles":…}` is an object without `collaboration`) no grant.
            assert!(
                claims.auth.is_none_or(|auth| auth.collaboration.is_empty()),
                "{auth}"
            );
        }
    }
    // CKEditor-shaped claims are kept; one of each kind is judged on its own.
    let token = sign(&format!(
        r#"{{"exp":{exp},"user":{{"name":"Ada"}},"auth":"writer"}}"#
    ));
    let claims = lenient.verify_at::<NoExtra>(&token, NOW).unwrap();
    assert_eq!(claims.user.unwrap().name.as_deref(), Some("Ada"));
    assert!(claims.auth.is_none());
    // Every other rule holds.
    for bad in [
        format!(r#"{{"exp":"{exp}","user":"alice"}}"#),
        format!(r#"{{"exp":{exp},"user":"alice","scope":["documents:write"]}}"#),
        format!(r#"{{"exp":{exp},"sub":7,"auth":"x"}}"#),
    ] {
        assert!(
            matches!(
                lenient.verify_at::<NoExtra>(&sign(&bad), NOW),
                Err(AuthError::Malformed(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn a_token_of_the_wrong_form_gets_the_form_error_whatever_else_is_wrong() {
    // The verifier splits at the outer dots and leaves the form checks to the error path;
    // every malformed variant of a good token (and of an expired or forged one) must still
    // get the error the full split gives, never an Ok.
    let verifier = Verifier::new(key(1)).issuer("i").audience("a");
    for good in [token(key(1), 100), token(key(2), 100), token(key(1), 1)] {
        let (header, rest) = good.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let variants = [
            format!("{header}={payload}.{signature}"),
            format!("{header}.{payload}=.{signature}"),
            format!("{header}.{payload}.{signature}="),
            format!("{header}=.{payload}.{signature}"),
            format!("{header}.{payload}.{signature}.{signature}"),
            format!("{header}.{payload}.x.{payload}.{signature}"),
            format!("{header}.{}.{}.{signature}", &payload[..8], &payload[8..]),
            format!(".{payload}.{signature}"),
            format!("{header}..{signature}"),
            format!("{header}.{payload}"),
            format!("{header}{payload}{signature}"),
            "..".to_owned(),
            "...".to_owned(),
            ".".to_owned(),
            String::new(),
        ];
        for variant in variants {
            let form = compact::split(&variant, DEFAULT_MAX_TOKEN_LEN)
                .err()
                .expect("a malformed variant");
            assert_eq!(
                verifier.verify_at::<NoExtra>(&variant, NOW + 10),
                Err(form),
                "{variant}"
            );
        }
    }
}
