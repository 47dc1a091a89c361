//! Token extraction from arbitrary header sets and query strings: never a panic, and what is
//! extracted is one printable token.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokengate::gate::{HeaderValue, RequestView, TokenSource, TokenSources};

const NAMES: [&str; 5] = [
    "authorization",
    "x-access-token",
    "cookie",
    "x-csrf-token",
    "other",
];

#[derive(Arbitrary, Debug)]
struct Request {
    headers: Vec<(u8, Vec<u8>)>,
    query: Option<String>,
    unsafe_method: bool,
}

impl RequestView for Request {
    fn header(&self, name: &str) -> HeaderValue<'_> {
        HeaderValue::from_values(
            self.headers
                .iter()
                .filter(|(n, _)| NAMES[usize::from(*n) % NAMES.len()] == name)
                .map(|(_, v)| v.as_slice()),
        )
    }
    fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }
    fn method(&self) -> &str {
        if self.unsafe_method {
            "POST"
        } else {
            "GET"
        }
    }
}

fuzz_target!(|request: Request| {
    let sources = TokenSources::default()
        .then(TokenSource::Query("access_token".into()))
        .then(TokenSource::Cookie("tokengate_access".into()));
    if let Ok(token) = sources.extract(&request) {
        assert!(!token.is_empty());
    }
    let _ = tokengate::gate::session::csrf_matches(&request);
});
