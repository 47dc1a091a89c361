use super::*;

/// The value of the sample `series` (name and labels exactly as rendered), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn every_family_is_there_at_zero_before_any_event() {
    let text = Metrics::new().render();
    for series in [
        r#"tokengate_decisions_total{outcome="allowed",reason="ok"}"#,
        r#"tokengate_decisions_total{outcome="refused",reason="invalid_token"}"#,
        r#"tokengate_logins_total{result="too_many_attempts"}"#,
        r#"tokengate_refreshes_total{result="reused"}"#,
        "tokengate_verify_duration_seconds_count",
    ] {
        assert_eq!(sample(&text, series), Some(0.0), "{series} in\n{text}");
    }
    let build = format!(
        r#"tokengate_build_info{{version="{}"}}"#,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(sample(&text, &build), Some(1.0), "{text}");
    assert!(
        text.contains("# TYPE tokengate_verify_duration_seconds histogram"),
        "{text}"
    );
    assert!(text.contains("# HELP tokengate_decisions_total "), "{text}");
}

#[test]
fn events_count_under_their_labels() {
    let metrics = Metrics::new();
    metrics.allowed();
    metrics.allowed();
    metrics.refused("token_expired");
    metrics.refused("a_code_added_later");
    metrics.login(LoginResult::InvalidCredentials);
    metrics.refresh(RefreshResult::Grace);
    metrics.login_ended("everywhere");
    metrics.login_ended("everywhere");
    metrics.verified_in(Duration::from_micros(3));
    let text = metrics.render();
    let expect = [
        (
            r#"tokengate_decisions_total{outcome="allowed",reason="ok"}"#,
            2.0,
        ),
        (
            r#"tokengate_decisions_total{outcome="refused",reason="token_expired"}"#,
            1.0,
        ),
        (
            r#"tokengate_decisions_total{outcome="refused",reason="a_code_added_later"}"#,
            1.0,
        ),
        (
            r#"tokengate_logins_total{result="invalid_credentials"}"#,
            1.0,
        ),
        (r#"tokengate_logins_total{result="success"}"#, 0.0),
        (r#"tokengate_refreshes_total{result="grace"}"#, 1.0),
        (r#"tokengate_logins_ended_total{how="everywhere"}"#, 2.0),
        (
            r#"tokengate_verify_duration_seconds_bucket{le="0.000005"}"#,
            1.0,
        ),
        (
            r#"tokengate_verify_duration_seconds_bucket{le="0.0000025"}"#,
            0.0,
        ),
        ("tokengate_verify_duration_seconds_count", 1.0),
    ];
    for (series, value) in expect {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    }
}

#[test]
fn trusted_keys_report_their_age_once_loaded() {
    let metrics = Metrics::new();
    let ages: KeyAges = Arc::new(|| {
        vec![
            (
                "https://a.example".into(),
                Some((Duration::from_secs(90), Duration::from_secs(300))),
            ),
            ("https://never.example".into(), None),
        ]
    });
    metrics.watch_keys(ages);
    let text = metrics.render();
    let age = r#"tokengate_trusted_keys_age_seconds{issuer="https://a.example"}"#;
    let lifetime = r#"tokengate_trusted_keys_max_age_seconds{issuer="https://a.example"}"#;
    assert_eq!(sample(&text, age), Some(90.0), "{text}");
    assert_eq!(sample(&text, lifetime), Some(300.0), "{text}");
    assert!(!text.contains("never.example"), "{text}");
}

#[test]
fn two_services_in_one_process_count_apart() {
    let (one, other) = (Metrics::new(), Metrics::new());
    one.allowed();
    let series = r#"tokengate_decisions_total{outcome="allowed",reason="ok"}"#;
    assert_eq!(sample(&one.render(), series), Some(1.0));
    assert_eq!(sample(&other.render(), series), Some(0.0));
}
