//! What the criterion benchmark (`benches/verify.rs`) and the instruction-count benchmark
//! (`bench/instructions`) both measure: the same secret, claims and raw `jsonwebtoken` rules,
//! so that their figures compare the same work.

use jsonwebtoken::Validation;
use tokengate::ckeditor::CsPrincipal;
use tokengate::token::{Auth, CsUser};
use tokengate::Claims;

/// The HMAC secret of every HS256 benchmark.
pub const SECRET: &[u8] = b"w1lnWEN63FPKxBNmxHN7WpfW2IoYVYca5moqIUKfWesL1Ykwv34iR5xwfWLy";

/// The CKEditor environment id: the `aud` of the CKEditor tokens.
pub const ENVIRONMENT: &str = "LJRQ1bju55p6a47RwadH";

/// The claims of an access token as `/login` issues them.
pub fn access_claims() -> Claims {
    Claims {
        sid: Some("Yk3v3q1p9uYl0oQe2XhJbw".into()),
        ..Claims::for_subject("user-123")
    }
}

/// A CKEditor Cloud Services user with name, email, avatar and writer everywhere.
pub fn ckeditor_principal() -> CsPrincipal {
    CsPrincipal {
        id: "user-123".into(),
        user: CsUser {
            name: Some("Joe Doe".into()),
            email: Some("joe.doe@example.com".into()),
            avatar: Some("https://example.com/avatars/joe.png".into()),
            ..CsUser::default()
        },
        auth: Auth::writer_everywhere(),
    }
}

/// Raw `jsonwebtoken` with the rules tokengate applies: HS256, `exp` and `aud` required
/// (and `iss` when given), `nbf` validated, 30 s of leeway.
pub fn raw_validation(aud: &str, iss: Option<&str>) -> Validation {
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&[aud]);
    validation.set_required_spec_claims(&["exp", "aud"]);
    if let Some(iss) = iss {
        validation.set_issuer(&[iss]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
    }
    validation.validate_nbf = true;
    validation.leeway = 30;
    validation
}
