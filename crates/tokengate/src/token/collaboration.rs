//! CKEditor Cloud Services claims: `user` and `auth.collaboration`, roles and permissions.
//!
//! The role table is CKEditor's, and [`Auth::allows`] is the one function in tokengate that
//! decides whether a token may do something to a document.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The `user` claim of a CKEditor Cloud Services token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsUser {
    /// User id (CKEditor reads `sub` first; `id` is kept for older integrations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// The `auth` claim: collaboration grants keyed by document id, or `*` for every document.
///
/// ```
/// use tokengate::token::{Auth, Grant, Permission, Role};
///
/// let auth = Auth::new()
///     .grant("*", Grant::role(Role::Reader))
///     .grant("doc-1", Grant::role(Role::Writer));
/// assert!(auth.allows("doc-2", &Permission::DOCUMENT_READ));
/// assert!(!auth.allows("doc-2", &Permission::DOCUMENT_WRITE));
/// assert!(auth.allows("doc-1", &Permission::DOCUMENT_WRITE));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth {
    /// Grants by document id; the key `*` applies to every document.
    #[serde(default)]
    pub collaboration: BTreeMap<String, Grant>,
}

/// The document key that applies a grant to every document.
pub const ALL_DOCUMENTS: &str = "*";

impl Auth {
    /// No grants.
    pub fn new() -> Self {
        Auth::default()
    }

    /// Everyone may do everything: `{"collaboration": {"*": {"role": "writer"}}}`, the
    /// default grant of CKEditor's examples.
    pub fn writer_everywhere() -> Self {
        Auth::new().grant(ALL_DOCUMENTS, Grant::role(Role::Writer))
    }

    /// Adds (or replaces) the grant for `document`.
    pub fn grant(mut self, document: impl Into<String>, grant: Grant) -> Self {
        self.collaboration.insert(document.into(), grant);
        self
    }

    /// Whether `permission` is granted on `document`: by the grant under the document's id
    /// or by the grant under `*`, through its role or its explicit permissions.
    pub fn allows(&self, document: &str, permission: &Permission) -> bool {
        let grants = [document, ALL_DOCUMENTS]
            .into_iter()
            .filter_map(|key| self.collaboration.get(key));
        grants.into_iter().any(|grant| grant.allows(permission))
    }
}

/// What one document grant gives: a role, explicit permissions, or both (the union counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Explicit permissions, beside or instead of the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
}

impl Grant {
    /// A grant of one role.
    pub fn role(role: Role) -> Self {
        Grant {
            role: Some(role),
            permissions: Vec::new(),
        }
    }

    /// A grant of explicit permissions.
    pub fn permissions(permissions: impl IntoIterator<Item = Permission>) -> Self {
        Grant {
            role: None,
            permissions: permissions.into_iter().collect(),
        }
    }

    /// Whether this grant includes `permission`.
    pub fn allows(&self, permission: &Permission) -> bool {
        self.role
            .as_ref()
            .is_some_and(|role| role.permissions().contains(permission))
            || self.permissions.contains(permission)
    }
}

/// A CKEditor collaboration role. Unknown role names are kept as they are and grant nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// May read the document and its comments.
    Reader,
    /// May read the document, and read and write comments.
    Commentator,
    /// May read and write the document and its comments.
    Writer,
    /// A role this version does not know; round-trips unchanged.
    Other(String),
}

impl Role {
    /// The role's name as it appears in tokens.
    pub fn as_str(&self) -> &str {
        match self {
            Role::Reader => "reader",
            Role::Commentator => "commentator",
            Role::Writer => "writer",
            Role::Other(other) => other,
        }
    }

    /// The permissions the role gives, as CKEditor defines them.
    pub fn permissions(&self) -> &'static [Permission] {
        const READER: &[Permission] = &[Permission::DOCUMENT_READ, Permission::COMMENT_READ];
        const COMMENTATOR: &[Permission] = &[
            Permission::DOCUMENT_READ,
            Permission::COMMENT_READ,
            Permission::COMMENT_WRITE,
        ];
        const WRITER: &[Permission] = &[
            Permission::DOCUMENT_READ,
            Permission::DOCUMENT_WRITE,
            Permission::COMMENT_READ,
            Permission::COMMENT_WRITE,
        ];
        match self {
            Role::Reader => READER,
            Role::Commentator => COMMENTATOR,
            Role::Writer => WRITER,
            Role::Other(_) => &[],
        }
    }
}

impl From<&str> for Role {
    fn from(name: &str) -> Self {
        match name {
            "reader" => Role::Reader,
            "commentator" => Role::Commentator,
            "writer" => Role::Writer,
            other => Role::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Role::from(name.as_ref()))
    }
}

/// A permission string such as `document:write`. Any string is accepted and round-trips;
/// the constants name the ones CKEditor's roles give.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission(Cow<'static, str>);

impl Permission {
    /// `document:read`
    pub const DOCUMENT_READ: Permission = Permission(Cow::Borrowed("document:read"));
    /// `document:write`
    pub const DOCUMENT_WRITE: Permission = Permission(Cow::Borrowed("document:write"));
    /// `comment:read`
    pub const COMMENT_READ: Permission = Permission(Cow::Borrowed("comment:read"));
    /// `comment:write`
    pub const COMMENT_WRITE: Permission = Permission(Cow::Borrowed("comment:write"));

