//! The bodies of the HTTP API's demonstration routes (`/public`, `/protected`,
//! `/documents/{id}`), so that every reference app and `tokengate serve` answer alike.
//!
//! They are plain structs rather than `serde_json::Value`s: serialized straight into the
//! response, with no map to build and drop on every request.

use serde::Serialize;

use tokengate::Claims;

/// The body of `GET /public`: `{"message": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicBody {
    /// Always "Anyone can view this."
    pub message: &'static str,
}

/// The body of `GET /protected`: `{"message": …, "sub": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedBody {
    /// Always "Only available to people with valid tokens."
    pub message: &'static str,
    /// The token's subject (`null` when it has none).
    pub sub: Option<String>,
}

/// The body of `/documents/{id}`: `{"id": …, "access": "read" | "write"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentBody {
    /// The document id from the path.
    pub id: String,
    /// `"read"` or `"write"`.
    pub access: &'static str,
}

/// `GET /public`.
pub fn public() -> PublicBody {
    PublicBody {
        message: "Anyone can view this.",
    }
}

/// `GET /protected`, for verified claims (taken, so that the subject moves instead of
/// being copied).
pub fn protected<E>(claims: Claims<E>) -> ProtectedBody {
    ProtectedBody {
        message: "Only available to people with valid tokens.",
        sub: claims.sub,
    }
}

/// `GET` (`access` = `"read"`) and `PUT` (`"write"`) `/documents/{id}`, once the permission
/// has been checked.
pub fn document(id: &str, access: &'static str) -> DocumentBody {
    DocumentBody {
        id: id.to_owned(),
        access,
    }
}
