use crate::error::AppError;
use crate::types::validation::ValidationReport;
use leptos::prelude::*;

/// Validates a pasted or uploaded brands bundle. The size limit and the per-client rate limit
/// are enforced here, on the server; the work runs off the async threads.
#[server(endpoint = "validate_bundle")]
pub async fn validate_bundle(bundle: String) -> Result<ValidationReport, AppError> {
    let state = crate::server::state::app_state()?;
    if let Some(wait) = super::over_limit(&state.validate_limiter).await? {
        return Err(AppError::TooManyRequests(wait).with_status());
    }
    crate::server::validate::validate_text_blocking(bundle, state.settings.max_validate_bytes)
        .await
        .map_err(super::fail)
}