    /// A permission by name.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Permission(name.into())
    }

    /// The permission an OAuth scope grants on every document: `documents:read` is
    /// `document:read`, `documents:write` is `document:write`; other scopes grant none here.
    pub fn from_scope(scope: &str) -> Option<Permission> {
        match scope {
            "documents:read" => Some(Permission::DOCUMENT_READ),
            "documents:write" => Some(Permission::DOCUMENT_WRITE),
            _ => None,
        }
    }

    /// The permission's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as a `Cow`, for error messages.
    pub(crate) fn name(&self) -> Cow<'static, str> {
        self.0.clone()
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Permission(Cow::Owned(name)))
    }
}

/// A permission a route requires, and the path parameter that names the document: what every
/// adapter's permission guard (`Authorized<P>` in axum, actix-web and Rocket,
/// `require_permission` in warp) checks with [`Gate::authorize_segment`](crate::Gate::authorize_segment).
///
/// ```
/// use tokengate::token::{Permission, RequiredPermission};
///
/// /// `comment:write` on the document in `/docs/{doc}/comments`.
/// struct CommentWrite;
/// impl RequiredPermission for CommentWrite {
///     const PARAM: &'static str = "doc";
///     fn permission() -> Permission { Permission::COMMENT_WRITE }
/// }
/// assert_eq!(CommentWrite::permission().as_str(), "comment:write");
/// ```
pub trait RequiredPermission: Send + Sync + 'static {
    /// The path parameter holding the document id.
    const PARAM: &'static str = "id";
    /// The permission required on that document.
    fn permission() -> Permission;
}

/// `document:read` on the document `{id}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentRead;

impl RequiredPermission for DocumentRead {
    fn permission() -> Permission {
        Permission::DOCUMENT_READ
    }
}

/// `document:write` on the document `{id}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentWrite;

impl RequiredPermission for DocumentWrite {
    fn permission() -> Permission {
        Permission::DOCUMENT_WRITE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(json: &str) -> Auth {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn role_table_matches_ckeditor() {
        let p = |r: Role| {
            r.permissions()
                .iter()
                .map(Permission::as_str)
                .collect::<Vec<_>>()
        };
        assert_eq!(p(Role::Reader), ["document:read", "comment:read"]);
        assert_eq!(
            p(Role::Commentator),
            ["document:read", "comment:read", "comment:write"]
        );
        assert_eq!(
            p(Role::Writer),
            [
                "document:read",
                "document:write",
                "comment:read",
                "comment:write"
            ]
        );
        assert!(Role::from("admin").permissions().is_empty());
    }

    #[test]
    fn union_of_role_and_explicit_permissions() {
        let a = auth(
            r#"{"collaboration":{"doc-2":{"role":"commentator","permissions":["document:write"]},
                "doc-3":{"permissions":["document:read"]}}}"#,
        );
        assert!(a.allows("doc-2", &Permission::COMMENT_WRITE));
        assert!(a.allows("doc-2", &Permission::DOCUMENT_WRITE));
        assert!(a.allows("doc-3", &Permission::DOCUMENT_READ));
        assert!(!a.allows("doc-3", &Permission::DOCUMENT_WRITE));
        assert!(!a.allows("doc-4", &Permission::DOCUMENT_READ));
    }

    #[test]
    fn star_applies_to_every_document_and_ids_only_to_their_own() {
        let a = auth(r#"{"collaboration":{"*":{"role":"reader"},"doc-1":{"role":"writer"}}}"#);
        assert!(a.allows("anything", &Permission::DOCUMENT_READ));
        assert!(!a.allows("anything", &Permission::DOCUMENT_WRITE));
        assert!(a.allows("doc-1", &Permission::DOCUMENT_WRITE));
        // A document literally named "doc-1x" or "doc" is another document.
        assert!(!a.allows("doc-1x", &Permission::DOCUMENT_WRITE));
        assert!(!a.allows("doc", &Permission::DOCUMENT_WRITE));
        assert!(!Auth::new().allows("*", &Permission::DOCUMENT_READ));
    }

    #[test]
    fn unknown_roles_and_permissions_round_trip_unchanged() {
        let json =
            r#"{"collaboration":{"d":{"role":"owner","permissions":["comment:admin","x:y"]}}}"#;
        let a = auth(json);
        assert_eq!(a.collaboration["d"].role, Some(Role::Other("owner".into())));
        assert!(!a.allows("d", &Permission::DOCUMENT_READ));
        assert!(a.allows("d", &Permission::new("comment:admin")));
        assert_eq!(serde_json::to_string(&a).unwrap(), json);
    }

    #[test]
    fn wrong_types_are_errors() {
        for bad in [
            r#"{"collaboration":[]}"#,
            r#"{"collaboration":{"d":{"role":1}}}"#,
            r#"{"collaboration":{"d":{"permissions":"document:read"}}}"#,
            r#"{"collaboration":{"d":"writer"}}"#,
        ] {
            assert!(serde_json::from_str::<Auth>(bad).is_err(), "{bad}");
        }
    }
}
