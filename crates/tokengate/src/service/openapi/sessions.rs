//! A user's logins in the OpenAPI document: `/sessions`, `/sessions/{id}`, `/password`, RFC
//! 7009's `/revoke` and the revocation feed `/revocations`, with their schemas.

use serde_json::{json, Map, Value};

use super::headers::csrf_header;
use super::paths::{
    bearer, bearer_unavailable, body, csrf_failed, error, invalid_request, json_body,
    password_unavailable, too_large, unauthorized, unavailable,
};

/// The operations, added to `paths`.
pub(super) fn insert(paths: &mut Map<String, Value>) {
    let no_store = json!({"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}});
    let mut sessions = json_body(
        "The user's live logins, oldest first.",
        json!({"$ref": "#/components/schemas/Sessions"}),
    );
    sessions["headers"] = no_store.clone();
    paths.insert(
        "/sessions".into(),
        json!({
            "get": {
                "operationId": "sessions",
                "tags": ["sessions"],
                "summary": "The user's live logins (one per `/login`, `/session` or passkey login), the token's own marked `current`.",
                "security": bearer(),
                "responses": {"200": sessions, "401": unauthorized(), "503": bearer_unavailable()},
            },
            "delete": {
                "operationId": "endSessions",
                "tags": ["sessions"],
                "summary": "Log out everywhere: every login of the user ends, this one included, at once on every instance. By cookie, it needs `X-CSRF-Token`.",
                "security": bearer(),
                "parameters": [csrf_header()],
                "responses": {
                    "204": {"description": "Every login of the user has ended."},
                    "401": unauthorized(),
                    "403": csrf_failed(),
                    "503": bearer_unavailable(),
                },
            },
        }),
    );
    paths.insert(
        "/sessions/{id}".into(),
        json!({"delete": {
            "operationId": "endSession",
            "tags": ["sessions"],
            "summary": "End one login of the user (\"not me\"): its access and refresh tokens stop working at once, on every instance. By cookie, it needs `X-CSRF-Token`.",
            "security": bearer(),
            "parameters": [
                {"name": "id", "in": "path", "required": true, "description": "A session id from `GET /sessions`.", "schema": {"type": "string"}},
                csrf_header(),
            ],
            "responses": {
                "204": {"description": "The login has ended."},
                "401": unauthorized(),
                "403": csrf_failed(),
                "404": error("Not a live login of this user.", &["not_found"], None),
                "503": bearer_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/password".into(),
        json!({"post": {
            "operationId": "changePassword",
            "tags": ["accounts"],
            "summary": "Change the password; every other login of the user ends. By cookie, it needs `X-CSRF-Token`.",
            "security": bearer(),
            "parameters": [csrf_header()],
            "requestBody": body("PasswordChange"),
            "responses": {
                "204": {"description": "The password is changed; the other logins have ended."},
                "401": unauthorized(),
                "403": error("The current password is wrong (counted by the login throttle), or a cookie came without `X-CSRF-Token`.", &["invalid_credentials", "csrf_failed"], None),
                "413": too_large(),
                "422": invalid_request(),
                "429": error("Ten failed checks for this address within ten minutes.", &["too_many_attempts"], Some("Retry-After")),
                "503": password_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/revoke".into(),
        json!({"post": {
            "operationId": "revoke",
            "tags": ["accounts"],
            "summary": "RFC 7009 token revocation: the login of a refresh token or access token of this service ends. The answer is the same whatever the token.",
            "requestBody": {
                "required": true,
                "description": "`application/x-www-form-urlencoded` as RFC 7009 has it (JSON is accepted too); at most 64 KiB.",
                "content": {
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/RevokeRequest"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/RevokeRequest"}},
                },
            },
            "responses": {
                "200": {"description": "Done, or nothing to do (an unknown, invalid or expired token): an empty body either way."},
                "413": too_large(),
                "422": invalid_request(),
                "503": unavailable(),
            },
        }}),
    );
    let mut feed = json_body(
        "The revocations in force written after the cursor, and the next cursor.",
        json!({"$ref": "#/components/schemas/RevocationPage"}),
    );
    feed["headers"] = no_store;
    paths.insert(
        "/revocations".into(),
        json!({"get": {
            "operationId": "revocations",
            "tags": ["sessions"],
            "summary": "The revocation feed: what a verifier without the database needs to refuse the tokens of ended logins until they expire.",
            "parameters": [{
                "name": "after", "in": "query", "required": false,
                "description": "The `cursor` of an earlier answer; without it, every revocation in force. Entries written up to 5 s before the cursor are sent again, so that none written late is missed.",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }],
            "responses": {"200": feed, "422": invalid_request(), "503": unavailable()},
        }}),
    );
}

/// The schemas of these operations, added to `components.schemas`.
pub(super) fn schemas() -> Value {
    json!({
        "PasswordChange": {
            "type": "object",
            "required": ["current_password", "new_password"],
            "properties": {
                "current_password": {"type": "string"},
                "new_password": {"type": "string", "minLength": 8, "description": "At least 8 characters (not bytes), at most 1024 bytes."},
            },
        },
        "RevokeRequest": {
            "type": "object",
            "required": ["token"],
            "properties": {
                "token": {"type": "string", "description": "A refresh token or an access token of this service."},
                "token_type_hint": {"enum": ["refresh_token", "access_token"]},
            },
        },
        "Sessions": {
            "type": "object",
            "required": ["sessions"],
            "properties": {"sessions": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "created_at", "last_used_at", "current"],
                "properties": {
                    "id": {"type": "string", "description": "The `sid` of the login's access tokens."},
                    "created_at": {"type": "integer", "description": "Unix seconds."},
                    "last_used_at": {"type": "integer", "description": "Unix seconds of the last login or refresh."},
                    "current": {"type": "boolean", "description": "Whether this is the asking token's login."},
                },
            }}},
        },
        "RevocationPage": {
            "type": "object",
            "required": ["revocations", "cursor"],
            "properties": {
                "revocations": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "until"],
                    "properties": {
                        "id": {"type": "string", "description": "A revoked access token's `jti`, or an ended login's `sid`."},
                        "until": {"type": "integer", "description": "Unix seconds after which no token it covers is valid anyway."},
                    },
                }},
                "cursor": {"type": "string", "description": "What to send as `after` next time."},
            },
        },
    })
}
