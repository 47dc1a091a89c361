//! The claims model: registered claims, CKEditor Cloud Services claims, app-defined extras.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;

use crate::token::collaboration::{Auth, CsUser, Permission};
use crate::token::confirmation::Confirmation;

/// The claims of a token: the registered claims of RFC 7519, the CKEditor Cloud Services
/// claims `user` and `auth`, the session id `sid`, and app-defined claims in `extra`
/// (flattened into the same JSON object).
///
/// Numeric dates (`exp`, `nbf`, `iat`) are JSON integers from 0 to 2<sup>63</sup>−1; a
/// string, boolean, `null`, fraction or larger number fails deserialization, so a token
/// carrying one is rejected rather than treated as if the claim were absent.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use tokengate::Claims;
///
/// #[derive(Debug, Default, Serialize, Deserialize)]
/// struct Tenant { tenant: String }
///
/// let claims: Claims<Tenant> = serde_json::from_str(
///     r#"{"sub":"u1","exp":2000000000,"aud":["a","b"],"tenant":"acme"}"#,
/// ).unwrap();
/// assert_eq!(claims.extra.tenant, "acme");
/// assert!(claims.aud.as_ref().unwrap().contains("b"));
/// assert!(serde_json::from_str::<Claims>(r#"{"exp":"2000000000"}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Claims<E = NoExtra> {
    /// Issuer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub iss: Option<String>,
    /// Subject: the user id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub sub: Option<String>,
    /// Audience: one string or a list of strings.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub aud: Option<Audience>,
    /// Expiration time, seconds since the Unix epoch.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub exp: Option<u64>,
    /// Not-before time, seconds since the Unix epoch.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub nbf: Option<u64>,
    /// Issued-at time, seconds since the Unix epoch.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub iat: Option<u64>,
    /// Unique token id, used for revocation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub jti: Option<String>,
    /// Login session id: every token of one login shares it, so a session is revoked as one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub sid: Option<String>,
    /// CKEditor Cloud Services user data.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub user: Option<CsUser>,
    /// CKEditor Cloud Services roles and permissions.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub auth: Option<Auth>,
    /// OAuth scopes, space-separated (RFC 9068 section 2.2.3). `documents:read` and
    /// `documents:write` grant `document:read` and `document:write` on every document; any
    /// other value that is not a string makes the token malformed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub scope: Option<String>,
    /// The user's full name (OpenID Connect standard claim), as providers put it in tokens.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub name: Option<String>,
    /// The user's e-mail address (OpenID Connect standard claim).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub email: Option<String>,
    /// What the token is bound to (RFC 7800): with a `jkt`, a DPoP key (RFC 9449).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub cnf: Option<Confirmation>,
    /// App-defined claims.
    #[serde(flatten)]
    pub extra: E,
}

impl Claims<NoExtra> {
    /// Claims with only `sub` set: the usual start of an access token.
    pub fn for_subject(subject: impl Into<String>) -> Self {
        Claims {
            sub: Some(subject.into()),
            ..Claims::default()
        }
    }
}

impl<E> Claims<E> {
    /// Sets `sub`.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.sub = Some(subject.into());
        self
    }

    /// Whether these claims grant `permission` on `document`: through the collaboration
    /// grants of `auth` (see [`Auth::allows`]), or through a `scope` that grants it on every
    /// document (see [`Permission::from_scope`]). Claims with neither grant nothing.
    ///
    /// ```
    /// use tokengate::Claims;
    /// use tokengate::token::Permission;
    ///
    /// let claims: Claims = serde_json::from_str(r#"{"scope":"openid documents:read"}"#).unwrap();
    /// assert!(claims.allows("any-document", &Permission::DOCUMENT_READ));
    /// assert!(!claims.allows("any-document", &Permission::DOCUMENT_WRITE));
    /// ```
    pub fn allows(&self, document: &str, permission: &Permission) -> bool {
        self.auth
            .as_ref()
            .is_some_and(|auth| auth.allows(document, permission))
            || self.scopes().any(|scope| {
                Permission::from_scope(scope).is_some_and(|granted| granted == *permission)
            })
    }

    /// What revokes this token: its `jti`, or, for a token minted without one, a fingerprint
    /// of its registered claims (`fp:` and the SHA-256 of `iss`, `sub`, `aud`, `exp`, `nbf`
    /// and `iat`), so that a logout always ends the token it was called with. Tokens without
    /// `jti` that agree on all of those claims are revoked together.
    ///
    /// ```
    /// use tokengate::Claims;
    ///
    /// let with: Claims = serde_json::from_str(r#"{"jti":"abc","exp":2000000000}"#).unwrap();
    /// assert_eq!(with.revocation_id(), "abc");
    /// let without: Claims = serde_json::from_str(r#"{"sub":"u1","exp":2000000000}"#).unwrap();
    /// assert!(without.revocation_id().starts_with("fp:"));
    /// ```
    pub fn revocation_id(&self) -> Cow<'_, str> {
        if let Some(jti) = &self.jti {
            return Cow::Borrowed(jti);
        }
        let mut hash = Sha256::new();
        let audience = match &self.aud {
            Some(Audience::One(one)) => one.clone(),
            Some(Audience::Many(many)) => many.join("\u{0}"),
            None => String::new(),
        };
        for part in [
            self.iss.as_deref().unwrap_or_default(),
            self.sub.as_deref().unwrap_or_default(),
            audience.as_str(),
        ] {
            // Length-prefixed, so that no two claim sets hash the same bytes.
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        for date in [self.exp, self.nbf, self.iat] {
            hash.update(date.map_or([0xff; 8], u64::to_be_bytes));
        }
        Cow::Owned(format!("fp:{}", URL_SAFE_NO_PAD.encode(hash.finalize())))
    }

    /// Whether the `scope` claim holds every scope of `required` (space-separated), compared
    /// exactly; an empty `required` is held by any claims.
    ///
    /// ```
    /// use tokengate::Claims;
    ///
    /// let claims: Claims = serde_json::from_str(r#"{"scope":"openid notes:read"}"#).unwrap();
    /// assert!(claims.has_scopes("notes:read") && claims.has_scopes("notes:read openid"));
    /// assert!(!claims.has_scopes("notes:write") && !claims.has_scopes("notes"));
    /// ```
    pub fn has_scopes(&self, required: &str) -> bool {
        required
            .split(' ')
            .filter(|scope| !scope.is_empty())
            .all(|wanted| self.scopes().any(|scope| scope == wanted))
    }

    /// The scopes of the `scope` claim, in order (none without one).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|scope| !scope.is_empty())
    }
}

