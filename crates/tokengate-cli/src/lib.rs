//! The reference service of tokengate: the demonstration routes of the HTTP API and the
//! complete axum app that `tokengate serve` runs. The `tokengate` command is this crate's
//! binary; the reference apps of the other frameworks share [`demo`].

pub mod demo;
mod reference;

pub use reference::reference_app;
