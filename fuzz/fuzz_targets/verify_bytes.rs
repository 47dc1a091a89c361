//! Any bytes as a token: the size check, the compact split, base64url, the header parse and
//! the duplicate-member scan must refuse without panicking; nothing unsigned may pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokengate::{Algorithm, Key, NoExtra, Verifier};

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let key = Key::hmac(Algorithm::HS256, b"fuzzing-secret-0123456789abcdef-0123").unwrap();
    let verifier = Verifier::new(key);
    // Random bytes cannot carry a valid HMAC: anything accepted is a bug.
    assert!(verifier.verify::<NoExtra>(token).is_err());
});
