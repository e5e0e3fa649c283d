//! The OpenAPI 3.1 description of the REST API, at `/api/openapi.json`. It is derived from the
//! handlers' `utoipa::path` annotations and from the very types they serialize, so a field added
//! to an answer is in the description too; `./test` runs schemathesis against it.
use super::api::cors;
use app::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Signpost API",
        description = "Payer and provider FHIR endpoints as SMART App Launch 2.2 Patient Access \
            Brands, the poller's findings about each endpoint, and each payer's registration \
            turnaround. Open to every origin (CORS) and limited per client address; answers \
            carry `RateLimit-*` headers.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        super::api::search,
        super::api::brand,
        super::api::validate,
        super::endpoints::status,
        super::turnaround::overview_json,
        super::turnaround::payer_json,
    ),
    tags(
        (name = "directory", description = "Brands, their portals and endpoints"),
        (name = "health", description = "What the poller found"),
        (name = "turnaround", description = "How long each payer takes to decide on a registration"),
    )
)]
pub struct ApiDoc;

/// Every error the API answers with in JSON (`AppError`'s response).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// What was wrong, in words.
    pub error: String,
}

/// The errors of an operation with an id in its path.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ByIdErrors {
    /// The id is not a number (or is past a 32-bit integer)
    #[response(status = 400)]
    NotAnId(ErrorBody),
    /// Nothing has that id
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Too many requests from this address (the per-client limit, `SIGNPOST_RATE_LIMIT`)
    #[response(status = 429, content_type = "text/plain")]
    TooMany(String),
}

/// Too many requests from this address (the per-client limit, `SIGNPOST_RATE_LIMIT`)
#[derive(utoipa::IntoResponses)]
#[response(status = 429, content_type = "text/plain")]
#[allow(dead_code)]
pub struct Limited(String);

/// The description as JSON text, made once per process.
pub fn document() -> Result<&'static str, AppError> {
    static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| ApiDoc::openapi().to_pretty_json().map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| AppError::Internal(format!("the OpenAPI description: {e}")))
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Result<Response, AppError> {
    let mut r = document()?.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(cors(r))
}
