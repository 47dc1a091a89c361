//! The cache of verified tokens never changes a verdict.

use super::*;
use crate::claims::NoExtra;
use crate::issue::Issuer;
use crate::keys::{Algorithm, Key};

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
