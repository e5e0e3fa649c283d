use app::error::AppError;
use app::server::entities::source;
use app::server::services::brands::directory_version;
use app::server::services::export::{ExportOptions, Framing, etag, etag_matches, stream};
use app::server::services::resources::read;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::EntityTrait;

/// `GET /brands.json`: the whole directory as a brands Bundle.
pub async fn directory_bundle(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    publish(&state, &headers, None, Framing::Bundle).await
}

/// `GET /sources/{id}/brands.json`: one source's records.
pub async fn source_bundle(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if source::Entity::find_by_id(id).one(&state.db).await?.is_none() {
        return Err(AppError::NotFound(format!("source {id}")));
    }
    publish(&state, &headers, Some(id), Framing::Bundle).await
}

/// `GET /export/endpoints.csv`: one row per brand and endpoint.
pub async fn endpoints_csv(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    publish(&state, &headers, None, Framing::Csv).await
}

async fn publish(
    state: &AppState,
    headers: &HeaderMap,
    source_id: Option<i32>,
    framing: Framing,
) -> Result<Response, AppError> {
    let version = directory_version(&state.db).await?;
    let tag = etag(version, source_id);
    let content_type = match framing {
        Framing::Bundle => "application/fhir+json",
        Framing::Ndjson => "application/fhir+ndjson",
        Framing::Csv => "text/csv; charset=utf-8",
    };
    let matches =
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| etag_matches(v, &tag));
    let mut builder = Response::builder()
        .header(header::ETAG, &tag)
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag")
        .header(header::CACHE_CONTROL, "no-cache");
    if matches {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .map_err(|e| AppError::Internal(e.to_string()));
    }
    builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let opts = ExportOptions { source_id, base_url: state.settings.public_url.clone(), framing };
    Ok(builder
        .body(Body::from_stream(stream(state.db.clone(), opts)))
        .map_err(|e| AppError::Internal(e.to_string()))?
        .into_response())
}

/// `GET /fhir/{Organization|Endpoint}/{id}`: a published resource read at its `fullUrl`.
pub async fn fhir_read(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let resource = read(&state.db, &kind, &id).await?.ok_or_else(|| AppError::NotFound(format!("{kind}/{id}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json")),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        resource.to_string(),
    )
        .into_response())
}

/// `OPTIONS` on the published data and the read API: the CORS preflight a browser app sends
/// before a GET with `If-None-Match`.
pub async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "If-None-Match, If-Modified-Since, Accept, Cache-Control"),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}
