//! Signup, login and refresh bodies (JSON and form) and HTTP Basic credentials from arbitrary
//! bytes: refused with a clear error, never a panic.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokengate::service::accounts::{Credentials, RefreshRequest, Signup};
use tokengate::service::{basic_credentials, RequestBody};

const TYPES: [Option<&str>; 5] = [
    None,
    Some("application/json"),
    Some("application/x-www-form-urlencoded"),
    Some("text/plain"),
    Some("application/json; charset=utf-8"),
];

#[derive(Arbitrary, Debug)]
struct Body {
    content_type: u8,
    bytes: Vec<u8>,
    authorization: Vec<u8>,
}

fuzz_target!(|body: Body| {
    let content_type = TYPES[usize::from(body.content_type) % TYPES.len()];
    let request = RequestBody::new(content_type, &body.bytes);
    let _ = request.parse::<Signup>();
    let _ = request.parse::<Credentials>();
    let _ = request.parse::<RefreshRequest>();
    let _ = basic_credentials(Some(&body.authorization));
});
