use super::*;
use crate::token::{Algorithm, DocumentWrite, Key, NoExtra};

fn gate() -> Gate {
    Gate::new(Verifier::new(
        Key::hmac(Algorithm::HS256, &[9; 32]).unwrap(),
    ))
}

#[test]
fn segments_are_decoded_once_and_checked() {
    let gate = gate();
    let writer = Claims {
        scope: Some("documents:write".into()),
        ..Claims::for_subject("w")
    };
    let id = |segment| gate.authorize_segment::<DocumentWrite, _>(&writer, segment);
    assert_eq!(id(PathSegment::Encoded("a+b%2Fc")).unwrap(), "a+b/c");
    // A router that decoded already is not decoded twice.
    assert_eq!(id(PathSegment::Decoded("100%25")).unwrap(), "100%25");
    assert_eq!(id(PathSegment::Encoded("%FF")).unwrap_err().status(), 404);
    let missing = id(PathSegment::Missing).unwrap_err();
    assert_eq!((missing.status(), missing.auth_error()), (500, None));

    let nobody: Claims<NoExtra> = Claims::for_subject("n");
    let refused = gate
        .authorize_segment::<DocumentWrite, _>(&nobody, PathSegment::Decoded("d"))
        .unwrap_err();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.auth_error().map(AuthError::code),
        Some("insufficient_scope")
    );
}
