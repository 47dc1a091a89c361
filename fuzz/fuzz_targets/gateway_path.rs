//! The gateway's path normaliser: for any target, no panic, and a path it accepts is in the
//! form the policy's rules are written in: absolute, no empty, `.` or `..` segment, no
//! backslash or control character, no escape of `/`, `\` or an unreserved character, and a
//! fixed point (normalising it again changes nothing). A bypass would break one of these.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokengate::gate::gateway::normalise_path;

fuzz_target!(|target: &str| {
    let Ok(normal) = normalise_path(target) else {
        return;
    };
    assert!(normal.starts_with('/'), "{target:?} -> {normal:?}");
    assert!(!normal.contains("//"), "{target:?} -> {normal:?}");
    assert!(!normal.contains(['\\', '?', '#']), "{target:?} -> {normal:?}");
    assert!(!normal.chars().any(|c| c.is_ascii_control()), "{target:?} -> {normal:?}");
    for segment in normal[1..].split('/') {
        let name = segment.split(';').next().unwrap_or(segment);
        assert!(!matches!(name, "." | ".."), "{target:?} -> {normal:?}");
    }
    let bytes = normal.as_bytes();
    for (index, _) in normal.match_indices('%') {
        let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).expect("a two-digit escape");
        let value = u8::from_str_radix(hex, 16).expect("hex digits");
        assert!(!matches!(value, b'/' | b'\\'), "{target:?} -> {normal:?}");
        let unreserved = value.is_ascii_alphanumeric() || b"-._~".contains(&value);
        assert!(!unreserved, "{target:?} -> {normal:?}");
    }
    assert_eq!(normalise_path(&normal).as_deref(), Ok(&*normal), "{target:?}");
});