/// The default "no app-defined claims" extra type. Unknown claims are accepted and ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoExtra {}

/// The `aud` claim: a single string or a list of strings (RFC 7519 section 4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`
    One(String),
    /// `"aud": ["x", "y"]`
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is this audience or one of its members, compared byte for byte.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(one) => one == audience,
            Audience::Many(many) => many.iter().any(|a| a == audience),
        }
    }
}

impl From<&str> for Audience {
    fn from(value: &str) -> Self {
        Audience::One(value.to_owned())
    }
}

impl From<String> for Audience {
    fn from(value: String) -> Self {
        Audience::One(value)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Audience::One(one) => serializer.serialize_str(one),
            Audience::Many(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudienceVisitor;
        impl<'de> de::Visitor<'de> for AudienceVisitor {
            type Value = Audience;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Audience, E> {
                Ok(Audience::One(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                while let Some(one) = seq.next_element::<String>()? {
                    all.push(one);
                }
                Ok(Audience::Many(all))
            }
        }
        deserializer.deserialize_any(AudienceVisitor)
    }
}

/// Deserializes a present claim: `null` is a wrong type, not an absent claim. Used with
/// `#[serde(default)]`, which covers absence.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// The largest numeric date accepted: 2^63 − 1.
pub const MAX_NUMERIC_DATE: u64 = i64::MAX as u64;

/// Deserializes a present numeric date strictly. Used with `#[serde(default)]`, so an absent
/// claim is `None` while `null` and every non-integer value are errors.
fn numeric_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    struct NumericDate;
    impl de::Visitor<'_> for NumericDate {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer from 0 to 2^63-1")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            if v <= MAX_NUMERIC_DATE {
                Ok(v)
            } else {
                Err(E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
    }
    deserializer.deserialize_any(NumericDate).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Claims, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numeric_dates_accept_only_integers_in_range() {
        assert_eq!(parse(r#"{"exp":0}"#).unwrap().exp, Some(0));
        assert_eq!(
            parse(r#"{"exp":9223372036854775807}"#).unwrap().exp,
            Some(MAX_NUMERIC_DATE)
        );
        assert_eq!(parse(r#"{}"#).unwrap().exp, None);
        for bad in [
            r#"{"exp":"never"}"#,
            r#"{"nbf":"99999999999"}"#,
            r#"{"iat":null}"#,
            r#"{"exp":null}"#,
            r#"{"exp":true}"#,
            r#"{"exp":1.5}"#,
            r#"{"exp":2000000000.0}"#,
            r#"{"exp":1e30}"#,
            r#"{"exp":-1}"#,
            r#"{"exp":9223372036854775808}"#,
            r#"{"exp":18446744073709551616}"#,
            r#"{"exp":[1]}"#,
            r#"{"exp":{}}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn audience_is_a_string_or_a_list_of_strings() {
        let one = parse(r#"{"aud":"a"}"#).unwrap().aud.unwrap();
        assert!(one.contains("a") && !one.contains("ab") && !one.contains(""));
        let many = parse(r#"{"aud":["x","a"]}"#).unwrap().aud.unwrap();
        assert!(many.contains("a") && !many.contains("x a"));
        for bad in [
            r#"{"aud":1}"#,
            r#"{"aud":[1]}"#,
            r#"{"aud":{"a":1}}"#,
            r#"{"aud":null}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registered_claims_of_the_wrong_type_are_rejected() {
        for bad in [
            r#"{"iss":1}"#,
            r#"{"iss":null}"#,
            r#"{"sub":false}"#,
            r#"{"sub":null}"#,
            r#"{"jti":[]}"#,
            r#"{"sid":{}}"#,
            r#"{"user":"joe"}"#,
            r#"{"auth":null}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn claims_round_trip_with_app_defined_extras() {
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        struct Extra {
            tenant: String,
        }
        let claims = Claims {
            sub: Some("u".into()),
            aud: Some(Audience::Many(vec!["a".into(), "b".into()])),
            exp: Some(10),
            extra: Extra { tenant: "t".into() },
            ..Claims::default()
        };
        let json = serde_json::to_string(&claims).unwrap();
        assert_eq!(json, r#"{"sub":"u","aud":["a","b"],"exp":10,"tenant":"t"}"#);
        assert_eq!(
            serde_json::from_str::<Claims<Extra>>(&json).unwrap(),
            claims
        );
    }
}
