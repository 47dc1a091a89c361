//! Tokens built from arbitrary headers and claims, then signed with the verifier's key, so
//! that the fuzzer gets past the signature into the header rules, the claims parser and every
//! claim rule. Whatever passes must meet those rules. The claims are read twice, as `NoExtra`
//! (which takes the one-pass reader for payloads of the plain shape) and as an app-defined
//! type that ignores everything as `NoExtra` does (which takes serde_json): both must give the
//! same answer.
#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tokengate::{Algorithm, Claims, Key, Verifier};

const SECRET: &[u8] = b"fuzzing-secret-0123456789abcdef-0123";
const NOW: u64 = 1_800_000_000;

/// A JSON value of the shapes claims come in, and the odd ones they must refuse.
#[derive(Arbitrary, Debug)]
enum Claim {
    Absent,
    Null,
    Bool(bool),
    Int(i64),
    Big(u64),
    Float(f64),
    Text(String),
    Expected,
    Texts(Vec<String>),
    Object(Vec<(String, String)>),
}

#[derive(Arbitrary, Debug)]
struct Token {
    alg: Option<String>,
    hs256: bool,
    typ: Claim,
    kid: Claim,
    crit: Claim,
    iss: Claim,
    aud: Claim,
    exp: Claim,
    nbf: Claim,
    iat: Claim,
    sub: Claim,
    jti: Claim,
    scope: Claim,
    auth: Claim,
    user: Claim,
    cnf: Claim,
    extra: Vec<(String, String)>,
    /// Appended to the payload JSON as raw text, to reach the duplicate-member scan.
    raw_tail: Option<String>,
}

fn value(claim: &Claim, expected: Value) -> Option<Value> {
    Some(match claim {
        Claim::Absent => return None,
        Claim::Null => Value::Null,
        Claim::Bool(b) => json!(b),
        Claim::Int(i) => json!(i),
        Claim::Big(u) => json!(u),
        Claim::Float(f) => json!(f),
        Claim::Text(s) => json!(s),
        Claim::Expected => expected,
        Claim::Texts(v) => json!(v),
        Claim::Object(pairs) => {
            Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
        }
    })
}

fn object(fields: &[(&str, Option<Value>)]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|(name, value)| value.clone().map(|v| ((*name).to_owned(), v)))
        .collect()
}

fuzz_target!(|t: Token| {
    let alg = if t.hs256 {
        Some(json!("HS256"))
    } else {
        t.alg.as_ref().map(|a| json!(a))
    };
    let header = object(&[
        ("alg", alg),
        ("typ", value(&t.typ, json!("JWT"))),
        ("kid", value(&t.kid, json!("k1"))),
        ("crit", value(&t.crit, json!(["exp"]))),
    ]);
    let mut payload = object(&[
        ("iss", value(&t.iss, json!("fuzz"))),
        ("aud", value(&t.aud, json!("fuzz"))),
        ("exp", value(&t.exp, json!(NOW + 600))),
        ("nbf", value(&t.nbf, json!(NOW - 10))),
        ("iat", value(&t.iat, json!(NOW - 10))),
        ("sub", value(&t.sub, json!("user-1"))),
        ("jti", value(&t.jti, json!("j1"))),
        ("scope", value(&t.scope, json!("documents:read"))),
        (
            "auth",
            value(&t.auth, json!({"collaboration": {"*": {"role": "writer"}}})),
        ),
        ("user", value(&t.user, json!({"name": "N"}))),
        ("cnf", value(&t.cnf, json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}))),
    ]);
    for (k, v) in &t.extra {
        payload.entry(k.clone()).or_insert(json!(v));
    }
    let mut payload_json = serde_json::to_string(&payload).unwrap();
    if let Some(tail) = &t.raw_tail {
        payload_json.pop();
        payload_json.push_str(tail);
    }
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(payload_json.as_bytes())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(signing_input.as_bytes());
    let token = format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );

    let verifier = Verifier::new(Key::hmac(Algorithm::HS256, SECRET).unwrap())
        .issuer("fuzz")
        .audience("fuzz");
    let plain = verifier.verify_at::<tokengate::NoExtra>(&token, NOW);
    let general = verifier
        .verify_at::<IgnoresAll>(&token, NOW)
        .map(without_extra);
    assert_eq!(plain, general, "the two claims readers disagree");
    if let Ok(claims) = plain {
        check(&claims, &header);
    }
});

/// Reads no claim of its own, like `NoExtra`; being another type, it sends the payload
/// through serde_json.
#[derive(Clone, Debug, serde::Deserialize)]
struct IgnoresAll {}

fn without_extra(claims: Claims<IgnoresAll>) -> Claims {
    Claims {
        iss: claims.iss,
        sub: claims.sub,
        aud: claims.aud,
        exp: claims.exp,
        nbf: claims.nbf,
        iat: claims.iat,
        jti: claims.jti,
        sid: claims.sid,
        user: claims.user,
        auth: claims.auth,
        scope: claims.scope,
        name: claims.name,
        email: claims.email,
        cnf: claims.cnf,
        extra: tokengate::NoExtra {},
    }
}

/// What every accepted token must be.
fn check(claims: &Claims, header: &Map<String, Value>) {
    assert_eq!(
        header.get("alg"),
        Some(&json!("HS256")),
        "only the pinned algorithm"
    );
    assert!(header.get("crit").is_none(), "crit is never accepted");
    let exp = claims.exp.expect("exp is required");
    assert!(exp > NOW, "not expired");
    assert!(
        claims.nbf.is_none_or(|nbf| nbf <= NOW + 60),
        "nbf within the leeway"
    );
    assert!(
        claims.iat.is_none_or(|iat| iat <= NOW + 60),
        "iat within the leeway"
    );
    assert_eq!(claims.iss.as_deref(), Some("fuzz"));
    assert!(claims
        .aud
        .as_ref()
        .expect("aud is required")
        .contains("fuzz"));
}
