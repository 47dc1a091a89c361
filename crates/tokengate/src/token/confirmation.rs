//! The `cnf` claim (RFC 7800): what a token is bound to. tokengate reads and writes its `jkt`
//! member, the RFC 7638 thumbprint of the key whose DPoP proofs (RFC 9449) must come with the
//! token.

use serde::{Deserialize, Serialize};

/// The `cnf` claim. A token whose `cnf` has a `jkt` is bound to that key: it is accepted
/// only as `Authorization: DPoP`, with a proof signed by the key.
///
/// ```
/// use tokengate::Claims;
///
/// let claims: Claims = serde_json::from_str(r#"{"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#).unwrap();
/// assert!(claims.cnf.as_ref().and_then(|cnf| cnf.jkt.as_deref()).is_some());
/// assert!(serde_json::from_str::<Claims>(r#"{"cnf":{"jkt":7}}"#).is_err());
/// assert!(serde_json::from_str::<Claims>(r#"{"cnf":"jkt"}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The base64url SHA-256 thumbprint (RFC 7638) of the key the token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

impl Confirmation {
    /// A confirmation binding a token to the key of thumbprint `jkt`.
    pub fn key_thumbprint(jkt: impl Into<String>) -> Confirmation {
        Confirmation {
            jkt: Some(jkt.into()),
        }
    }
}
