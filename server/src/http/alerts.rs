//! The one-click unsubscribe of RFC 8058: mail programs POST to the `List-Unsubscribe` URL.
use app::error::AppError;
use app::server::services::subscriptions::unsubscribe;
use app::server::state::AppState;
use app::types::alerts::LinkOutcome;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// `POST /alerts/unsubscribe/one-click?token=…`
pub async fn one_click_unsubscribe(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    Ok(match unsubscribe(&state.db, &state.alerts, &q.token).await? {
        LinkOutcome::Unsubscribed { label, .. } => (StatusCode::OK, format!("Unsubscribed from alerts for {label}.\n")),
        _ => (StatusCode::NOT_FOUND, "This unsubscribe link is not valid, or was used already.\n".to_string()),
    }
    .into_response())
}
