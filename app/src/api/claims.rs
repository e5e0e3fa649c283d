//! Server functions for the claim pages. The services check the policy.
use crate::error::AppError;
use crate::types::claims::{ClaimConfirmation, ClaimView};
use leptos::prelude::*;

/// What a mailed claim link confirms, without confirming it.
#[server(endpoint = "preview_claim_link")]
pub async fn preview_claim_link(token: String) -> Result<ClaimConfirmation, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::publishing::claims::confirmation(&state.db, &token, now).await.map_err(super::fail)
}

#[server(endpoint = "admin_claims")]
pub async fn admin_claims() -> Result<Vec<ClaimView>, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::publishing::admin::list(&state.db, &actor).await.map_err(super::fail)
}
