//! `TokenState`: the router state of an app whose only state is tokengate's.

use axum::extract::FromRef;
use tokengate::{Gate, Service};

/// The service for [`routes`](crate::routes) and its gate for the extractors, as one router
/// state: `.with_state(TokenState::new(service))`. An app with a state of its own gives both
/// through `FromRef` instead, as this type does.
#[derive(Debug, Clone)]
pub struct TokenState {
    service: Service,
    gate: Gate,
}

impl TokenState {
    /// The state of `service`.
    pub fn new(service: Service) -> Self {
        TokenState {
            gate: service.gate().clone(),
            service,
        }
    }
}

impl FromRef<TokenState> for Service {
    fn from_ref(state: &TokenState) -> Service {
        state.service.clone()
    }
}

impl FromRef<TokenState> for Gate {
    fn from_ref(state: &TokenState) -> Gate {
        state.gate.clone()
    }
}
