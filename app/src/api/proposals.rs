//! Server functions for the proposal, moderation and history pages. The services check the
//! policy, so a direct call is checked exactly as the page is.
use crate::error::AppError;
use crate::types::proposals::{
    AttentionPage, HistoryPage, ProposalForm, ProposalRow, ProposalView, QueueFilter, QueuePage,
};
use leptos::prelude::*;

/// The draft a proposal form starts from: proposal `proposal` (its proposer editing it), brand
/// `brand` as it is, or an empty new brand.
#[server(endpoint = "proposal_form")]
pub async fn load_proposal_form(brand: Option<i32>, proposal: Option<i32>) -> Result<ProposalForm, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::moderation::views::form(&state.db, &actor, brand, proposal).await.map_err(super::fail)
}

/// The moderator's version of a proposal to edit before approving: its changes over the record
/// as it is now.
#[server(endpoint = "review_form")]
pub async fn review_form(id: i32) -> Result<ProposalForm, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::moderation::views::review_form(&state.db, &actor, id).await.map_err(super::fail)
}

#[server(endpoint = "proposal_view")]
pub async fn load_proposal(id: i32) -> Result<ProposalView, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::moderation::views::view(&state.db, &state.search, &actor, id).await.map_err(super::fail)
}

#[server(endpoint = "my_proposals")]
pub async fn my_proposals() -> Result<Vec<ProposalRow>, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::moderation::views::mine(&state.db, &actor).await.map_err(super::fail)
}

#[server(endpoint = "moderation_queue")]
pub async fn moderation_queue(filter: QueueFilter) -> Result<QueuePage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::moderation::views::queue(&state.db, &actor, &filter, now).await.map_err(super::fail)
}

#[server(endpoint = "brand_history")]
pub async fn brand_history(id: i32) -> Result<HistoryPage, AppError> {
    let state = crate::server::state::app_state()?;
    let actor = crate::server::session::any_actor().await?;
    crate::server::services::moderation::records::history_page(&state.db, &actor, id).await.map_err(super::fail)
}

#[server(endpoint = "needs_attention")]
pub async fn needs_attention() -> Result<AttentionPage, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::moderation::views::attention(&state.db, now).await.map_err(super::fail)
}
