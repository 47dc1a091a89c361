//! A token's payload written straight from borrowed claims: the bytes serde_json writes for
//! the completed [`Claims`], without cloning the issuer's `iss` and `aud`, a CKEditor
//! principal, or anything else into an owned `Claims` first, and without serde's map
//! machinery for the claims tokengate knows. App-defined claims (`extra`) are still written by
//! their own `Serialize`, flattened into the same object.
//!
//! Hand-written because it saves 0.21 µs on every `/cs-token` request (a guarded route that
//! issues a token): a CKEditor token took 0.76 µs to issue with this writer and 0.97 µs with
//! the same borrowed claims as a `#[derive(Serialize)]` struct through serde_json (the
//! atob-safe escapes through a serde `Formatter` either way). For an access token the saving
//! is 0.03 µs. `cargo bench -p tokengate --bench verify -- issue/`, 2026-12-07; BENCHMARKS.md.

use serde::ser::Error as _;
use serde::Serialize;

use crate::token::atob_json::{needs_atob_escape, to_atob_safe_json_into};
use crate::token::claims::{Audience, Claims};
use crate::token::collaboration::{Auth, CsUser};
use crate::token::confirmation::Confirmation;

/// A member name as it is written before its value: `"name":`.
macro_rules! member {
    ($name:literal) => {
        concat!("\"", $name, "\":")
    };
}

/// The claims of one token as the issuer completed them, borrowed from wherever they live.
/// Field for field the members of [`Claims`], in the order serde writes them.
pub(crate) struct Payload<'a, E> {
    pub(crate) iss: Option<&'a str>,
    pub(crate) sub: Option<&'a str>,
    pub(crate) aud: Option<&'a Audience>,
    pub(crate) exp: u64,
    pub(crate) nbf: Option<u64>,
    pub(crate) iat: u64,
    pub(crate) jti: &'a str,
    pub(crate) sid: Option<&'a str>,
    pub(crate) user: Option<&'a CsUser>,
    pub(crate) auth: Option<&'a Auth>,
    pub(crate) scope: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) email: Option<&'a str>,
    pub(crate) cnf: Option<&'a Confirmation>,
    pub(crate) extra: &'a E,
}

impl<'a, E> Payload<'a, E> {
    /// The dates and `jti` the issuer chose, and no other member.
    pub(crate) fn new(exp: u64, iat: u64, jti: &'a str, extra: &'a E) -> Self {
        Payload {
            iss: None,
            sub: None,
            aud: None,
            exp,
            nbf: None,
            iat,
            jti,
            sid: None,
            user: None,
            auth: None,
            scope: None,
            name: None,
            email: None,
            cnf: None,
            extra,
        }
    }

    /// The members `claims` has, with the dates and `jti` the issuer chose.
    pub(crate) fn of(claims: &'a Claims<E>, exp: u64, iat: u64, jti: &'a str) -> Self {
        Payload {
            iss: claims.iss.as_deref(),
            sub: claims.sub.as_deref(),
            aud: claims.aud.as_ref(),
            exp,
            nbf: claims.nbf,
            iat,
            jti,
            sid: claims.sid.as_deref(),
            user: claims.user.as_ref(),
            auth: claims.auth.as_ref(),
            scope: claims.scope.as_deref(),
            name: claims.name.as_deref(),
            email: claims.email.as_deref(),
            cnf: claims.cnf.as_ref(),
            extra: &claims.extra,
        }
    }
}

impl<E: Serialize> Payload<'_, E> {
    /// Appends the payload's JSON to `out`; with `atob_safe`, spelled so that its base64url
    /// form has no `-` or `_` (see [`crate::token::atob_json`]).
    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        atob_safe: bool,
    ) -> Result<(), serde_json::Error> {
        let mut object = Object::open(out, atob_safe);
        object.text(member!("iss"), self.iss)?;
        object.text(member!("sub"), self.sub)?;
        if let Some(aud) = self.aud {
            object.name(member!("aud"));
            match aud {
                Audience::One(one) => object.string(one)?,
                Audience::Many(many) => object.strings(many.iter().map(String::as_str))?,
            }
        }
        object.number(member!("exp"), Some(self.exp));
        object.number(member!("nbf"), self.nbf);
        object.number(member!("iat"), Some(self.iat));
        object.text(member!("jti"), Some(self.jti))?;
        object.text(member!("sid"), self.sid)?;
        if let Some(user) = self.user {
            object.name(member!("user"));
            let mut inner = Object::open(object.out, atob_safe);
            inner.text(member!("id"), user.id.as_deref())?;
            inner.text(member!("name"), user.name.as_deref())?;
            inner.text(member!("email"), user.email.as_deref())?;
            inner.text(member!("avatar"), user.avatar.as_deref())?;
            inner.close();
        }
        if let Some(auth) = self.auth {
            object.name(member!("auth"));
            let mut inner = Object::open(object.out, atob_safe);
            inner.name(member!("collaboration"));
            let mut documents = Object::open(inner.out, atob_safe);
            for (document, grant) in &auth.collaboration {
                documents.name_escaped(document)?;
                let mut members = Object::open(documents.out, atob_safe);
                members.text(
                    member!("role"),
                    grant.role.as_ref().map(|role| role.as_str()),
                )?;
                if !grant.permissions.is_empty() {
                    members.name(member!("permissions"));
                    members.strings(grant.permissions.iter().map(|p| p.as_str()))?;
                }
                members.close();
            }
            documents.close();
            inner.close();
        }
        object.text(member!("scope"), self.scope)?;
        object.text(member!("name"), self.name)?;
        object.text(member!("email"), self.email)?;
        if let Some(cnf) = self.cnf {
            object.name(member!("cnf"));
            let mut inner = Object::open(object.out, atob_safe);
            inner.text(member!("jkt"), cnf.jkt.as_deref())?;
            inner.close();
        }
        object.flatten(self.extra)?;
        object.close();
        Ok(())
    }
}

