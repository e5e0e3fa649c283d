use crate::error::AppError;
use crate::types::brand::BrandDetail;
use leptos::prelude::*;

/// A brand by the id in its page's URL; `None` (and a 404 status) when there is no such brand,
/// also when the id is not a number.
#[server(endpoint = "get_brand")]
pub async fn get_brand(id: String) -> Result<Option<BrandDetail>, AppError> {
    let state = crate::server::state::app_state()?;
    let mut detail = match id.parse::<i32>() {
        Ok(id) => crate::server::services::brands::brand_detail(&state.db, id).await.map_err(super::fail)?,
        Err(_) => None,
    };
    if let Some(d) = detail.as_mut() {
        let now = chrono::Utc::now().timestamp();
        d.developer.turnaround = crate::server::services::registration::overview::brief(
            &state.db,
            &state.turnaround,
            d.id,
            &state.settings.calendar(),
            now,
        )
        .await
        .map_err(super::fail)?;
    }
    if detail.is_none() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    Ok(detail)
}

/// The developer-facts form of a brand, for its maintainer and admins.
#[server(endpoint = "developer_facts_page")]
pub async fn developer_facts_page(id: i32) -> Result<crate::types::developer::FactsPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::publishing::facts::page(&state.db, &actor, id).await.map_err(super::fail)
}
