#![doc = include_str!("../README.md")]

mod cors;
mod extract;
mod layer;
mod permission;
mod reference;
mod routes;
mod state;
mod view;

pub use cors::cors_layer;
pub use extract::{Authenticated, TokenRejection};
pub use layer::{TokenGate, TokenGateLayer};
pub use permission::{Authorized, DocumentRead, DocumentWrite, RequiredPermission};
pub use reference::reference_app;
pub use routes::{
    cs_token, healthz, jwks, login, logout, me, method_not_allowed, not_found, refresh, routes,
    signup,
};
pub use state::{GateState, ServiceState};

/// The core crate, re-exported.
pub use tokengate;
