use crate::error::AppError;
use crate::types::endpoint::EndpointStatus;
use leptos::prelude::*;

#[server(endpoint = "get_endpoint")]
pub async fn get_endpoint(id: String) -> Result<Option<EndpointStatus>, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    let status = match id.parse::<i32>() {
        Ok(id) => {
            crate::server::services::endpoint_status::endpoint_status(&state.db, id, now).await.map_err(super::fail)?
        }
        Err(_) => None,
    };
    if status.is_none() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    Ok(status)
}
