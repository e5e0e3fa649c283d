//! Server functions for the registration pages: an app's requests and payer picker, one
//! request, and a payer's queue. The services check the policy.
use crate::error::AppError;
use crate::types::registration::{RequestPage, RequestsPage};
use leptos::prelude::*;

#[server(endpoint = "app_requests")]
pub async fn app_requests(org: i32, app: i32, q: String) -> Result<RequestsPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    let calendar = state.settings.calendar();
    crate::server::services::registration::views::requests_page(
        &state.db,
        &actor,
        &state.search,
        org,
        app,
        &q,
        &calendar,
        now,
    )
    .await
    .map_err(super::fail)
}

#[server(endpoint = "request_record")]
pub async fn request_record(id: i32) -> Result<RequestPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::registration::views::page(&state.db, &actor, id, &state.settings.calendar(), now)
        .await
        .map_err(super::fail)
}

#[server(endpoint = "payer_queue")]
pub async fn payer_queue(
    org: i32,
    filter: crate::types::registration::QueueFilter,
) -> Result<crate::types::registration::QueuePage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::registration::queue::queue(&state.db, &actor, org, filter, &state.settings.calendar(), now)
        .await
        .map_err(super::fail)
}

/// The signed-in dashboard.
#[server(endpoint = "my_dashboard")]
pub async fn my_dashboard() -> Result<crate::types::dashboard::Dashboard, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::dashboard::dashboard(&state.db, &state.turnaround, &actor, &state.settings.calendar(), now)
        .await
        .map_err(super::fail)
}

/// The public overview of every payer's turnaround.
#[server(endpoint = "turnaround_overview")]
pub async fn turnaround_overview(sort: String, window: String) -> Result<crate::types::turnaround::Overview, AppError> {
    use crate::types::turnaround::{SortBy, Window};
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::registration::overview::overview(
        &state.db,
        &state.turnaround,
        &state.settings.calendar(),
        SortBy::parse(&sort),
        Window::parse(&window),
        now,
    )
    .await
    .map_err(super::fail)
}

/// One payer brand's public turnaround page.
#[server(endpoint = "turnaround_of_payer")]
pub async fn turnaround_of_payer(brand: i32) -> Result<crate::types::turnaround::PayerPage, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::registration::overview::of_brand(
        &state.db,
        &state.turnaround,
        brand,
        &state.settings.calendar(),
        now,
    )
    .await
    .map_err(super::fail)
}

/// What an email-only payer's signed link shows (no account: the link is the permission).
#[server(endpoint = "respond_record")]
pub async fn respond_record(token: String) -> Result<crate::types::registration::RespondPage, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::registration::email_payers::page(&state.db, &token, &state.settings.calendar(), now)
        .await
        .map_err(super::fail)
}

/// A payer organization's registration settings form.
#[server(endpoint = "payer_settings_page")]
pub async fn payer_settings_page(org: i32) -> Result<crate::types::registration::PayerSettingsPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::registration::settings::page(&state.db, &actor, org).await.map_err(super::fail)
}
