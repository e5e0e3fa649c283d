use crate::types::endpoint::EndpointStatus;
use leptos::prelude::*;

#[server(endpoint = "get_endpoint")]
pub async fn get_endpoint(id: i32) -> Result<Option<EndpointStatus>, ServerFnError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    let status =
        crate::server::services::endpoint_status::endpoint_status(&state.db, id, now).await.map_err(super::internal)?;
    if status.is_none() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    Ok(status)
}