/// In [`ESCAPES`]: the byte must be escaped in any JSON string (`"`, `\`, control
/// characters).
const JSON_ESCAPED: u8 = 1;
/// In [`ESCAPES`]: the byte must be escaped in an atob-safe payload ([`needs_atob_escape`]).
const ATOB_ESCAPED: u8 = 2;

/// Per byte, which kinds of payload need it escaped inside a string: one look-up per byte of
/// every string a token carries.
const ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if matches!(b, b'"' | b'\\' | 0..=0x1f) {
            table[byte] |= JSON_ESCAPED;
        }
        if needs_atob_escape(b) {
            table[byte] |= ATOB_ESCAPED;
        }
        byte += 1;
    }
    table
};

/// A JSON object being written: `{`, members separated by commas, `}`.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    atob_safe: bool,
    empty: bool,
}

impl<'o> Object<'o> {
    #[inline]
    fn open(out: &'o mut Vec<u8>, atob_safe: bool) -> Self {
        out.push(b'{');
        Object {
            out,
            atob_safe,
            empty: true,
        }
    }

    #[inline]
    fn close(self) {
        self.out.push(b'}');
    }

    #[inline]
    fn separate(&mut self) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
    }

    /// A member name tokengate chose (plain ASCII, nothing to escape), as `member!` writes
    /// it.
    #[inline]
    fn name(&mut self, member: &'static str) {
        self.separate();
        self.out.extend_from_slice(member.as_bytes());
    }

    /// A member name from the claims (a document id), escaped as needed.
    fn name_escaped(&mut self, name: &str) -> Result<(), serde_json::Error> {
        self.separate();
        self.string(name)?;
        self.out.push(b':');
        Ok(())
    }

    /// A string value: copied as it is when nothing in it needs escaping, the common case,
    /// else written by serde_json (with the atob-safe escapes when asked).
    #[inline]
    fn string(&mut self, text: &str) -> Result<(), serde_json::Error> {
        let atob_safe = self.atob_safe;
        let escaped = JSON_ESCAPED | if atob_safe { ATOB_ESCAPED } else { 0 };
        let plain = !text
            .bytes()
            .any(|byte| ESCAPES[usize::from(byte)] & escaped != 0);
        if plain {
            self.out.push(b'"');
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'"');
            Ok(())
        } else if atob_safe {
            to_atob_safe_json_into(self.out, &text)
        } else {
            serde_json::to_writer(&mut *self.out, text)
        }
    }

    fn strings<'s>(
        &mut self,
        texts: impl Iterator<Item = &'s str>,
    ) -> Result<(), serde_json::Error> {
        self.out.push(b'[');
        for (at, text) in texts.enumerate() {
            if at > 0 {
                self.out.push(b',');
            }
            self.string(text)?;
        }
        self.out.push(b']');
        Ok(())
    }

    #[inline]
    fn text(&mut self, member: &'static str, value: Option<&str>) -> Result<(), serde_json::Error> {
        if let Some(value) = value {
            self.name(member);
            self.string(value)?;
        }
        Ok(())
    }

    #[inline]
    fn number(&mut self, member: &'static str, value: Option<u64>) {
        if let Some(value) = value {
            self.name(member);
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = value;
            loop {
                at -= 1;
                // `rest % 10` is a digit.
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            self.out.extend_from_slice(&digits[at..]);
        }
    }

    /// App-defined claims, flattened into this object as serde's `#[serde(flatten)]` does:
    /// the members of the object (or map) `extra` serializes to; nothing for `null` or `{}`.
    /// Anything else is an error, as serde's is for a string or a number. (serde's flatten
    /// would write a unit enum variant as a member `"Variant": null`; in JSON it cannot be told
    /// from a string, so it is refused too, with a clear error: a claims set shaped so is
    /// better written as a struct.)
    fn flatten(&mut self, extra: &impl Serialize) -> Result<(), serde_json::Error> {
        let start = self.out.len();
        if self.atob_safe {
            to_atob_safe_json_into(self.out, extra)?;
        } else {
            serde_json::to_writer(&mut *self.out, extra)?;
        }
        let written = &self.out[start..];
        if written == b"{}" || written == b"null" {
            self.out.truncate(start);
        } else if written.first() == Some(&b'{') {
            // `{"a":1}` becomes `,"a":1` (or `"a":1` first in the object).
            self.out.pop();
            if self.empty {
                self.out.remove(start);
            } else {
                self.out[start] = b',';
            }
            self.empty = false;
        } else {
            self.out.truncate(start);
            return Err(serde_json::Error::custom(
                "app-defined claims must serialize as a map or a struct",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::atob_json::to_atob_safe_json;
    use crate::token::collaboration::{Grant, Permission, Role};
    use crate::token::NoExtra;

    /// Every member set, written both ways: adding a member to `Claims` breaks this literal,
    /// so the writer cannot fall behind.
    fn full() -> Claims {
        Claims {
            iss: Some("https://id.example/?a>b~".into()),
            sub: Some("user \"7\"\n\u{7f}é".into()),
            aud: Some(Audience::Many(vec!["a".into(), "b\\c".into()])),
            exp: Some(2_000_000_000),
            nbf: Some(0),
            iat: Some(1_999_999_000),
            jti: Some("j-1_x".into()),
            sid: Some("s1".into()),
            user: Some(CsUser {
                id: Some("1".into()),
                name: Some("Zoë \u{1F600}".into()),
                email: None,
                avatar: Some("https://x/a.png?s=1".into()),
            }),
            auth: Some(
                Auth::new()
                    .grant("*", Grant::role(Role::Reader))
                    .grant(
                        "doc \"1\"",
                        Grant::permissions([Permission::COMMENT_WRITE, Permission::new("x>y")]),
                    )
                    .grant("d2", Grant::role(Role::Other("custom?".into()))),
            ),
            scope: Some("openid documents:read".into()),
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            cnf: Some(Confirmation::key_thumbprint(
                "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
            )),
            extra: NoExtra {},
        }
    }

    fn written<E: Serialize>(claims: &Claims<E>, atob_safe: bool) -> Vec<u8> {
        let payload = Payload::of(
            claims,
            claims.exp.unwrap(),
            claims.iat.unwrap(),
            claims.jti.as_deref().unwrap(),
        );
        let mut out = Vec::new();
        payload.write(&mut out, atob_safe).unwrap();
        out
    }

    fn by_serde<E: Serialize>(claims: &Claims<E>, atob_safe: bool) -> Vec<u8> {
        if atob_safe {
            to_atob_safe_json(claims).unwrap()
        } else {
            serde_json::to_vec(claims).unwrap()
        }
    }

    #[test]
    fn the_payload_is_what_serde_writes_for_the_claims() {
        let sparse = Claims {
            exp: Some(5),
            iat: Some(0),
            jti: Some("j".into()),
            auth: Some(Auth::new()),
            ..Claims::default()
        };
        for claims in [full(), sparse] {
            for atob_safe in [false, true] {
                assert_eq!(
                    String::from_utf8(written(&claims, atob_safe)).unwrap(),
                    String::from_utf8(by_serde(&claims, atob_safe)).unwrap(),
                );
            }
        }
    }

    #[test]
    fn app_defined_claims_are_flattened_as_serde_does() {
        #[derive(Serialize, Default)]
        enum Plan {
            #[default]
            Free,
        }
        #[derive(Serialize, Default)]
        struct Tenant {
            tenant: &'static str,
            plan: Option<u8>,
        }
        fn with<E: Default>(extra: E) -> Claims<E> {
            Claims {
                exp: Some(5),
                iat: Some(0),
                jti: Some("j".into()),
                extra,
                ..Claims::default()
            }
        }
        let map: std::collections::BTreeMap<&str, &str> = [("z", "~>")].into();
        for atob_safe in [false, true] {
            let tenant = with(Tenant {
                tenant: "acme?",
                plan: None,
            });
            assert_eq!(written(&tenant, atob_safe), by_serde(&tenant, atob_safe));
            let map = with(map.clone());
            assert_eq!(written(&map, atob_safe), by_serde(&map, atob_safe));
            let none = with(None::<Tenant>);
            assert_eq!(written(&none, atob_safe), by_serde(&none, atob_safe));
        }
        // The one difference from serde's flatten, refused with an error rather than written.
        let unit_variant = with(Plan::Free);
        let payload = Payload::of(&unit_variant, 5, 0, "j");
        assert!(payload.write(&mut Vec::new(), false).is_err());
        let not_a_map = with("text");
        let payload = Payload::of(&not_a_map, 5, 0, "j");
        assert!(payload.write(&mut Vec::new(), false).is_err());
        assert!(serde_json::to_vec(&not_a_map).is_err());
    }
}
