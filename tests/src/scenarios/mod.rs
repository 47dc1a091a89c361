//! The HTTP API (`docs/http-api.md`), one scenario per function. Each takes a
//! [`Target`](crate::Target) and speaks real HTTP to an app it starts (or to the external server).
//!
//! The scenarios live in one submodule per section and are all re-exported here, where
//! [`scenario_suite!`](crate::scenario_suite) finds them.

pub(crate) mod helpers;

mod audit;
mod bearer;
mod cors;
mod documents;
mod dpop;
mod gateway;
mod grace;
mod lifecycle;
mod login;
mod metrics;
mod open_routes;
mod overload;
mod races;
mod refresh_logout;
mod session_management;
mod sessions;
mod signup;
mod token_rules;
mod users_cs_token;

pub use audit::*;
pub use bearer::*;
pub use cors::*;
pub use documents::*;
pub use dpop::*;
pub use gateway::*;
pub use grace::*;
pub use lifecycle::*;
pub use login::*;
pub use metrics::*;
pub use open_routes::*;
pub use overload::*;
pub use races::*;
pub use refresh_logout::*;
pub use session_management::*;
pub use sessions::*;
pub use signup::*;
pub use token_rules::*;
pub use users_cs_token::*;
