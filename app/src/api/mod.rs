//! Server functions: the browser's way into the services. Each is a thin shell around a
//! service call so the HTTP API and the CLI share the same code.
pub mod alerts;
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

/// Applies a per-client limit to this request: `Some(seconds to wait)` (with status 429) when the
/// client has used its share.
#[cfg(feature = "ssr")]
pub(crate) async fn over_limit(
    limiter: &crate::server::rate_limit::ClientLimiter,
) -> Result<Option<u64>, leptos::prelude::ServerFnError> {
    use leptos::prelude::{ServerFnError, use_context};
    let client = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|c| c.0.ip())
        .map_err(|e| ServerFnError::new(format!("no client address: {e}")))?;
    Ok(limiter.check(client).err().inspect(|_| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        }
    }))
}
