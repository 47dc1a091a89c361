use super::*;
use crate::token::compact::reject_duplicate_members;

/// What the general path makes of `json`: the duplicate scan, then serde_json.
fn general(json: &str) -> Option<Claims> {
    reject_duplicate_members(json.as_bytes(), "").ok()?;
    serde_json::from_str(json).ok()
}

/// Asserts that the plain reader never accepts what the general path refuses, and reads
/// what it accepts the same way; returns whether it took the payload.
fn agrees(json: &str) -> bool {
    let plain = plain_claims::<NoExtra>(json.as_bytes());
    if let Some(plain) = &plain {
        assert_eq!(Some(plain), general(json).as_ref(), "{json}");
    }
    plain.is_some()
}

#[test]
fn a_string_ends_at_its_first_quote_backslash_or_control_character() {
    let plain = |rest: &[u8]| {
        rest.iter()
            .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f))
    };
    let mut cases: Vec<Vec<u8>> = Vec::new();
    // Every byte value at every place of the first two words, after a plain prefix.
    for len in 0..20 {
        for byte in 0..=255u8 {
            let mut text = "aé~ !#z0".repeat(3).into_bytes();
            text.truncate(len);
            text.push(byte);
            text.extend_from_slice(b"xyz\"\\");
            cases.push(text);
        }
    }
    cases.push(b"no end at all, twelve+ bytes".to_vec());
    cases.push(Vec::new());
    for text in cases {
        assert_eq!(string_end(&text), plain(&text), "{text:?}");
    }
}

#[test]
fn tokens_of_the_plain_shape_are_read_in_one_pass() {
    for json in [
        r#"{"iss":"tokengate","sub":"user-123","aud":"tokengate","exp":2000000000,"iat":1999999100,"jti":"a1","sid":"s1"}"#,
        r#"{"aud":"env","iat":1,"exp":9223372036854775807,"sub":"u","user":{"name":"Joe Doe","email":"j@x.io"},"auth":{"collaboration":{"*":{"role":"writer"}}}}"#,
        r#" { "aud" : [ "a" , "b" ] , "exp" : 0 , "scope" : "openid documents:read" } "#,
        r#"{"aud":[],"auth":{"collaboration":{"d1":{"role":"commentator","permissions":["document:write"]},"d2":{"permissions":[]},"*":{"role":"custom","x":1}},"other":"y"},"user":{"id":"1","avatar":"https://x/a.png","role":"z"}}"#,
        r#"{"client_id":"app","n":-12,"ok":true,"no":false,"x":null,"name":"Zoë","email":"é@x"}"#,
        "{}",
    ] {
        assert!(agrees(json), "{json}");
    }
}

#[test]
fn anything_else_is_left_to_the_general_path() {
    for json in [
        // Repeated names, known or not, nested too.
        r#"{"sub":"a","sub":"b"}"#,
        r#"{"x":1,"x":2}"#,
        r#"{"user":{"name":"a","name":"b"}}"#,
        r#"{"auth":{"collaboration":{"d":{},"d":{}}}}"#,
        r#"{"auth":{"collaboration":{"*":{"role":"writer","role":"reader"}}}}"#,
        // Values serde reads but this reader leaves alone.
        r#"{"user":{"name":null}}"#,
        r#"{"auth":{"collaboration":{"*":{"role":null}}}}"#,
        // Escapes and control characters.
        r#"{"sub":"a\"b"}"#,
        r#"{"s\u0075b":"a"}"#,
        "{\"sub\":\"a\tb\"}",
        // Numbers that are not plain integers, or out of range.
        r#"{"exp":1.5}"#,
        r#"{"exp":1e3}"#,
        r#"{"exp":-1}"#,
        r#"{"exp":01}"#,
        r#"{"exp":9223372036854775808}"#,
        r#"{"exp":99999999999999999999}"#,
        r#"{"x":1.0}"#,
        r#"{"x":1234567890123456789}"#,
        // Wrong types.
        r#"{"sub":1}"#,
        r#"{"sub":null}"#,
        r#"{"exp":"1"}"#,
        r#"{"aud":{"a":1}}"#,
        r#"{"aud":[1]}"#,
        r#"{"user":"joe"}"#,
        // Nested values under other names.
        r#"{"cnf":{"jkt":"x"}}"#,
        r#"{"roles":["a"]}"#,
        // Not an object, or something after it.
        r#"[]"#,
        r#"{"sub":"a"} x"#,
        r#"{"sub":"a",}"#,
        r#"{"sub" "a"}"#,
        r#"{"x":tru}"#,
        r#"{"x":nul}"#,
        r#"{"sub":"a""#,
        r#"{"#,
        "",
    ] {
        assert!(!agrees(json), "{json}");
    }
    // Many members, some spilled off the stack, one repeated or too many.
    let some: Vec<String> = (0..20)
        .map(|i| format!("\"member-name-{i}\":{i}"))
        .collect();
    assert!(agrees(&format!("{{{}}}", some.join(","))));
    let repeated = format!("{{{},\"member-name-3\":1}}", some.join(","));
    assert!(!agrees(&repeated) && general(&repeated).is_none());
    let many: Vec<String> = (0..MAX_MEMBERS + 1)
        .map(|i| format!("\"m{i}\":{i}"))
        .collect();
    let many = format!("{{{}}}", many.join(","));
    assert!(!agrees(&many) && general(&many).is_some());
    // Names that share their first eight bytes, with a character across the eighth.
    assert!(agrees(r#"{"abcdefgé1":1,"abcdefgé2":2,"abcdefgé":3}"#));
    let repeated = r#"{"abcdefgé1":1,"abcdefgé1":2}"#;
    assert!(!agrees(repeated) && general(repeated).is_none());
    // Invalid UTF-8 in a name or a value.
    for json in [&b"{\"\xff\":1}"[..], b"{\"sub\":\"\xc3\"}"] {
        assert!(plain_claims::<NoExtra>(json).is_none());
    }
}

#[test]
fn app_defined_claims_take_the_general_path() {
    #[derive(Clone, Debug, serde::Deserialize)]
    struct Tenant {}
    assert!(plain_claims::<Tenant>(br#"{"sub":"u"}"#).is_none());
}
