//! Every bypass form we could think of, and the plain paths that must pass unchanged.

use super::{normalise_path, PathError};

#[test]
fn plain_paths_pass_unchanged_and_borrowed() {
    for path in [
        "/",
        "/admin",
        "/public/",
        "/a/b/c.txt",
        "/caf%C3%A9",
        "/a%20b",
        "/~user/x-y_z",
    ] {
        let normal = normalise_path(path).unwrap();
        assert_eq!(normal, path);
        assert!(matches!(normal, std::borrow::Cow::Borrowed(_)), "{path}");
    }
}

#[test]
fn query_and_fragment_are_dropped() {
    assert_eq!(normalise_path("/a?x=1").unwrap(), "/a");
    assert_eq!(normalise_path("/a#frag").unwrap(), "/a");
    assert_eq!(normalise_path("/a?next=/../admin").unwrap(), "/a");
    assert_eq!(normalise_path("/public/?").unwrap(), "/public/");
}

#[test]
fn traversal_resolves_as_nginx_resolves_it() {
    let cases = [
        ("/public/../admin", "/admin"),
        ("/public//../admin", "/admin"),
        ("/public/./../admin", "/admin"),
        ("/public/%2e%2e/admin", "/admin"),
        ("/public/%2E%2E/admin", "/admin"),
        ("/public/.%2e/admin", "/admin"),
        ("/public/%2e./admin", "/admin"),
        ("/public/%2e/admin", "/public/admin"),
        ("//admin", "/admin"),
        ("///admin//x", "/admin/x"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/a/..", "/"),
        ("/a/b/../../c", "/c"),
        ("/%61dmin", "/admin"),
        ("/%41DMIN", "/ADMIN"),
        ("/public/...", "/public/..."),
        ("/public/..a", "/public/..a"),
        ("/public/a..", "/public/a.."),
    ];
    for (path, normal) in cases {
        assert_eq!(normalise_path(path).unwrap(), normal, "{path}");
    }
}

#[test]
fn reserved_escapes_stay_encoded() {
    assert_eq!(normalise_path("/a%3Fb").unwrap(), "/a%3Fb");
    assert_eq!(normalise_path("/a%23b").unwrap(), "/a%23b");
    assert_eq!(normalise_path("/a%2e%3b/x").unwrap(), "/a.%3b/x");
}

#[test]
fn bypass_forms_are_refused() {
    let cases = [
        ("admin", PathError::NotAbsolute),
        ("", PathError::NotAbsolute),
        ("*", PathError::NotAbsolute),
        ("http://evil/admin", PathError::NotAbsolute),
        ("?x", PathError::NotAbsolute),
        ("/public/%2F../admin", PathError::EncodedSeparator),
        ("/public%2fadmin", PathError::EncodedSeparator),
        ("/public/%5C..%5Cadmin", PathError::EncodedSeparator),
        ("/public/%5c", PathError::EncodedSeparator),
        ("/public\\..\\admin", PathError::Backslash),
        ("/public/\\admin", PathError::Backslash),
        ("/public/%00/x", PathError::ControlCharacter),
        ("/public/\0/x", PathError::ControlCharacter),
        ("/public/%0a", PathError::ControlCharacter),
        ("/public/%0D%0Ax", PathError::ControlCharacter),
        ("/public/\t", PathError::ControlCharacter),
        ("/public/%7f", PathError::ControlCharacter),
        ("/public/%", PathError::BadEscape),
        ("/public/%2", PathError::BadEscape),
        ("/public/%zz", PathError::BadEscape),
        ("/public/%2g", PathError::BadEscape),
        ("/public/%252e%252e/admin", PathError::DoubleEscape),
        ("/public/%252F", PathError::DoubleEscape),
        // Found by the fuzzer: the digits after `%25` arrive escaped themselves.
        ("/%6100MMM'25%257%357%3F", PathError::DoubleEscape),
        ("/x%25%37%35", PathError::DoubleEscape),
        ("/..", PathError::AboveRoot),
        ("/../admin", PathError::AboveRoot),
        ("/public/../../admin", PathError::AboveRoot),
        ("/%2e%2e/admin", PathError::AboveRoot),
        ("/public/..;/admin", PathError::DotSegmentWithParameter),
        ("/public/.;x/admin", PathError::DotSegmentWithParameter),
        ("/public/%2e%2e;/admin", PathError::DotSegmentWithParameter),
    ];
    for (path, error) in cases {
        assert_eq!(normalise_path(path), Err(error), "{path:?}");
    }
}

#[test]
fn a_lone_percent_sign_escape_is_kept() {
    // `%25` not followed by an escape is a literal percent sign, as in `100%25`.
    assert_eq!(normalise_path("/100%25").unwrap(), "/100%25");
    assert_eq!(normalise_path("/100%25x").unwrap(), "/100%25x");
}

#[test]
fn the_result_is_a_fixed_point() {
    let paths = [
        "/public//../admin/",
        "/a/./b/../c",
        "/%2e/x/%2E%2e/y",
        "//a//b//",
    ];
    for path in paths {
        let once = normalise_path(path).unwrap().into_owned();
        assert_eq!(normalise_path(&once).unwrap(), once, "{path}");
    }
}
