use app::error::AppError;
use app::server::rate_limit::client_of;
use app::server::services::brands::brand_detail;
use app::server::state::AppState;
use app::server::validate::validate_text_blocking;
use app::types::brand::BrandDetail;
use app::types::search::{SearchQuery, SearchResponse};
use app::types::validation::ValidationReport;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use validator::Validate;

/// The query string of `GET /api/v1/brands`, checked before it reaches the search.
#[derive(Debug, Deserialize, Validate)]
pub struct SearchParams {
    /// Its length and words are checked by the search itself (`SearchQuery::check_limits`).
    #[serde(default)]
    pub q: String,
    pub category: Option<String>,
    pub state: Option<String>,
    pub fhir_version: Option<String>,
    pub environment: Option<String>,
    pub status: Option<String>,
    #[validate(range(max = 3650, message = "cert_days is a number of days up to 3650"))]
    pub cert_days: Option<u32>,
    pub carin: Option<String>,
    pub eob: Option<String>,
    pub line_of_business: Option<String>,
    pub developer: Option<String>,
    #[validate(range(min = 1, max = 1000, message = "page must be between 1 and 1000"))]
    pub page: Option<u32>,
    #[validate(range(min = 1, max = 100, message = "per_page must be between 1 and 100"))]
    pub per_page: Option<u32>,
}

pub(crate) fn cors(mut r: Response) -> Response {
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

pub async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    p.validate().map_err(|e| AppError::BadRequest(e.to_string().replace('\n', "; ")))?;
    let query = SearchQuery {
        q: p.q,
        category: p.category,
        state: p.state,
        fhir_version: p.fhir_version,
        environment: p.environment,
        status: p.status,
        cert_days: p.cert_days.map(|d| d.to_string()),
        carin: p.carin,
        eob: p.eob,
        line_of_business: p.line_of_business,
        developer: p.developer,
        page: p.page,
        per_page: p.per_page,
    };
    let response: SearchResponse = state.search.search(&state.db, &query).await?;
    Ok(cors(Json(response).into_response()))
}

pub async fn brand(State(state): State<AppState>, Path(id): Path<i32>) -> Result<Response, AppError> {
    let detail: BrandDetail =
        brand_detail(&state.db, id).await?.ok_or_else(|| AppError::NotFound(format!("brand {id}")))?;
    Ok(cors(Json(detail).into_response()))
}

/// `POST /api/v1/validate` with a bundle as the body: the validation report as JSON. Limited
/// per client like the Validate page (the same limiter).
pub async fn validate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ValidationReport>, AppError> {
    let limit = state.settings.max_validate_bytes;
    if body.len() > limit {
        return Err(AppError::TooLarge(format!("the bundle is {} bytes; the limit is {limit}", body.len())));
    }
    let client = client_of(peer.ip(), &headers, &state.settings.trusted_proxies);
    state.validate_limiter.check(client).map_err(AppError::TooManyRequests)?;
    let text =
        String::from_utf8(body.to_vec()).map_err(|_| AppError::BadRequest("the body is not UTF-8 text".into()))?;
    Ok(Json(validate_text_blocking(text, limit).await?))
}
