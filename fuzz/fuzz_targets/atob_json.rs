//! The atob-safe JSON writer: for any user name, e-mail and avatar, the CKEditor token's
//! payload segment holds no `-` or `_`, and decodes back to exactly those values.
#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use tokengate::ckeditor::{CkeditorTokens, CsPrincipal};
use tokengate::token::{Auth, CsUser};

#[derive(Arbitrary, Debug)]
struct User {
    id: String,
    name: Option<String>,
    email: Option<String>,
    avatar: Option<String>,
}

fuzz_target!(|user: User| {
    let tokens =
        CkeditorTokens::new("environment", b"an access key of at least 32 bytes!!").unwrap();
    let principal = CsPrincipal {
        id: user.id.clone(),
        user: CsUser {
            name: user.name.clone(),
            email: user.email.clone(),
            avatar: user.avatar.clone(),
            id: None,
        },
        auth: Auth::writer_everywhere(),
    };
    let token = tokens.issue_at(&principal, 1_800_000_000).unwrap().token;
    let payload = token.split('.').nth(1).unwrap();
    assert!(!payload.contains(['-', '_']), "atob() refuses {payload}");
    let json: serde_json::Value =
        serde_json::from_slice(&STANDARD_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(json["sub"].as_str(), Some(user.id.as_str()));
    assert_eq!(json["user"]["name"].as_str(), user.name.as_deref());
    assert_eq!(json["user"]["email"].as_str(), user.email.as_deref());
    assert_eq!(json["user"]["avatar"].as_str(), user.avatar.as_deref());
});
