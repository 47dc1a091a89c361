//! The complete reference service: what `tokengate serve` and the `app-axum` reference app
//! run.

use axum::routing::get;
use axum::{Json, Router};
use tokengate::TokenService;
use tokengate_axum::{Authenticated, Authorized, DocumentRead, DocumentWrite, TokenState};

use crate::demo;

/// Every route of the reference service (the account routes, the demo routes and an
/// `/openapi.json` describing both), JSON 404/405, and CORS for `cors_origins`, over
/// `service`.
pub fn reference_app(service: TokenService, cors_origins: &[String]) -> Router {
    let service = service.with_openapi(&tokengate::service::openapi::reference_document());
    Router::new()
        .route("/public", get(public))
        .route("/protected", get(protected))
        .route("/documents/{id}", get(read_document).put(write_document))
        .merge(tokengate_axum::routes())
        .fallback(tokengate_axum::not_found)
        .method_not_allowed_fallback(tokengate_axum::method_not_allowed)
        .layer(tokengate_axum::cors_layer(cors_origins))
        .with_state(TokenState::new(service))
}

async fn public() -> Json<demo::PublicBody> {
    Json(demo::public())
}

async fn protected(Authenticated(claims): Authenticated) -> Json<demo::ProtectedBody> {
    Json(demo::protected(*claims))
}

async fn read_document(doc: Authorized<DocumentRead>) -> Json<demo::DocumentBody> {
    Json(demo::document(&doc.document, "read"))
}

async fn write_document(doc: Authorized<DocumentWrite>) -> Json<demo::DocumentBody> {
    Json(demo::document(&doc.document, "write"))
}
