//! What the router state must give: the gate, and for the service routes the service.

use tokengate::Gate;
#[cfg(feature = "accounts")]
use tokengate::Service;

/// A router state that holds a [`Gate`]: what [`Authenticated`](crate::Authenticated) and
/// [`Authorized`](crate::Authorized) need. Implemented for `Gate` and (feature `accounts`) `Service`; implement it
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

#[cfg(feature = "accounts")]
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

#[cfg(feature = "accounts")]
impl GateState for Service {
    fn gate(&self) -> &Gate {
        Service::gate(self)
    }
}

#[cfg(feature = "accounts")]
impl ServiceState for Service {
    fn service(&self) -> &Service {
        self
    }
}
