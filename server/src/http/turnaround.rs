//! Each payer's public turnaround, for machines: the overview as JSON (`/api/v1/turnaround`) and
//! CSV (`/turnaround.csv`), and one payer (`/api/v1/turnaround/{brand}`). Open to CORS; the
//! overview is recomputed at most every few minutes while no request changes.
use super::api::cors;
use app::error::AppError;
use app::server::services::registration::{overview, turnaround};
use app::server::state::AppState;
use app::types::turnaround::{SortBy, Window};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct OverviewParams {
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
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

/// `GET /api/v1/turnaround?sort=&window=`.
pub async fn overview_json(
    State(state): State<AppState>,
    Query(p): Query<OverviewParams>,
) -> Result<Response, AppError> {
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

/// `GET /api/v1/turnaround/{brand}`.
pub async fn payer_json(State(state): State<AppState>, Path(brand): Path<i32>) -> Result<Response, AppError> {
    let now = chrono::Utc::now().timestamp();
    let page = overview::of_brand(&state.db, &state.turnaround, brand, &state.settings.calendar(), now).await?;
    Ok(cached(Json(page).into_response()))
}
