//! The complete reference service: what the `app-axum` reference app and `tokengate serve` run.

use axum::routing::get;
use axum::{Json, Router};
use tokengate::{demo, Service};

use crate::{Authenticated, Authorized, DocumentRead, DocumentWrite};

/// Every route of the reference service (the account routes, the demo routes and an
/// `/openapi.json` describing both), JSON 404/405, and CORS for `cors_origins`, over
/// `service`.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = tokengate::Config::from_env()?;
/// let app = tokengate_axum::reference_app(tokengate::Service::connect(&config).await?, &config.cors_origins);
/// axum::serve(tokio::net::TcpListener::bind(config.addr).await?, app).await?;
/// # Ok(()) }
/// ```
pub fn reference_app(service: Service, cors_origins: &[String]) -> Router {
    Router::new()
        .route("/public", get(public))
        .route("/protected", get(protected))
        .route("/documents/{id}", get(read_document).put(write_document))
        .merge(crate::routes())
        .fallback(crate::not_found::<Service>)
        .method_not_allowed_fallback(crate::method_not_allowed::<Service>)
        .layer(crate::cors_layer(cors_origins))
        .with_state(service.with_openapi(&tokengate::openapi::reference_document()))
}

async fn public() -> Json<demo::PublicBody> {
    Json(demo::public())
}

async fn protected(Authenticated(claims): Authenticated) -> Json<demo::ProtectedBody> {
    Json(demo::protected(&claims))
}

async fn read_document(doc: Authorized<DocumentRead>) -> Json<demo::DocumentBody> {
    Json(demo::document(&doc.document, "read"))
}

async fn write_document(doc: Authorized<DocumentWrite>) -> Json<demo::DocumentBody> {
    Json(demo::document(&doc.document, "write"))
}
