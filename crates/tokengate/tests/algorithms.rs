//! The SHA-384/512 RSA algorithms and ES384: issued with the private half, verified with the
//! public half, pinned to their key, and their unsound keys refused at load.

use tokengate::{Algorithm, Claims, Issuer, Key, NoExtra, Verifier};

const NOW: u64 = 1_700_000_000;
const RSA_PRIVATE: &[u8] = include_bytes!("fixtures/rsa_private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("fixtures/rsa_public.pem");
const EC384_PRIVATE: &[u8] = include_bytes!("fixtures/ec384_private.pem");
const EC384_PUBLIC: &[u8] = include_bytes!("fixtures/ec384_public.pem");

#[test]
fn new_algorithms_round_trip_and_stay_pinned() {
    let cases: [(Algorithm, &[u8], &[u8]); 5] = [
        (Algorithm::RS384, RSA_PRIVATE, RSA_PUBLIC),
        (Algorithm::RS512, RSA_PRIVATE, RSA_PUBLIC),
        (Algorithm::PS384, RSA_PRIVATE, RSA_PUBLIC),
        (Algorithm::PS512, RSA_PRIVATE, RSA_PUBLIC),
        (Algorithm::ES384, EC384_PRIVATE, EC384_PUBLIC),
    ];
    for (alg, private, public) in cases {
        let signing = Key::from_private_pem(alg, private).unwrap().with_kid("k");
        let token = Issuer::new(signing.clone())
            .audience("api")
            .issue_at(Claims::for_subject("s"), NOW)
            .unwrap()
            .token;
        let verifier =
            Verifier::new(Key::from_public_pem(alg, public).unwrap().with_kid("k")).audience("api");
        let claims = verifier.verify_at::<NoExtra>(&token, NOW).unwrap();
        assert_eq!(claims.sub.as_deref(), Some("s"), "{alg}");
        // The published JWK names the algorithm.
        let jwk = serde_json::to_value(signing.public_jwk().unwrap()).unwrap();
        assert_eq!(jwk["alg"], alg.as_str(), "{alg}");
        // The same key material under another algorithm of its family does not verify it.
        let other = match alg {
            Algorithm::ES384 => Algorithm::ES256,
            Algorithm::RS384 => Algorithm::RS256,
            _ => Algorithm::RS384,
        };
        if let Ok(key) = Key::from_public_pem(other, public) {
            let wrong = Verifier::new(key.with_kid("k")).audience("api");
            assert!(wrong.verify_at::<NoExtra>(&token, NOW).is_err(), "{alg}");
        }
    }
}

#[test]
fn es384_and_es256_keys_are_not_interchangeable() {
    let p256 = include_bytes!("fixtures/ec_public.pem");
    assert_eq!(
        Key::from_public_pem(Algorithm::ES384, p256)
            .unwrap_err()
            .to_string(),
        "the key is not a point on the curve ES384 uses (P-384 for ES384)"
    );
    assert!(Key::from_public_pem(Algorithm::ES256, EC384_PUBLIC).is_err());
    assert!(Key::from_private_pem(Algorithm::ES256, EC384_PRIVATE).is_err());
    assert!(
        Key::from_private_pem(Algorithm::ES384, include_bytes!("fixtures/ec_private.pem")).is_err()
    );
}

#[test]
fn small_rsa_keys_are_refused_for_every_rsa_algorithm() {
    for alg in [
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let error =
            Key::from_public_pem(alg, include_bytes!("fixtures/rsa_1024_public.pem")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an RSA key must have at least 2048 bits, this one has 1024"
        );
    }
}
