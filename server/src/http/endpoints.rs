//! An endpoint's status as JSON, and the documents the poller last fetched from it.
use super::api::{cors, id_of};
use super::openapi::ByIdErrors;
use app::error::AppError;
use app::server::services::endpoint_status::{endpoint_status, raw_document};
use app::server::state::AppState;
use app::types::endpoint::EndpointStatus;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/endpoints/{id}`: health, uptime, latency and the latest report.
#[utoipa::path(get, path = "/api/v1/endpoints/{id}", tag = "health",
    params(("id" = i32, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "What the poller found: health, uptime, latency and the latest check", body = EndpointStatus),
        ByIdErrors,
    ))]
pub async fn status(State(state): State<AppState>, id: Result<Path<i32>, PathRejection>) -> Result<Response, AppError> {
    let id = id_of(id)?;
    let now = chrono::Utc::now().timestamp();
    let s = endpoint_status(&state.db, id, now).await?.ok_or_else(|| AppError::NotFound(format!("endpoint {id}")))?;
    Ok(cors(Json(s).into_response()))
}

async fn raw(state: &AppState, id: i32, smart: bool) -> Result<Response, AppError> {
    let what = if smart { "smart-configuration" } else { "CapabilityStatement" };
    let body = raw_document(&state.db, id, smart)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no {what} has been fetched from endpoint {id}")))?;
    let content_type = if smart { "application/json" } else { "application/fhir+json" };
    // Served as data from a third party: never rendered as a page of ours.
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response())
}

/// `GET /endpoints/{id}/metadata.json`
pub async fn metadata(State(state): State<AppState>, Path(id): Path<i32>) -> Result<Response, AppError> {
    raw(&state, id, false).await
}

/// `GET /endpoints/{id}/smart-configuration.json`
pub async fn smart(State(state): State<AppState>, Path(id): Path<i32>) -> Result<Response, AppError> {
    raw(&state, id, true).await
}
