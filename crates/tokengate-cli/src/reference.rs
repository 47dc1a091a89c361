//! The complete reference service: what `tokengate serve` and the `app-axum` reference app
//! run, and a worked example of the axum adapter in an app with its own state.

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use tokengate::{Gate, Service};
use tokengate_axum::{Authenticated, Authorized, DocumentRead, DocumentWrite};

use crate::demo;

/// The reference app's state: the service for the token routes, its gate for the guards.
#[derive(Clone)]
struct AppState {
    service: Service,
    gate: Gate,
}

impl FromRef<AppState> for Service {
    fn from_ref(state: &AppState) -> Service {
        state.service.clone()
    }
}

impl FromRef<AppState> for Gate {
    fn from_ref(state: &AppState) -> Gate {
        state.gate.clone()
    }
}

/// Every route of the reference service (the account routes, the demo routes and an
/// `/openapi.json` describing both), JSON 404/405, and CORS for `cors_origins`, over
/// `service`.
pub fn reference_app(service: Service, cors_origins: &[String]) -> Router {
    let service = service.with_openapi(&tokengate::openapi::reference_document());
    let state = AppState {
        gate: service.gate().clone(),
        service,
    };
    Router::new()
        .route("/public", get(public))
        .route("/protected", get(protected))
        .route("/documents/{id}", get(read_document).put(write_document))
        .merge(tokengate_axum::routes())
        .fallback(tokengate_axum::not_found)
        .method_not_allowed_fallback(tokengate_axum::method_not_allowed)
        .layer(tokengate_axum::cors_layer(cors_origins))
        .with_state(state)
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
