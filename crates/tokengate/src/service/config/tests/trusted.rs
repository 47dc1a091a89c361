//! TOKENGATE_TRUSTED_*: the providers whose tokens are accepted.

use super::*;

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
