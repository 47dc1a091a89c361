//! The bodies of CONTRACT.md's demonstration routes (`/public`, `/protected`,
//! `/documents/{id}`), so that every reference app and `tokengate serve` answer alike.

use serde_json::{json, Value};

use crate::claims::Claims;

/// `GET /public`.
pub fn public() -> Value {
    json!({"message": "Anyone can view this."})
}

/// `GET /protected`, for verified claims.
pub fn protected<E>(claims: &Claims<E>) -> Value {
    json!({"message": "Only available to people with valid tokens.", "sub": claims.sub})
}

/// `GET` (`access` = `"read"`) and `PUT` (`"write"`) `/documents/{id}`, once the permission
/// has been checked.
pub fn document(id: &str, access: &str) -> Value {
    json!({"id": id, "access": access})
}
