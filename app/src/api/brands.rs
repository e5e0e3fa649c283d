use crate::types::brand::BrandDetail;
use leptos::prelude::*;

#[server(endpoint = "get_brand")]
pub async fn get_brand(id: i32) -> Result<Option<BrandDetail>, ServerFnError> {
    let state = crate::server::state::app_state()?;
    let detail = crate::server::services::brands::brand_detail(&state.db, id).await.map_err(super::internal)?;
    if detail.is_none() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    Ok(detail)
}
