//! Server functions: the browser's way into the services. Each is a thin shell around a
//! service call so the HTTP API and the CLI share the same code.
pub mod accounts;
pub mod alerts;
pub mod apps;
pub mod attestations;
pub mod brands;
pub mod check;
pub mod claims;
pub mod endpoints;
pub mod proposals;
pub mod registration;
pub mod search;
pub mod validate;

/// A service's error as a server function's: the response gets the error's status.
#[cfg(feature = "ssr")]
pub(crate) fn fail(e: impl Into<crate::error::AppError>) -> crate::error::AppError {
    e.into().with_status()
}

/// Applies a per-client limit to this request: `Some(seconds to wait)` (with status 429) when the
/// client has used its share.
#[cfg(feature = "ssr")]
pub(crate) async fn over_limit(
    limiter: &crate::server::rate_limit::ClientLimiter,
) -> Result<Option<u64>, crate::error::AppError> {
    use leptos::prelude::use_context;
    let client = crate::server::rate_limit::client_of_request().await.map_err(fail)?;
    Ok(limiter.check(client).err().inspect(|_| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        }
    }))
}
