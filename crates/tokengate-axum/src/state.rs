//! `TokenState`: the router state of an app whose only state is tokengate's.

use axum::extract::FromRef;
use tokengate::{Gate, TokenService};

/// The service for [`routes`](crate::routes) and its gate for the extractors, as one router
/// state: `.with_state(TokenState::new(service))`. An app with a state of its own gives both
/// through `FromRef` instead, as this type does.
#[derive(Debug, Clone)]
pub struct TokenState {
    service: TokenService,
    gate: Gate,
}

impl TokenState {
    /// The state of `service`.
    pub fn new(service: TokenService) -> Self {
        TokenState {
            gate: service.gate().clone(),
            service,
        }
    }
}

impl FromRef<TokenState> for TokenService {
    fn from_ref(state: &TokenState) -> TokenService {
        state.service.clone()
    }
}

impl FromRef<TokenState> for Gate {
    fn from_ref(state: &TokenState) -> Gate {
        state.gate.clone()
    }
}
