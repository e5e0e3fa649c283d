use super::openapi::{ByIdErrors, ErrorBody, Limited};
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
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use validator::Validate;

/// The query string of `GET /api/v1/brands`, checked before it reaches the search. The
/// lengths in the `param` attributes are the search's own limits (`SearchQuery::check_limits`),
/// which enforces them; the description states them so that clients can stay inside.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find in names, aliases, places and endpoint addresses (or a web address). Up to
    /// 10 words are searched for; the answer lists the others as relaxed.
    #[serde(default)]
    #[param(max_length = 200)]
    pub q: String,
    /// A facet value (each facet's values are in the answer's `facets`).
    #[param(max_length = 64)]
    pub category: Option<String>,
    #[param(max_length = 64)]
    pub state: Option<String>,
    #[param(max_length = 64)]
    pub fhir_version: Option<String>,
    #[param(max_length = 64)]
    pub environment: Option<String>,
    #[param(max_length = 64)]
    pub status: Option<String>,
    /// Brands with an endpoint whose certificate expires within this many days.
    #[validate(range(max = 3650, message = "cert_days is a number of days up to 3650"))]
    #[param(maximum = 3650)]
    pub cert_days: Option<u32>,
    #[param(max_length = 64)]
    pub carin: Option<String>,
    #[param(max_length = 64)]
    pub eob: Option<String>,
    #[param(max_length = 64)]
    pub line_of_business: Option<String>,
    #[param(max_length = 64)]
    pub developer: Option<String>,
    #[validate(range(min = 1, max = 1000, message = "page must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u32>,
    #[validate(range(min = 1, max = 100, message = "per_page must be between 1 and 100"))]
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// An id in the path that is not a number answers 400 in the API's JSON, like every other error.
pub(crate) fn id_of(path: Result<Path<i32>, PathRejection>) -> Result<i32, AppError> {
    path.map(|Path(id)| id).map_err(|e| AppError::BadRequest(e.body_text()))
}

pub(crate) fn cors(mut r: Response) -> Response {
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

/// Search the directory: brands with their endpoint counts and health, facets, and the query as
/// it was understood.
#[utoipa::path(get, path = "/api/v1/brands", tag = "directory", params(SearchParams),
    responses(
        (status = 200, description = "A page of matching brands", body = SearchResponse),
        (status = 400, description = "A parameter outside its limits", body = ErrorBody),
        Limited,
    ))]
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

/// One brand: its names, identifiers, addresses, portals and endpoints with their health, its
/// source and maintainer, and the facts for developers.
#[utoipa::path(get, path = "/api/v1/brands/{id}", tag = "directory",
    params(("id" = i32, Path, description = "The brand's id")),
    responses(
        (status = 200, description = "The brand", body = BrandDetail),
        ByIdErrors,
    ))]
pub async fn brand(State(state): State<AppState>, id: Result<Path<i32>, PathRejection>) -> Result<Response, AppError> {
    let id = id_of(id)?;
    let detail: BrandDetail =
        brand_detail(&state.db, id).await?.ok_or_else(|| AppError::NotFound(format!("brand {id}")))?;
    Ok(cors(Json(detail).into_response()))
}

/// `POST /api/v1/validate` with a bundle as the body: the validation report as JSON. Limited
/// per client like the Validate page (the same limiter).
#[utoipa::path(post, path = "/api/v1/validate", tag = "directory",
    request_body(content = serde_json::Value, content_type = "application/json",
        description = "A FHIR Bundle of Patient Access Brands (SMART App Launch 2.2), at most \
            SIGNPOST_MAX_VALIDATE_BYTES (5 MB unless set). Any text is read: what is not a Bundle \
            is reported as `fatal`."),
    responses(
        (status = 200, description = "What is wrong with the bundle, if anything", body = ValidationReport),
        (status = 400, description = "The body is empty, or not UTF-8 text", body = ErrorBody),
        (status = 413, description = "The body is past the size limit", content(
            (ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 429, description = "Too many validations from this address (SIGNPOST_VALIDATE_LIMIT a minute, 20 unless set; 5 at once)", content(
            (ErrorBody = "application/json"), (String = "text/plain"))),
    ))]
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
    // A request without a body is a client's mistake, not a bundle with nothing in it (the page
    // says "Nothing to validate" in its report; a program gets a status it can act on).
    if body.is_empty() {
        return Err(AppError::BadRequest("the body is empty: send a brands bundle (FHIR JSON)".into()));
    }
    let client = client_of(peer.ip(), &headers, &state.settings.trusted_proxies);
    state.validate_limiter.check(client).map_err(AppError::TooManyRequests)?;
    let text =
        String::from_utf8(body.to_vec()).map_err(|_| AppError::BadRequest("the body is not UTF-8 text".into()))?;
    Ok(Json(validate_text_blocking(text, limit).await?))
}
