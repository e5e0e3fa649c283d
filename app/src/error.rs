use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The one error type of Signpost's services, server functions and HTTP handlers. Each variant
/// knows its HTTP status, so a handler or a server function turns it into a response without
/// deciding again; expected outcomes (a refused URL, "already subscribed") are `Ok` values.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    #[error("invalid input: {0}")]
    BadRequest(String),
    #[error("sign in first: {0}")]
    Unauthorized(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("too large: {0}")]
    TooLarge(String),
    /// Try again after this many seconds.
    #[error("too many requests: try again in {0} s")]
    TooManyRequests(u64),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::TooManyRequests(_) => 429,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

/// Server functions return `AppError` itself: the browser gets the variant (and so the
/// message) as JSON, and the response its status.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest(m),
            ServerFnErrorErr::MissingArg(m) => AppError::BadRequest(format!("missing argument {m}")),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};

    impl From<sea_orm::DbErr> for AppError {
        fn from(e: sea_orm::DbErr) -> Self {
            tracing::error!(error = %e, "database error");
            AppError::Internal("database error".into())
        }
    }

    impl AppError {
        /// For a server function: sets the status of the response it is part of (its own
        /// HTTP answer, or the page being rendered), and hands the error back.
        pub fn with_status(self) -> Self {
            if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                r.set_status(StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
                if let AppError::TooManyRequests(s) = &self {
                    if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                        r.insert_header(header::RETRY_AFTER, v);
                    }
                }
            }
            if let AppError::Internal(m) = &self {
                tracing::error!(error = %m, "request failed");
            }
            self
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let retry = match &self {
                AppError::TooManyRequests(s) => HeaderValue::from_str(&s.to_string()).ok(),
                _ => None,
            };
            let body = serde_json::json!({ "error": self.to_string() });
            let mut response = (status, axum::Json(body)).into_response();
            if let Some(v) = retry {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_has_its_status() {
        let all = [
            (AppError::BadRequest(String::new()), 400),
            (AppError::Unauthorized(String::new()), 401),
            (AppError::Forbidden(String::new()), 403),
            (AppError::NotFound(String::new()), 404),
            (AppError::Conflict(String::new()), 409),
            (AppError::TooLarge(String::new()), 413),
            (AppError::TooManyRequests(3), 429),
            (AppError::Unavailable(String::new()), 503),
            (AppError::Internal(String::new()), 500),
        ];
        for (e, status) in all {
            assert_eq!(e.status_code(), status, "{e}");
        }
        let bad = AppError::from_server_fn_error(ServerFnErrorErr::Args("q".into()));
        assert_eq!(bad.status_code(), 400);
    }
}
