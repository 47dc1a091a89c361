//! Token validity rules: signature, algorithm, dates, audience, issuer, claims and size.

use reqwest::Method;
use serde_json::json;

use super::helpers::{
    base64_url, claims_with, claims_without, document, expect_invalid, get_with_token, hs256,
    json_of,
};
use crate::harness::{forge_raw, now, valid_claims, Target};

/// A token signed with another key, or altered after signing, is `invalid_token`.
pub async fn bad_signature_is_invalid(target: &Target) {
    let app = target.start();
    let other = forge_raw(
        &hs256().to_string(),
        &valid_claims("user-1").to_string(),
        b"another-secret-of-enough-length-0123456789",
    );
    expect_invalid(&app, &other, "invalid_token").await;
    let good = app.mint("user-1", json!({}));
    let (input, signature) = good.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    expect_invalid(
        &app,
        &format!("{input}.{flipped}{}", &signature[1..]),
        "invalid_token",
    )
    .await;
    expect_invalid(&app, &format!("{input}."), "invalid_token").await;
    let admin = app.mint("admin", json!({}));
    let admin_input = admin.rsplit_once('.').unwrap().0;
    expect_invalid(&app, &format!("{admin_input}.{signature}"), "invalid_token").await;
}

/// `alg: none`, in any spelling, signed or not, is `invalid_token`.
pub async fn alg_none_is_invalid(target: &Target) {
    let app = target.start();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT"}).to_string();
        let unsigned = format!(
            "{}.{}.",
            base64_url(header.as_bytes()),
            base64_url(valid_claims("user-1").to_string().as_bytes())
        );
        expect_invalid(&app, &unsigned, "invalid_token").await;
        expect_invalid(
            &app,
            &app.forge(&json!({"alg": alg}), &valid_claims("user-1")),
            "invalid_token",
        )
        .await;
    }
}

/// Another algorithm than the configured one is `invalid_token`, even with the right secret.
pub async fn wrong_algorithm_is_invalid(target: &Target) {
    use hmac::{Hmac, Mac};
    let app = target.start();
    let header = json!({"alg": "HS512", "typ": "JWT"}).to_string();
    let input = format!(
        "{}.{}",
        base64_url(header.as_bytes()),
        base64_url(valid_claims("user-1").to_string().as_bytes())
    );
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(app.secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let hs512 = format!("{input}.{}", base64_url(&mac.finalize().into_bytes()));
    expect_invalid(&app, &hs512, "invalid_token").await;
    for alg in ["RS256", "ES256", "HS384", "hs256"] {
        expect_invalid(
            &app,
            &app.forge(&json!({"alg": alg}), &valid_claims("user-1")),
            "invalid_token",
        )
        .await;
    }
}

/// An expired token is 401 `token_expired`, with an `invalid_token` challenge.
pub async fn expired_token_is_token_expired(target: &Target) {
    let app = target.start();
    let expired = claims_with("exp", json!(now() - 3600));
    let mut expired = expired;
    expired["iat"] = json!(now() - 7200);
    expect_invalid(&app, &app.forge(&hs256(), &expired), "token_expired").await;
    let just = claims_with("exp", json!(now() - 5));
    expect_invalid(&app, &app.forge(&hs256(), &just), "token_expired").await;
}

/// `nbf` in the future beyond the leeway is `invalid_token`.
pub async fn not_yet_valid_token_is_invalid(target: &Target) {
    let app = target.start();
    let future = claims_with("nbf", json!(now() + 3600));
    expect_invalid(&app, &app.forge(&hs256(), &future), "invalid_token").await;
    let within_leeway = claims_with("nbf", json!(now() + 5));
    let response = get_with_token(&app, "/protected", &app.forge(&hs256(), &within_leeway)).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "a few seconds of clock skew are tolerated"
    );
}

/// `iat` in the future beyond the leeway is `invalid_token`.
pub async fn future_iat_is_invalid(target: &Target) {
    let app = target.start();
    let future = claims_with("iat", json!(now() + 3600));
    expect_invalid(&app, &app.forge(&hs256(), &future), "invalid_token").await;
}

/// `aud` must be, or contain, the configured audience exactly.
pub async fn wrong_audience_is_invalid(target: &Target) {
    let app = target.start();
    for aud in [
        json!("other"),
        json!("tokengate2"),
        json!("TOKENGATE"),
        json!("tokengat"),
        json!([]),
        json!(["other"]),
        json!(1),
    ] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_with("aud", aud)),
            "invalid_token",
        )
        .await;
    }
    let listed = app.forge(&hs256(), &claims_with("aud", json!(["other", "tokengate"])));
    assert_eq!(
        get_with_token(&app, "/protected", &listed)
            .await
            .status()
            .as_u16(),
        200
    );
}

