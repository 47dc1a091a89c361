//! What the router state must give: the gate, and for the service routes the service.

use tokengate::{Gate, Service};

/// A router state that holds a [`Gate`]: what [`Authenticated`](crate::Authenticated) and
/// [`Authorized`](crate::Authorized) need. Implemented for `Gate` and `Service`; implement it
/// for your own state in one line.
///
/// ```
/// use tokengate::Gate;
/// use tokengate_axum::GateState;
///
/// #[derive(Clone)]
/// struct AppState { gate: Gate, greeting: String }
///
/// impl GateState for AppState {
///     fn gate(&self) -> &Gate { &self.gate }
/// }
/// ```
pub trait GateState: Clone + Send + Sync + 'static {
    /// The gate that verifies tokens.
    fn gate(&self) -> &Gate;
}

/// A router state that holds the whole [`Service`]: what [`routes`](crate::routes) needs.
pub trait ServiceState: GateState {
    /// The token service.
    fn service(&self) -> &Service;
}

impl GateState for Gate {
    fn gate(&self) -> &Gate {
        self
    }
}

impl GateState for Service {
    fn gate(&self) -> &Gate {
        Service::gate(self)
    }
}

impl ServiceState for Service {
    fn service(&self) -> &Service {
        self
    }
}
