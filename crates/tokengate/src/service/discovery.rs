//! The well-known documents: `GET /.well-known/jwks.json` (the public keys) and
//! `GET /.well-known/openid-configuration`, the discovery document that lets another app
//! trust this service's tokens (`TOKENGATE_TRUSTED_ISSUERS`).

use serde_json::json;

use crate::gate::decision::Gate;
use crate::gate::reply::HttpReply;
use crate::token::issue::Issuer;

/// How long clients may cache `/.well-known/jwks.json`.
pub const JWKS_MAX_AGE_SECS: u32 = 300;

/// The discovery document for tokens issued by `issuer`, or `None` when the service cannot
/// be found as a provider: its issuer is not an `http(s)://` URL (the default `tokengate`),
/// or it publishes no key (`has_jwks`: tokens signed with a secret, which no one else may
/// verify).
///
/// Only what is true is said: the issuer, where its keys are, how its tokens are signed and
/// that `sub` is the same for everyone. The members OpenID Connect Discovery 1.0 calls
/// required for a full provider (`authorization_endpoint`, `token_endpoint`,
/// `response_types_supported`) are left out, since the service has no OAuth authorization or
/// token endpoint; a resource server (tokengate's own trusted issuers among them) needs only
/// `issuer` and `jwks_uri`.
pub(crate) fn document_reply(issuer: &Issuer, has_jwks: bool) -> Option<HttpReply> {
    let iss = issuer.iss().filter(|iss| is_provider_url(iss))?;
    if !has_jwks {
        return None;
    }
    let document = json!({
        "issuer": iss,
        "jwks_uri": format!("{}/.well-known/jwks.json", iss.trim_end_matches('/')),
        "id_token_signing_alg_values_supported": [issuer.algorithm().to_string()],
        "subject_types_supported": ["public"],
    });
    let mut reply = HttpReply::json(200, &document);
    reply.headers.push((
        "cache-control",
        format!("public, max-age={JWKS_MAX_AGE_SECS}"),
    ));
    Some(reply)
}

/// Whether `issuer` is an `http(s)://` URL with a host and no query or fragment (RFC 8414
/// section 2), where `/.well-known/openid-configuration` can be asked for.
fn is_provider_url(issuer: &str) -> bool {
    let rest = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or_default();
        !host.is_empty() && !rest.contains(['?', '#', ' '])
    })
}

/// The `/.well-known/jwks.json` response for the gate's keys, or `None` when none is public.
pub(crate) fn jwks_reply(gate: &Gate) -> Option<HttpReply> {
    let jwks = gate.verifier().keys().jwks();
    if jwks.keys.is_empty() {
        return None;
    }
    let mut reply = HttpReply::json(200, &jwks);
    // Short enough that a rotated key reaches verifiers within minutes.
    reply.headers.push((
        "cache-control",
        format!("public, max-age={JWKS_MAX_AGE_SECS}"),
    ));
    Some(reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Algorithm, Key};

    #[test]
    fn only_a_url_issuer_with_published_keys_has_a_document() {
        let key = Key::hmac(Algorithm::HS256, &[3; 32]).unwrap();
        let issuer = |iss: &str| Issuer::new(key.clone()).issuer(iss);
        let reply = document_reply(&issuer("https://id.example/auth/"), true).unwrap();
        let document: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(document["issuer"], "https://id.example/auth/");
        assert_eq!(
            document["jwks_uri"],
            "https://id.example/auth/.well-known/jwks.json"
        );
        assert_eq!(
            document["id_token_signing_alg_values_supported"][0],
            "HS256"
        );
        assert!(document_reply(&issuer("http://127.0.0.1:8080"), true).is_some());
        for not_a_url in [
            "tokengate",
            "https://",
            "ftp://x",
            "https://x/?a",
            "https://x#f",
        ] {
            assert!(
                document_reply(&issuer(not_a_url), true).is_none(),
                "{not_a_url}"
            );
        }
        assert!(document_reply(&issuer("https://id.example"), false).is_none());
        assert!(document_reply(&Issuer::new(key), true).is_none());
    }
}
