//! Server functions: the browser's way into the services. Each is a thin shell around a
//! service call so the HTTP API and the CLI share the same code.
pub mod brands;
pub mod check;
pub mod endpoints;
pub mod search;
pub mod validate;

#[cfg(feature = "ssr")]
pub(crate) fn internal(e: impl std::fmt::Display) -> leptos::prelude::ServerFnError {
    tracing::error!(error = %e, "server function failed");
    leptos::prelude::ServerFnError::new("internal error")
}
