//! Each payer's public turnaround, for machines: the overview as JSON (`/api/v1/turnaround`) and
//! CSV (`/turnaround.csv`), and one payer (`/api/v1/turnaround/{brand}`). Open to CORS; the
//! overview is recomputed at most every few minutes while no request changes.
use super::api::{cors, id_of};
use super::openapi::{ByIdErrors, ErrorBody, Limited};
use app::error::AppError;
use app::server::services::registration::{overview, turnaround};
use app::server::state::AppState;
use app::types::turnaround::{Overview, PayerPage, SortBy, Window};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewParams {
    /// `name`, `decided`, `median`, `p90`, `within` or `open`; anything else sorts by name.
    #[serde(default)]
    #[param(required = false)]
    pub sort: String,
    /// `90` (the last 90 days) or `all`; anything else is the last 90 days.
    #[serde(default)]
    #[param(required = false)]
    pub window: String,
}

fn cached(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    cors(r)
}

async fn overview(state: &AppState, p: &OverviewParams) -> Result<app::types::turnaround::Overview, AppError> {
    let now = chrono::Utc::now().timestamp();
    let (sort, window) = (SortBy::parse(&p.sort), Window::parse(&p.window));
    app::server::services::registration::overview::overview(
        &state.db,
        &state.turnaround,
        &state.settings.calendar(),
        sort,
        window,
        now,
    )
    .await
}

/// Every payer that has had a registration request: decisions, median and 90th-percentile
/// business time to a decision, the share within the payer's own target, and what is open now.
#[utoipa::path(get, path = "/api/v1/turnaround", tag = "turnaround", params(OverviewParams),
    responses(
        (status = 200, description = "The overview (computed at most every 5 minutes)", body = Overview),
        (status = 400, description = "The query string could not be read", body = ErrorBody),
        Limited,
    ))]
pub async fn overview_json(
    State(state): State<AppState>,
    params: Result<Query<OverviewParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(cached(Json(overview(&state, &p).await?).into_response()))
}

/// `GET /turnaround.csv`.
pub async fn overview_csv(
    State(state): State<AppState>,
    Query(p): Query<OverviewParams>,
) -> Result<Response, AppError> {
    let body = turnaround::csv(&overview(&state, &p).await?)?;
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"turnaround.csv\""));
    Ok(cached(r))
}

/// One payer brand's turnaround over the last 90 days and all time, with a 12-month trend.
#[utoipa::path(get, path = "/api/v1/turnaround/{brand}", tag = "turnaround",
    params(("brand" = i32, Path, description = "The payer brand's id")),
    responses(
        (status = 200, description = "The payer's turnaround", body = PayerPage),
        ByIdErrors,
    ))]
pub async fn payer_json(
    State(state): State<AppState>,
    brand: Result<Path<i32>, PathRejection>,
) -> Result<Response, AppError> {
    let brand = id_of(brand)?;
    let now = chrono::Utc::now().timestamp();
    let page = overview::of_brand(&state.db, &state.turnaround, brand, &state.settings.calendar(), now).await?;
    Ok(cached(Json(page).into_response()))
}
