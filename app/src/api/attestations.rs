//! Server functions for the attestation pages: the developer's, the admins' queue and review,
//! and the public list and app page. The services check the policy.
use crate::error::AppError;
use crate::types::attestation_pages::{AttestationPage, PublicAppList, PublicAppPage, ReviewItem, ReviewPage};
use leptos::prelude::*;

#[server(endpoint = "attestation_record")]
pub async fn attestation_record(org: i32, app: i32) -> Result<AttestationPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::apps::attestations::page(&state.db, &actor, org, app, now).await.map_err(super::fail)
}

#[server(endpoint = "attestation_queue")]
pub async fn attestation_queue() -> Result<Vec<ReviewItem>, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::apps::review::queue(&state.db, &actor).await.map_err(super::fail)
}

#[server(endpoint = "attestation_review")]
pub async fn attestation_review(id: i32) -> Result<ReviewPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::apps::review::review_page(&state.db, &actor, id).await.map_err(super::fail)
}

#[server(endpoint = "public_apps")]
pub async fn public_apps(q: String) -> Result<PublicAppList, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::apps::public::list(&state.db, &q, &state.settings.public_url, now)
        .await
        .map_err(super::fail)
}

#[server(endpoint = "public_app")]
pub async fn public_app(id: i32) -> Result<PublicAppPage, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::apps::public::page(&state.db, id, &state.settings.public_url, now)
        .await
        .map_err(super::fail)
}