/// `iss` must equal the configured issuer byte for byte.
pub async fn wrong_issuer_is_invalid(target: &Target) {
    let app = target.start();
    for iss in [
        json!("other"),
        json!("tokengate "),
        json!("Tokengate"),
        json!("tokengate.evil"),
        json!(["tokengate"]),
    ] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_with("iss", iss)),
            "invalid_token",
        )
        .await;
    }
}

/// `exp`, `aud` and `iss` are required.
pub async fn required_claims_must_be_present(target: &Target) {
    let app = target.start();
    for claim in ["exp", "aud", "iss"] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_without(claim)),
            "invalid_token",
        )
        .await;
    }
}

/// Numeric dates must be integers from 0 to 2^63−1; anything else is `invalid_token`.
pub async fn non_integer_dates_are_invalid(target: &Target) {
    let app = target.start();
    let values = [
        json!("never"),
        json!("99999999999"),
        json!(null),
        json!(true),
        json!(1.5),
        json!(1e30),
        json!(-1),
    ];
    for claim in ["exp", "nbf", "iat"] {
        for value in &values {
            expect_invalid(
                &app,
                &app.forge(&hs256(), &claims_with(claim, value.clone())),
                "invalid_token",
            )
            .await;
        }
    }
    let later = now() + 600;
    for big in [
        "18446744073709551616",
        "9223372036854775808",
        "6e2",
        "600.0",
    ] {
        for claim in ["exp", "nbf", "iat"] {
            let exp = if claim == "exp" {
                big.to_owned()
            } else {
                later.to_string()
            };
            let mut text = format!(
                "{{\"iss\":\"tokengate\",\"aud\":\"tokengate\",\"sub\":\"u\",\"exp\":{exp}"
            );
            if claim != "exp" {
                text.push_str(&format!(",\"{claim}\":{big}"));
            }
            text.push('}');
            let token = forge_raw(&hs256().to_string(), &text, app.secret.as_bytes());
            expect_invalid(&app, &token, "invalid_token").await;
        }
    }
    // The ends of the range are dates like any other.
    let mut edges = valid_claims("user-1");
    edges["exp"] = json!(i64::MAX);
    edges["nbf"] = json!(0);
    edges["iat"] = json!(0);
    let token = app.forge(&hs256(), &edges);
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &token).await).await;
    assert_eq!(status, 200, "exp 2^63-1, nbf and iat 0: {body}");
}

/// A header with `crit` is `invalid_token`.
pub async fn crit_header_is_invalid(target: &Target) {
    let app = target.start();
    let header = json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]});
    expect_invalid(
        &app,
        &app.forge(&header, &valid_claims("user-1")),
        "invalid_token",
    )
    .await;
}

/// A header or payload that repeats a member name is `invalid_token`.
pub async fn repeated_members_are_invalid(target: &Target) {
    let app = target.start();
    let claims = valid_claims("user-1").to_string();
    let dup_sub = claims.replacen('{', "{\"sub\":\"admin\",", 1);
    let dup_exp = claims.replacen('{', &format!("{{\"exp\":{},", now() + 999_999), 1);
    for payload in [dup_sub, dup_exp] {
        let token = forge_raw(&hs256().to_string(), &payload, app.secret.as_bytes());
        expect_invalid(&app, &token, "invalid_token").await;
    }
    let dup_alg = forge_raw(
        "{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
        &claims,
        app.secret.as_bytes(),
    );
    expect_invalid(&app, &dup_alg, "invalid_token").await;
}

/// A token over 8 KiB is `invalid_token`, even when correctly signed.
pub async fn oversized_token_is_invalid(target: &Target) {
    let app = target.start();
    let big = app.mint("user-1", json!({"padding": "x".repeat(9000)}));
    assert!(big.len() > 8192);
    expect_invalid(&app, &big, "invalid_token").await;
}

