use crate::types::validation::ValidationReport;
use leptos::prelude::*;

/// Validates a pasted or uploaded brands bundle. The size limit is enforced here, on the server.
#[server(endpoint = "validate_bundle")]
pub async fn validate_bundle(bundle: String) -> Result<ValidationReport, ServerFnError> {
    let state = crate::server::state::app_state()?;
    Ok(crate::server::validate::validate_text(&bundle, state.settings.max_validate_bytes))
}
