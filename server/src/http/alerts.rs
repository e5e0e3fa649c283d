//! The buttons behind the links in alert mails (a GET of a link only shows the button, since
//! mail scanners open links), and the one-click unsubscribe of RFC 8058, which mail programs
//! POST to the `List-Unsubscribe` URL.
use app::error::AppError;
use app::server::rate_limit::client_of;
use app::server::services::subscriptions::{confirm, subscribe, unsubscribe};
use app::server::state::AppState;
use app::types::alerts::{LinkOutcome, SubscribeOutcome, TargetKind};
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// Tokens are `{id}.{hex}`; anything else is not worth echoing into a URL.
fn url_safe(token: &str) -> String {
    token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').take(200).collect()
}

/// `POST /alerts/confirm` (form: `token`): alerts start; back to the page, which says so.
pub async fn press_confirm(State(state): State<AppState>, Form(f): Form<TokenQuery>) -> Result<Response, AppError> {
    confirm(&state.db, &state.alerts, &f.token, chrono::Utc::now().timestamp()).await?;
    Ok(Redirect::to(&format!("/alerts/confirm?token={}", url_safe(&f.token))).into_response())
}

/// `POST /alerts/unsubscribe` (form: `token`): the subscription and its address are deleted.
pub async fn press_unsubscribe(State(state): State<AppState>, Form(f): Form<TokenQuery>) -> Result<Response, AppError> {
    Ok(match unsubscribe(&state.db, &state.alerts, &f.token).await? {
        LinkOutcome::Unsubscribed { .. } => Redirect::to("/alerts/unsubscribe?done=1"),
        _ => Redirect::to(&format!("/alerts/unsubscribe?token={}", url_safe(&f.token))),
    }
    .into_response())
}

#[derive(serde::Deserialize)]
pub struct SubscribeForm {
    email: String,
    kind: String,
    id: i32,
}

/// `POST /alerts/subscribe` (form: `email`, `kind`, `id`): the alerts form posted without
/// JavaScript. A `303` back to the target's page with the outcome in `?alerts=`, which the page
/// shows; for a target that is not in the directory, to the search page, which says so.
pub async fn subscribe_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SubscribeForm>,
) -> Result<Response, AppError> {
    let client = client_of(peer.ip(), &headers, &state.settings.trusted_proxies);
    let outcome = match (TargetKind::parse(&f.kind), state.subscribe_limiter.check(client)) {
        (None, _) => SubscribeOutcome::NotFound,
        (Some(_), Err(wait)) => SubscribeOutcome::RateLimited(wait),
        (Some(kind), Ok(())) => {
            let now = chrono::Utc::now().timestamp();
            subscribe(&state.db, &state.alerts, &f.email, kind, f.id, now).await?
        }
    };
    let to = match (&outcome, TargetKind::parse(&f.kind)) {
        (SubscribeOutcome::NotFound, _) | (_, None) => format!("/?alerts={}", outcome.code()),
        (_, Some(kind)) => format!("{}?alerts={}#alerts-heading", kind.page(f.id), outcome.code()),
    };
    Ok(Redirect::to(&to).into_response())
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
