//! Server functions answer their errors with the error's own status (`AppError::with_status`),
//! but an error raised before the function runs (a body that is empty, not the function's
//! arguments, or cut short) leaves the framework's 500. Such answers carry server_fn's error
//! header and an encoded `AppError`: the status is taken from the error itself, so garbage sent
//! to a server function is a 400 and never looks like a fault of ours.
use app::error::AppError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// An encoded `AppError` is a variant and its message; anything longer is not one.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, axum::body::Body::from("internal error"));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::Internal(m) = &error {
            tracing::error!(error = %m, "server function failed");
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
