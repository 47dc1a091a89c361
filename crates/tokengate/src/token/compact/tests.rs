use super::*;

fn dup(json: &str) -> bool {
    reject_duplicate_members(json.as_bytes(), "x").is_err()
}

#[test]
fn repeated_members_are_found_at_any_depth_and_through_escapes() {
    assert!(!dup(r#"{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}"#));
    assert!(dup(r#"{"a":1,"a":1}"#));
    assert!(dup(r#"{"exp":1,"b":2,"exp":3}"#));
    assert!(dup(r#"{"auth":{"collaboration":{"d":{},"d":{}}}}"#));
    assert!(dup(r#"{"l":[{"x":1,"x":2}]}"#));
    assert!(dup(r#"{"ab":1,"a\u0062":2}"#));
    // Names that share their first eight bytes, or differ only in length.
    assert!(!dup(
        r#"{"collaborator":1,"collaboration":2,"collab":3,"collab_":4}"#
    ));
    assert!(dup(r#"{"collaboration":1,"x":2,"collaboration":3}"#));
    assert!(!dup(r#"{"a":1,"a ":2,"":3}"#));
    assert!(dup(r#"{"":1,"":2}"#));
}

#[test]
fn only_objects_are_accepted_and_strings_are_skipped_whole() {
    for bad in ["[]", "1", "\"s\"", "null", "", "   "] {
        assert!(dup(bad), "{bad:?}");
    }
    assert!(!dup(" {\"a\":\"\u{e9}\"} "));
    // Braces, quotes and commas inside strings are not structure.
    assert!(!dup(r#"{"a":"{\"a\":1,\"a\":2}","b":"x,\"b\":"}"#));
    assert!(dup(r#"{"a":"}","a":1}"#));
    // Arrays of objects: each object has its own names; names after an array count.
    assert!(!dup(r#"{"l":[{"a":1},{"a":2}],"m":1}"#));
    assert!(dup(r#"{"l":[{"a":1}],"l":2}"#));
    // Escaped quotes at every offset of longer strings, in values and in names.
    for at in 0..20 {
        let text = format!("{}\\\"{}", "x".repeat(at), "y".repeat(20 - at));
        assert!(!dup(&format!(r#"{{"a":"{text}","b":"{text}"}}"#)), "{at}");
        assert!(dup(&format!(r#"{{"a":"{text}","a":"{text}"}}"#)), "{at}");
        assert!(!dup(&format!(r#"{{"{text}":1,"b":"{text}"}}"#)), "{at}");
    }
    assert!(dup(&format!(r#"{{"a":"{}","a":1}}"#, "z".repeat(40))));
    // Deep nesting is refused rather than followed.
    assert!(dup(&format!(
        "{{\"a\":{}1{}}}",
        "[".repeat(100),
        "]".repeat(100)
    )));
    // Invalid input never panics or loops.
    for junk in ["{\"", "{\"a", "{\"a\\", "{]]]", "{\"\\u12\":1}", "{{{{"] {
        let _ = dup(junk);
    }
}

#[test]
#[cfg(feature = "remote-keys")]
fn the_top_level_iss_is_found_by_the_duplicate_scan() {
    let iss = |json: &str| issuer_of(json.as_bytes()).map(|iss| iss.map(Cow::into_owned));
    assert_eq!(
        iss(r#"{"sub":"x","iss":"https://id"}"#),
        Ok(Some("https://id".into()))
    );
    assert_eq!(iss(r#"{ "iss" : "a\/b\u0063" }"#), Ok(Some("a/bc".into())));
    // An escaped name is the same name.
    assert_eq!(
        iss(r#"{"i\u0073s":"https://id"}"#),
        Ok(Some("https://id".into()))
    );
    // Absent, nested, or not a string: no issuer.
    for none in [
        r#"{"sub":"x"}"#,
        r#"{"a":{"iss":"https://id"}}"#,
        r#"{"l":["iss","https://id"]}"#,
        r#"{"iss":7,"x":"https://id"}"#,
        r#"{"iss":null}"#,
        r#"{"iss":["https://id"]}"#,
        r#"{"iss":{"v":"https://id"}}"#,
        r#"{"x":"iss","y":"https://id"}"#,
        r#"{"iss2":"https://id"}"#,
    ] {
        assert_eq!(iss(none), Ok(None), "{none}");
    }
    // Duplicates, including a second `iss`, are refused before any issuer is picked.
    for bad in [
        r#"{"iss":"a","iss":"b"}"#,
        r#"{"iss":"a","i\u0073s":"b"}"#,
        r#"{"iss":"a","x":1,"x":2}"#,
        "[]",
    ] {
        assert!(iss(bad).is_err(), "{bad}");
    }
    // The same verdicts as the plain scan.
    assert!(!dup(r#"{"iss":"a","sub":"b"}"#));
}

#[test]
fn split_checks_length_first_then_padding_and_segments() {
    assert_eq!(
        split(&"a".repeat(9000), 8192).err(),
        Some(AuthError::Oversized { max: 8192 })
    );
    for bad in ["a.b", "a.b.c.d", "a..c", ".b.c", "a.b=.c", "a.b.c="] {
        assert!(split(bad, 8192).is_err(), "{bad}");
    }
    // Other characters are left to the strict decoding of each segment.
    let mut buf = [0u8; 8];
    for bad in ["a/b", "a b", "a+", "ab\n"] {
        assert!(decode_segment(bad, &mut buf).is_err(), "{bad:?}");
    }
    let s = split("aa.bb.cc", 8192).ok().unwrap();
    assert_eq!((s.signing_input, s.signature), ("aa.bb", "cc"));
    assert!(
        split("aa.bb.", 8192).is_ok(),
        "empty signature is left to the signature check"
    );
}

#[test]
fn non_canonical_base64_is_rejected() {
    let mut buf = [0u8; 16];
    assert!(decode_segment("eyJ9", &mut buf).is_ok());
    // "eh" has non-zero trailing bits (canonical form is "eg").
    assert!(decode_segment("eh", &mut buf).is_err());
    assert!(decode_segment("e", &mut buf).is_err());
}

#[test]
fn header_rules() {
    assert!(
        parse_header(br#"{"alg":"HS256","crit":null}"#)
            .unwrap()
            .crit
    );
    assert!(!parse_header(br#"{"alg":"HS256"}"#).unwrap().crit);
    assert!(parse_header(br#"{"alg":1}"#).is_err());
    assert!(parse_header(br#"{"typ":"JWT"}"#).is_err());
    assert!(parse_header(br#"{"alg":"HS256","alg":"none"}"#).is_err());
}