/// The 8 KiB limit is exact: a token of 8192 bytes passes, 8193 bytes is `invalid_token`; a
/// far longer `Authorization` header still gets the JSON 401, not a bare 431 or a reset.
pub async fn token_size_limit_is_exactly_8_kib(target: &Target) {
    let app = target.start();
    // The token of exactly `len` bytes, if a padding claim can make one (base64url grows by
    // 4 characters per 3 bytes, so some lengths are skipped).
    let sized = |len: usize| {
        (5_000..7_000)
            .map(|padding| app.mint("user-1", json!({"padding": "x".repeat(padding)})))
            .find(|token| token.len() >= len)
            .filter(|token| token.len() == len)
    };
    let at_limit = sized(8192)
        .or_else(|| sized(8191))
        .expect("a token of 8191 or 8192 bytes");
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &at_limit).await).await;
    assert_eq!(status, 200, "{} bytes: {body}", at_limit.len());
    let over = sized(8193)
        .or_else(|| sized(8194))
        .expect("a token just over 8 KiB");
    expect_invalid(&app, &over, "invalid_token").await;
    let garbage = format!("{}.{}.{}", "a".repeat(20_000), "b".repeat(10_000), "c");
    expect_invalid(&app, &garbage, "invalid_token").await;
}

/// The leeway for `nbf` and `iat` is at most 60 s: 5 s ahead passes, 90 s ahead does not.
pub async fn leeway_is_at_most_sixty_seconds(target: &Target) {
    let app = target.start();
    for claim in ["nbf", "iat"] {
        let near = app.forge(&hs256(), &claims_with(claim, json!(now() + 5)));
        let (status, _, body) = json_of(get_with_token(&app, "/protected", &near).await).await;
        assert_eq!(status, 200, "{claim} 5 s ahead: {body}");
        let far = app.forge(&hs256(), &claims_with(claim, json!(now() + 90)));
        expect_invalid(&app, &far, "invalid_token").await;
    }
}

/// A `kid` that names no configured key is only a label: the token is still checked with the
/// app's own key, so the right signature passes and any other fails.
pub async fn a_kid_naming_no_key_is_only_a_label(target: &Target) {
    let app = target.start();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "no-such-key"});
    let signed = app.forge(&header, &valid_claims("user-1"));
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &signed).await).await;
    assert_eq!(status, 200, "{body}");
    let other = forge_raw(
        &header.to_string(),
        &valid_claims("user-1").to_string(),
        b"another-secret-another-secret-another-secret",
    );
    expect_invalid(&app, &other, "invalid_token").await;
}

/// Collaboration claims of the wrong shape or with an unknown role never grant anything and
/// never cause a 500.
pub async fn malformed_collaboration_claims_are_invalid(target: &Target) {
    let app = target.start();
    for auth in [
        json!("writer"),
        json!({"collaboration": ["*"]}),
        json!({"collaboration": {"*": {"role": 5}}}),
        json!({"collaboration": {"*": {"role": "owner"}}}),
        json!({"collaboration": {"*": {"permissions": "document:write"}}}),
    ] {
        let token = app.mint("user-1", json!({"auth": auth}));
        let response = document(&app, Method::PUT, "doc-1", &token).await;
        let (status, _, body) = json_of(response).await;
        // Refused as a token, or read as granting nothing: either way no write and no 500.
        assert!(
            (status, &body["error"]) == (401, &json!("invalid_token"))
                || (status, &body["error"]) == (403, &json!("insufficient_scope")),
            "auth {auth}: {status} {body}"
        );
    }
}

/// `kid`, `jwk`, `jku`, `x5u` never select a key: a token signed by the attacker's key
/// embedded in its own header is refused.
pub async fn embedded_keys_never_select_a_key(target: &Target) {
    let app = target.start();
    let attacker = b"attacker-secret-attacker-secret-attacker";
    let header = json!({
        "alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null",
        "jwk": {"kty": "oct", "k": base64_url(attacker)},
        "jku": "http://127.0.0.1:9/jwks.json", "x5u": "http://127.0.0.1:9/x.pem",
    });
    let token = forge_raw(
        &header.to_string(),
        &valid_claims("user-1").to_string(),
        attacker,
    );
    expect_invalid(&app, &token, "invalid_token").await;
}

/// Error messages say what was wrong without echoing the token.
pub async fn error_messages_never_echo_the_token(target: &Target) {
    let app = target.start();
    let marker = "SECRETMARKERVALUE";
    let tokens = [
        app.forge(&hs256(), &claims_with("aud", json!(marker))),
        app.forge(&json!({"alg": marker}), &valid_claims("u")),
        format!("{marker}.{marker}.{marker}"),
    ];
    for token in tokens {
        let response = get_with_token(&app, "/protected", &token).await;
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        assert!(
            !body.contains(marker) && !headers.contains(marker),
            "{body} {headers}"
        );
        for segment in token.split('.').filter(|s| s.len() > 10) {
            assert!(!body.contains(segment) && !headers.contains(segment));
        }
    }
}
