//! What the service tells its operators: Prometheus [`Metrics`] recorded where each event
//! happens (the gate's decisions, the account service's logins and refreshes), shared by
//! every adapter and `tokengate serve` under the same names.
//!
//! The layer sits under the gate, which records into it, and above the token layer, whose
//! remote keys it reports the age of.

#[cfg(feature = "metrics")]
mod metrics;

#[cfg(feature = "metrics")]
pub use self::metrics::{KeyAges, LoginResult, Metrics, RefreshResult, METRICS_CONTENT_TYPE};
