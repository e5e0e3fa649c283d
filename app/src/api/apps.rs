//! Server functions for the app pages. The services check the policy.
use crate::error::AppError;
use crate::types::app_metadata::{AppPage, NewAppPage};
use leptos::prelude::*;

#[server(endpoint = "new_app_form")]
pub async fn new_app_form(org: i32) -> Result<NewAppPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::apps::new_page(&state.db, &actor, org).await.map_err(super::fail)
}

#[server(endpoint = "app_record")]
pub async fn app_record(org: i32, app: i32) -> Result<AppPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::apps::page(&state.db, &actor, org, app).await.map_err(super::fail)
}
